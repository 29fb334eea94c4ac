package org.summoner.relay.selector;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.summoner.relay.spi.BlockingAcceptor;
import org.summoner.relay.spi.EngineContext;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * The listening side of an engine on {@code java.nio}: its bound socket and one acceptor thread (a
 * {@link BlockingAcceptor}: admission, refusals, back-off) handing admitted sockets round-robin to the loops that
 * are alive. Started once the loops exist; closed before they are told to shut down.
 */
public final class Listener {
    private static final Logger log = LoggerFactory.getLogger(Listener.class);
    private static final long JOIN_MILLIS = 5_000;

    private final ServerSocketChannel server;
    private final SelectorLoop<?>[] loops;
    private final BlockingAcceptor acceptor;
    private final Thread thread;
    /** Acceptor thread only. */
    private int next;

    /** For an engine that failed to start: closes the selectors of the loops created so far (nulls are skipped). */
    public static void closeSelectors(SelectorLoop<?>[] loops) {
        for (SelectorLoop<?> loop : loops) {
            if (loop != null) {
                loop.closeSelector();
            }
        }
    }

    /** Starts accepting on {@code server} into {@code loops}, on a thread named {@code threadName}. */
    public Listener(ServerSocketChannel server, EngineContext context, SelectorLoop<?>[] loops, String threadName) {
        this.server = server;
        this.loops = loops.clone();
        this.acceptor = new BlockingAcceptor(server, context, this::adopt);
        this.thread = new Thread(acceptor, threadName);
        thread.start();
    }

    /** @return the address bound, with the real port when port 0 was asked for. */
    public InetSocketAddress address() throws IOException {
        return (InetSocketAddress) server.getLocalAddress();
    }

    /** Stops accepting: closes the listening socket and waits for the acceptor thread. */
    public void close() {
        acceptor.close();
        try {
            thread.join(JOIN_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            log.warn("{} did not stop within {} ms", thread.getName(), JOIN_MILLIS);
        }
    }

    /** Round-robin over the live loops; false when none is alive. */
    private boolean adopt(SocketChannel channel, InetSocketAddress remote) {
        for (int i = 0; i < loops.length; i++) {
            final SelectorLoop<?> loop = loops[next];
            next = next + 1 == loops.length ? 0 : next + 1;
            if (loop.alive()) {
                loop.adopt(channel, remote);
                return true;
            }
        }
        return false;
    }
}
