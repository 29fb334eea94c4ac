package org.summoner.relay.testengines;

import org.summoner.relay.spi.EngineContext;
import org.summoner.relay.spi.RelayEngine;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;

/**
 * An engine that only binds its address: enough to check where the facade binds, what it prints and how it
 * reports a busy port, without relaying anything.
 */
public final class BindOnlyEngine implements RelayEngine {
    private final EngineContext context;
    private ServerSocketChannel channel;
    private volatile boolean closed;

    BindOnlyEngine(EngineContext context) {
        this.context = context;
    }

    public EngineContext context() {
        return context;
    }

    public boolean closed() {
        return closed;
    }

    @Override
    public void start() throws IOException {
        channel = ServerSocketChannel.open();
        channel.bind(context.bindAddress());
    }

    @Override
    public InetSocketAddress boundAddress() {
        try {
            return (InetSocketAddress) channel.getLocalAddress();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void stopAccepting() {
        try {
            if (channel != null) {
                channel.close();
            }
        } catch (IOException ignored) {
            // already closed
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            if (channel != null) {
                channel.close();
            }
        } catch (IOException ignored) {
            // Closing a listening socket that is already closed has nothing left to undo.
        }
    }
}
