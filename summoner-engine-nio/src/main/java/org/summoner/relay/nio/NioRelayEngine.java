package org.summoner.relay.nio;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.summoner.relay.core.Dispatcher;
import org.summoner.relay.selector.BlockingAcceptor;
import org.summoner.relay.selector.JdkIoWarmUp;
import org.summoner.relay.spi.EngineContext;
import org.summoner.relay.spi.RelayEngine;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The NIO engine: one acceptor thread ({@code summoner-nio-acceptor}, a {@link BlockingAcceptor}: admission, refusals)
 * handing admitted sockets, round-robin, to one of {@code worker_threads} {@link NioWorker} selector loops
 * ({@code summoner-nio-worker-N}), which own their connections for life.
 */
final class NioRelayEngine implements RelayEngine {
    private static final Logger log = LoggerFactory.getLogger(NioRelayEngine.class);
    /** The kernel caps it at net.core.somaxconn. */
    private static final int ACCEPT_BACKLOG = 4096;
    private static final long JOIN_SLACK_MILLIS = 5_000;

    private final EngineContext context;
    private final List<Thread> threads = new ArrayList<>();
    private ServerSocketChannel serverChannel;
    private InetSocketAddress boundAddress;
    private NioWorker[] workers = new NioWorker[0];
    private BlockingAcceptor acceptLoop;
    private Thread acceptor;
    private volatile boolean closed;
    /** Acceptor thread only. */
    private int nextWorker;

    NioRelayEngine(EngineContext context) {
        this.context = context;
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
                created[i] = new NioWorker(context.core());
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
        acceptLoop = new BlockingAcceptor(serverChannel, context, this::adopt);
        acceptor = startThread(acceptLoop, "summoner-nio-acceptor");
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
            if (acceptLoop != null) {
                acceptLoop.close(); // closes the listening socket, which wakes the acceptor out of accept()
            }
        }
        join(acceptorThread, JOIN_SLACK_MILLIS);
        for (NioWorker worker : workers) {
            worker.shutdown();
        }
        for (Thread thread : threads) {
            join(thread, TimeUnit.NANOSECONDS.toMillis(Dispatcher.LINGER_NANOS) + JOIN_SLACK_MILLIS);
        }
    }

    /** Round-robin over the live workers; false when none is alive. */
    private boolean adopt(SocketChannel channel, InetSocketAddress remote) {
        for (int i = 0; i < workers.length; i++) {
            final NioWorker worker = workers[nextWorker];
            nextWorker = nextWorker + 1 == workers.length ? 0 : nextWorker + 1;
            if (worker.alive()) {
                worker.adopt(channel, remote);
                return true;
            }
        }
        return false;
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
}
