package org.summoner.relay.blocking;

import org.summoner.relay.core.Route;
import org.summoner.relay.core.SerialClient;
import org.summoner.relay.core.SerialCore;
import org.summoner.relay.selector.BlockingAcceptor;
import org.summoner.relay.selector.Listener;
import org.summoner.relay.spi.EngineContext;
import org.summoner.relay.spi.EngineGauge;
import org.summoner.relay.spi.RelayEngine;
import org.summoner.relay.stream.TlsStream;
import org.summoner.relay.stream.WaitingChannel;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The blocking engine: an acceptor thread, and per client a reader thread ({@link #read}) and a writer thread
 * ({@link #write}). It does I/O and threads only; its {@link SerialCore} does framing, routing, the outbound queue and
 * its budget, pauses, timers and shutdown.
 */
final class BlockingRelayEngine implements RelayEngine {
    private static final long STACK_BYTES = 256 * 1024;
    private static final long JOIN_MILLIS = 5_000;

    private final EngineContext context;
    private final AtomicInteger threads = new AtomicInteger();
    private SerialCore core;
    private BlockingAcceptor acceptor;
    private Thread acceptorThread;
    private InetSocketAddress boundAddress;
    private boolean closed;

    BlockingRelayEngine(EngineContext context) {
        this.context = context;
    }

    @Override
    public synchronized void start() throws IOException {
        if (core != null || closed) {
            throw new IllegalStateException("start() may be called once");
        }
        final ServerSocketChannel server = Listener.bind(context);
        boundAddress = (InetSocketAddress) server.getLocalAddress();
        core = new SerialCore(context.core(), "summoner-blocking-timer");
        acceptor = new BlockingAcceptor(server, context, this::adopt);
        acceptorThread = new Thread(acceptor, "summoner-blocking-acceptor");
        acceptorThread.start();
    }

    /** An admitted socket: its client in the core, and its two threads. */
    private boolean adopt(SocketChannel socket, InetSocketAddress remote) {
        final WaitingChannel channel;
        try {
            channel = new WaitingChannel(socket);
        } catch (IOException e) {
            try {
                socket.close(); // out of descriptors for its selector, most likely
            } catch (IOException ignored) {
                // Dropped either way.
            }
            context.policy().admission().release(remote.getAddress());
            return true;
        }
        final SerialClient client = core.connect(remote, channel);
        if (client != null) {
            final TlsStream tls = context.core().tls() == null ? null : new TlsStream(channel, context.core().tls(), remote);
            spawn("summoner-blocking-reader", () -> read(client, channel, tls));
            spawn("summoner-blocking-writer", () -> write(client, channel, tls));
        }
        return true;
    }

    private void spawn(String name, Runnable task) {
        final Thread thread = new Thread(null, () -> {
            try {
                task.run();
            } finally {
                threads.decrementAndGet();
            }
        }, name, STACK_BYTES);
        threads.incrementAndGet();
        thread.setDaemon(true);
        thread.start();
    }

    /** Reads what the client sends into the core, while the core says to read. */
    private static void read(SerialClient client, WaitingChannel channel, TlsStream tls) {
        try {
            if (tls != null && !tls.handshake(client)) {
                return; // refused or failed: the core closes it
            }
            client.start();
            final byte[] bytes = new byte[64 * 1024];
            final ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (client.awaitReading()) {
                buffer.clear();
                final int n = tls == null ? channel.read(buffer) : tls.read(buffer);
                if (n < 0) {
                    client.endOfStream(tls == null ? null : tls::answerClose);
                    return;
                }
                client.received(bytes, 0, n);
            }
        } catch (IOException e) {
            if (tls != null) {
                tls.failed(client, e);
            }
            client.failed(e);
        } catch (InterruptedException e) {
            client.failed(e);
        } catch (Throwable e) {
            client.fault(e); // an error the JVM cannot recover from ends this thread and makes the relay unhealthy
        }
    }

    /** Writes what the core hands out, until the client is closed. */
    private static void write(SerialClient client, WaitingChannel channel, TlsStream tls) {
        try {
            ByteBuffer[] buffers;
            while ((buffers = client.take()) != null) {
                if (buffers == SerialClient.SHUT_OUTPUT) {
                    if (tls == null) {
                        channel.shutdownOutput();
                    } else {
                        tls.shutdownOutput();
                    }
                } else {
                    client.wrote(tls == null ? channel.write(buffers, 0, buffers.length, client) : tls.write(buffers, client));
                }
            }
        } catch (IOException | InterruptedException e) {
            client.failed(e);
        } catch (Throwable e) {
            client.fault(e); // an error the JVM cannot recover from ends this thread and makes the relay unhealthy
        }
    }

    @Override
    public void relayFromCluster(byte[] envelope, int offset, int length, Route route) {
        core.relayFromCluster(envelope, offset, length, route);
    }

    @Override
    public List<EngineGauge> gauges() {
        return List.of(new EngineGauge("summoner_blocking_threads", "Reader and writer threads of the clients.", Map.of(),
                threads::get));
    }

    @Override
    public synchronized InetSocketAddress boundAddress() {
        if (boundAddress == null) {
            throw new IllegalStateException("not started");
        }
        return boundAddress;
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed || core == null) {
                closed = true;
                return;
            }
            closed = true;
        }
        acceptor.close();
        try {
            acceptorThread.join(JOIN_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        core.shutdown();
        final long deadline = System.nanoTime() + JOIN_MILLIS * 1_000_000;
        while (threads.get() > 0 && System.nanoTime() - deadline < 0) {
            try {
                Thread.sleep(10); // every socket is closed: the clients' threads are on their way out
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
