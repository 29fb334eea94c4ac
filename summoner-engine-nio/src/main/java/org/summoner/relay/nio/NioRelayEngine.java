package org.summoner.relay.nio;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.summoner.relay.policy.AdmissionControl;
import org.summoner.relay.spi.EngineContext;
import org.summoner.relay.spi.JdkIoWarmUp;
import org.summoner.relay.spi.RelayEngine;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The NIO engine: one acceptor thread ({@code summoner-nio-acceptor}) blocking in {@code accept()}, asking
 * {@link AdmissionControl} about each socket (quarantine, connection limits: a refused client is told why in one
 * line and closed) and handing admitted ones, round-robin, to one of {@code worker_threads} {@link NioWorker}
 * selector loops ({@code summoner-nio-worker-N}), which own their connections for life.
 */
final class NioRelayEngine implements RelayEngine {
    private static final Logger log = LoggerFactory.getLogger(NioRelayEngine.class);
    /** The kernel caps it at net.core.somaxconn. */
    private static final int ACCEPT_BACKLOG = 4096;
    private static final long JOIN_SLACK_MILLIS = 5_000;
    private static final long ACCEPT_WARNING_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final EngineContext context;
    private final AdmissionControl admission;
    private final ReadPause readPause = new ReadPause();
    private final long acceptErrorBackoffMs;
    private final List<Thread> threads = new ArrayList<>();
    private ServerSocketChannel serverChannel;
    private InetSocketAddress boundAddress;
    private NioWorker[] workers = new NioWorker[0];
    private Thread acceptor;
    private volatile boolean closed;
    /** Acceptor thread only. */
    private long lastAcceptWarningNanos = System.nanoTime() - ACCEPT_WARNING_INTERVAL_NANOS;

    NioRelayEngine(EngineContext context) {
        this.context = context;
        this.admission = context.policy().admission();
        this.acceptErrorBackoffMs = context.policy().acceptErrorBackoffMillis();
    }

    @Override
    public synchronized void start() throws IOException {
        if (serverChannel != null || closed) {
            throw new IllegalStateException("start() may be called once");
        }
        JdkIoWarmUp.run();
        final ServerSocketChannel server = ServerSocketChannel.open();
        final NioWorker[] created = new NioWorker[context.config().hyperParameters().workerThreads()];
        try {
            server.bind(context.bindAddress(), ACCEPT_BACKLOG);
            for (int i = 0; i < created.length; i++) {
                created[i] = new NioWorker(context, readPause);
            }
        } catch (IOException | RuntimeException e) {
            for (NioWorker worker : created) {
                if (worker != null) {
                    worker.closeSelector();
                }
            }
            server.close();
            throw e;
        }
        workers = created;
        serverChannel = server;
        boundAddress = (InetSocketAddress) server.getLocalAddress();
        for (int i = 0; i < workers.length; i++) {
            final NioWorker[] peers = new NioWorker[workers.length - 1];
            for (int j = 0, k = 0; j < workers.length; j++) {
                if (j != i) {
                    peers[k++] = workers[j];
                }
            }
            workers[i].peers(peers);
            threads.add(startThread(workers[i], "summoner-nio-worker-" + i));
        }
        acceptor = startThread(this::acceptLoop, "summoner-nio-acceptor");
        log.debug("NIO engine started: {} worker threads on {}", workers.length, boundAddress);
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
        final Thread acceptorThread;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            acceptorThread = acceptor;
            if (serverChannel != null) {
                try {
                    serverChannel.close(); // wakes the acceptor out of accept()
                } catch (IOException e) {
                    log.debug("closing the listening socket: {}", e.toString());
                }
            }
        }
        join(acceptorThread, JOIN_SLACK_MILLIS);
        for (NioWorker worker : workers) {
            worker.shutdown();
        }
        for (Thread thread : threads) {
            join(thread, TimeUnit.NANOSECONDS.toMillis(NioWorker.LINGER_NANOS) + JOIN_SLACK_MILLIS);
        }
    }

    private void acceptLoop() {
        int next = 0;
        while (!closed) {
            final SocketChannel channel;
            try {
                channel = serverChannel.accept();
            } catch (ClosedChannelException e) {
                return; // close() closed the listening socket
            } catch (IOException e) {
                if (closed) {
                    return;
                }
                // Typically EMFILE: out of file descriptors. Back off, then try again; they free up as clients leave.
                // Every failure is counted; a warning is logged at most every ACCEPT_WARNING_INTERVAL.
                context.counters().acceptFailed();
                final long now = System.nanoTime();
                if (now - lastAcceptWarningNanos >= ACCEPT_WARNING_INTERVAL_NANOS) {
                    lastAcceptWarningNanos = now;
                    log.warn("accept failed: {}; retrying every {} ms (failures are counted, and logged at most every {} s)",
                            e.toString(), acceptErrorBackoffMs, TimeUnit.NANOSECONDS.toSeconds(ACCEPT_WARNING_INTERVAL_NANOS));
                }
                sleepQuietly(acceptErrorBackoffMs);
                continue;
            }
            final InetSocketAddress remote;
            try {
                remote = (InetSocketAddress) channel.getRemoteAddress();
            } catch (IOException e) {
                closeQuietly(channel);
                continue;
            }
            final AdmissionControl.Rejection rejection = admission.admit(remote.getAddress(), System.nanoTime());
            if (rejection != null) {
                refuse(channel, remote, rejection);
                continue;
            }
            try {
                channel.configureBlocking(false);
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            } catch (IOException e) {
                log.debug("dropping a connection that failed set-up: {}", e.toString());
                closeQuietly(channel);
                admission.release(remote.getAddress());
                continue;
            }
            final NioWorker worker = nextLiveWorker(next);
            if (worker == null) {
                log.error("no worker thread is alive; refusing {}", remote);
                closeQuietly(channel);
                admission.release(remote.getAddress());
                continue;
            }
            worker.adopt(channel, remote);
            next = next + 1 == workers.length ? 0 : next + 1;
        }
    }

    /** @return the first live worker from {@code start} on, round-robin, or null if none is alive. */
    private NioWorker nextLiveWorker(int start) {
        for (int i = 0; i < workers.length; i++) {
            final NioWorker worker = workers[(start + i) % workers.length];
            if (worker.alive()) {
                return worker;
            }
        }
        return null;
    }

    /**
     * Tells a refused client why, in one line, and closes it. The socket is still blocking and its send buffer
     * empty, so a line this short is written at once.
     */
    private void refuse(SocketChannel channel, InetSocketAddress remote, AdmissionControl.Rejection rejection) {
        context.counters().connectionRejected(rejection.reason());
        log.debug("refused {}: {}", remote, rejection.reason());
        try {
            final ByteBuffer line = ByteBuffer.wrap(rejection.line());
            while (line.hasRemaining()) {
                channel.write(line);
            }
            channel.shutdownOutput();
        } catch (IOException e) {
            log.debug("could not tell {} why it was refused: {}", remote, e.toString());
        }
        closeQuietly(channel);
    }

    private static Thread startThread(Runnable body, String name) {
        final Thread thread = new Thread(() -> {
            try {
                body.run();
            } catch (Throwable t) {
                log.error("{} died", name, t);
            }
        }, name);
        thread.start();
        return thread;
    }

    private static void join(Thread thread, long timeoutMillis) {
        if (thread == null || thread == Thread.currentThread()) {
            return;
        }
        try {
            thread.join(timeoutMillis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            log.warn("{} did not stop within {} ms", thread.getName(), timeoutMillis);
        }
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // The connection is being dropped either way.
        }
    }
}
