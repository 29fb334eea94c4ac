package org.summoner.relay.blocking;

import org.summoner.relay.spi.BlockingAcceptor;
import org.summoner.relay.spi.EngineContext;
import org.summoner.relay.spi.EngineGauge;
import org.summoner.relay.spi.JdkIoWarmUp;
import org.summoner.relay.spi.RelayEngine;
import org.summoner.relay.spi.serial.Client;
import org.summoner.relay.spi.serial.Relay;
import org.summoner.relay.stream.ClientStream;
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
 * ({@link #write}). It does I/O and threads only; its {@link Relay} does framing, routing, the outbound queue and
 * its budget, pauses, timers and shutdown.
 */
final class BlockingRelayEngine implements RelayEngine {
    private static final long STACK_BYTES = 256 * 1024;
    private static final long JOIN_MILLIS = 5_000;

    private final EngineContext context;
    private final AtomicInteger threads = new AtomicInteger();
    private Relay relay;
    private BlockingAcceptor acceptor;
    private Thread acceptorThread;
    private InetSocketAddress boundAddress;
    private boolean closed;

    BlockingRelayEngine(EngineContext context) {
        this.context = context;
    }

    @Override
    public synchronized void start() throws IOException {
        if (relay != null || closed) {
            throw new IllegalStateException("start() may be called once");
        }
        JdkIoWarmUp.run(); // the JDK's first socket write opens a descriptor: not after they ran out
        final ServerSocketChannel server = BlockingAcceptor.bind(context);
        boundAddress = (InetSocketAddress) server.getLocalAddress();
        relay = context.relay("summoner-blocking-timer");
        acceptor = new BlockingAcceptor(server, context, this::adopt);
        acceptorThread = new Thread(acceptor, "summoner-blocking-acceptor");
        acceptorThread.start();
    }

    /** An admitted socket: its client in the relay, and its two threads; the relay closes what it cannot serve. */
    private boolean adopt(SocketChannel socket, InetSocketAddress remote) {
        WaitingChannel channel = null;
        Client client = null;
        try {
            channel = new WaitingChannel(socket);
            client = relay.connect(remote, channel);
            if (client != null) {
                final Client c = client;
                final ClientStream stream = ClientStream.of(channel, context.tls(), remote);
                spawn("summoner-blocking-reader", () -> read(c, stream));
                spawn("summoner-blocking-writer", () -> write(c, stream));
            }
        } catch (IOException | RuntimeException | OutOfMemoryError e) { // OutOfMemoryError: no native thread
            relay.couldNotServe(remote, channel != null ? channel : socket, client, e);
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
        thread.setDaemon(true);
        threads.incrementAndGet();
        try {
            thread.start();
        } catch (Throwable e) {
            threads.decrementAndGet();
            throw e;
        }
    }

    /** Reads what the client sends into the relay, while the relay says to read. */
    private static void read(Client client, ClientStream stream) {
        try {
            if (!stream.open(client)) {
                return;
            }
            client.start();
            final byte[] bytes = new byte[stream.readBytes()]; // one per client: small
            final ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (client.awaitReading()) {
                buffer.clear();
                final int n = stream.read(buffer);
                if (n < 0) {
                    stream.endOfStream(client);
                    return;
                }
                client.received(bytes, 0, n);
            }
        } catch (IOException e) {
            stream.failed(e);
            client.failed(e);
        } catch (InterruptedException e) {
            client.failed(e);
        } catch (Throwable e) {
            client.fault(e); // an error the JVM cannot recover from ends this thread and makes the relay unhealthy
        }
    }

    /** Writes what the relay hands out, until the client is closed. */
    private static void write(Client client, ClientStream stream) {
        try {
            ByteBuffer[] buffers;
            while ((buffers = client.take()) != null) {
                if (buffers == Client.SHUT_OUTPUT) {
                    stream.shutdownOutput();
                } else {
                    client.wrote(stream.write(buffers, client));
                }
            }
        } catch (IOException | InterruptedException e) {
            client.failed(e);
        } catch (Throwable e) {
            client.fault(e); // an error the JVM cannot recover from ends this thread and makes the relay unhealthy
        }
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
    public synchronized void stopAccepting() {
        if (acceptor != null) {
            acceptor.close(); // closes the listening socket; the acceptor thread ends on its own
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed || relay == null) {
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
        relay.shutdown();
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
