package org.summoner.relay.nio;

import org.summoner.relay.core.Route;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.summoner.relay.core.Dispatcher;
import org.summoner.relay.spi.JdkIoWarmUp;
import org.summoner.relay.selector.Listener;
import org.summoner.relay.spi.BlockingAcceptor;
import org.summoner.relay.spi.EngineContext;
import org.summoner.relay.spi.EngineGauge;
import org.summoner.relay.spi.RelayEngine;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The NIO engine: one acceptor thread ({@code summoner-nio-acceptor}, the shared {@link Listener}) handing admitted
 * sockets, round-robin, to one of {@code worker_threads} {@link NioWorker} selector loops
 * ({@code summoner-nio-worker-N}), which own their connections for life.
 */
final class NioRelayEngine implements RelayEngine {
    private static final Logger log = LoggerFactory.getLogger(NioRelayEngine.class);
    private static final long JOIN_SLACK_MILLIS = 5_000;

    private final EngineContext context;
    private final List<Thread> threads = new ArrayList<>();
    private NioWorker[] workers = new NioWorker[0];
    private volatile List<EngineGauge> gauges = List.of();
    private Listener listener;
    private InetSocketAddress boundAddress;
    private boolean started;
    private boolean closed;

    NioRelayEngine(EngineContext context) {
        this.context = context;
    }

    @Override
    public synchronized void start() throws IOException {
        if (started || closed) {
            throw new IllegalStateException("start() may be called once");
        }
        started = true;
        JdkIoWarmUp.run();
        final ServerSocketChannel server = BlockingAcceptor.bind(context);
        final NioWorker[] created = new NioWorker[context.config().hyperParameters().workerThreads()];
        try {
            for (int i = 0; i < created.length; i++) {
                created[i] = new NioWorker(context.core());
            }
        } catch (IOException | RuntimeException e) {
            Listener.closeSelectors(created);
            server.close();
            throw e;
        }
        workers = created;
        context.core().onReload(() -> { // each worker applies a reload to its clients at its next turn: now
            for (NioWorker worker : created) {
                worker.wakeup();
            }
        });
        for (int i = 0; i < workers.length; i++) {
            final NioWorker[] peers = new NioWorker[workers.length - 1];
            for (int j = 0, k = 0; j < workers.length; j++) {
                if (j != i) {
                    peers[k++] = workers[j];
                }
            }
            workers[i].peers(peers);
            final Thread thread = new Thread(workers[i], "summoner-nio-worker-" + i);
            thread.start();
            threads.add(thread);
        }
        final List<EngineGauge> inboxes = new ArrayList<>();
        for (int i = 0; i < workers.length; i++) {
            inboxes.add(new EngineGauge("summoner_nio_inbox_bytes",
                    "Bytes of envelopes other workers handed to a worker that it has not taken yet.",
                    Map.of("worker", Integer.toString(i)), workers[i]::inboxBytes));
        }
        gauges = List.copyOf(inboxes);
        listener = new Listener(server, context, workers, "summoner-nio-acceptor");
        boundAddress = listener.address();
        log.debug("NIO engine started: {} worker threads on {}", workers.length, boundAddress);
    }

    /** One shared copy of the envelope, queued in every worker's inbox, as a worker hands its lines to the others. */
    @Override
    public void relayFromCluster(byte[] envelope, int offset, int length, Route route) {
        final Envelope shared = new Envelope(Arrays.copyOfRange(envelope, offset, offset + length), null, route);
        for (NioWorker worker : workers) {
            worker.offerFromCluster(shared);
        }
    }

    @Override
    public List<EngineGauge> gauges() {
        return gauges;
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
        if (listener != null) {
            listener.close();
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        if (listener != null) {
            listener.close();
        }
        for (NioWorker worker : workers) {
            worker.shutdown();
        }
        final long joinMillis = TimeUnit.NANOSECONDS.toMillis(Dispatcher.LINGER_NANOS) + JOIN_SLACK_MILLIS;
        for (Thread thread : threads) {
            try {
                thread.join(joinMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (thread.isAlive()) {
                log.warn("{} did not stop within {} ms", thread.getName(), joinMillis);
            }
        }
    }
}
