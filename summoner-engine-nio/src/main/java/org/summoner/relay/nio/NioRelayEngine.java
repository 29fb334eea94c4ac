package org.summoner.relay.nio;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.summoner.relay.spi.EngineContext;
import org.summoner.relay.spi.RelayEngine;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The NIO engine: one acceptor thread ({@code summoner-nio-acceptor}) blocking in {@code accept()} and handing
 * each socket, round-robin, to one of {@code worker_threads} {@link NioWorker} selector loops
 * ({@code summoner-nio-worker-N}), which own their connections for life.
 */
final class NioRelayEngine implements RelayEngine {
    private static final Logger log = LoggerFactory.getLogger(NioRelayEngine.class);
    /** The kernel caps it at net.core.somaxconn. */
    private static final int ACCEPT_BACKLOG = 4096;
    private static final long JOIN_SLACK_MILLIS = 5_000;

    private final EngineContext context;
    private final long acceptErrorBackoffMs;
    private final List<Thread> threads = new ArrayList<>();
    private ServerSocketChannel serverChannel;
    private InetSocketAddress boundAddress;
    private NioWorker[] workers = new NioWorker[0];
    private Thread acceptor;
    private volatile boolean closed;

    NioRelayEngine(EngineContext context) {
        this.context = context;
        this.acceptErrorBackoffMs = context.config().hyperParameters().acceptErrorBackoffMs();
    }

    @Override
    public synchronized void start() throws IOException {
        if (serverChannel != null || closed) {
            throw new IllegalStateException("start() may be called once");
        }
        final ServerSocketChannel server = ServerSocketChannel.open();
        final NioWorker[] created = new NioWorker[context.config().hyperParameters().workerThreads()];
        try {
            server.bind(context.bindAddress(), ACCEPT_BACKLOG);
            for (int i = 0; i < created.length; i++) {
                created[i] = new NioWorker(context);
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
                log.warn("accept failed: {}; retrying in {} ms", e.toString(), acceptErrorBackoffMs);
                sleepQuietly(acceptErrorBackoffMs);
                continue;
            }
            try {
                channel.configureBlocking(false);
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            } catch (IOException e) {
                log.debug("dropping a connection that failed set-up: {}", e.toString());
                closeQuietly(channel);
                continue;
            }
            workers[next].adopt(channel);
            next = next + 1 == workers.length ? 0 : next + 1;
        }
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
