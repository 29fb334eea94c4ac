package org.summoner.relay;

import org.slf4j.Logger;
import org.summoner.relay.cluster.Cluster;
import org.summoner.relay.config.ServerConfig;
import org.summoner.relay.core.RelayCore;
import org.summoner.relay.monitoring.MonitoringServer;
import org.summoner.relay.monitoring.RelayStats;
import org.summoner.relay.spi.RelayEngine;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A server started by {@link SummonerServer#start}: its bound address, its counters, and a graceful
 * {@link #close()}. While it runs, a housekeeping thread removes expired quarantine entries and logs a one-line
 * summary of the counters once a minute while anything changes, and with {@code monitoring} its HTTP listener
 * serves {@code /metrics}, {@code /healthz} and {@code /connz}. Thread-safe.
 */
public final class RunningServer implements AutoCloseable {
    /** How often a drain looks whether every client has left. */
    private static final long DRAIN_POLL_MILLIS = 50;
    private final String engineName;
    private final RelayEngine engine;
    private final RelayCore core;
    private final Housekeeper housekeeper;
    private final MonitoringServer monitoring;
    private final InetSocketAddress address;
    private final Logger log;
    private final CountDownLatch terminated = new CountDownLatch(1);
    private final Cluster cluster;
    private final Object closeLock = new Object();
    private final Reloader reloader;
    private boolean closing;
    private final AtomicBoolean draining = new AtomicBoolean();

    /**
     * @param cluster    this node's side of its cluster, started, or null when it relays alone.
     * @param monitoring the monitoring listener, started, or null when {@code monitoring} is off.
     */
    RunningServer(String engineName, RelayEngine engine, RelayCore core, Cluster cluster, MonitoringServer monitoring,
                  Duration summaryInterval, Logger log, Set<String> engineSections) {
        this.engineName = engineName;
        this.engine = engine;
        this.core = core;
        this.cluster = cluster;
        this.monitoring = monitoring;
        this.address = engine.boundAddress();
        this.log = log;
        this.housekeeper = new Housekeeper(core.policy(), this::stats, summaryInterval, log);
        this.reloader = new Reloader(core, engineSections, log);
    }

    /** @return the address bound, with the real port when port 0 was asked for. */
    public InetSocketAddress address() {
        return address;
    }

    /**
     * @return the address the monitoring listener bound, with the real port when port 0 was asked for.
     * @throws IllegalStateException when {@code monitoring} is off.
     */
    public InetSocketAddress monitoringAddress() {
        if (monitoring == null) {
            throw new IllegalStateException("monitoring is off: set \"monitoring\": {\"port\": ...} in the config");
        }
        return monitoring.address();
    }

    /** @return the name of the engine serving, e.g. {@code nio}. */
    public String engineName() {
        return engineName;
    }

    /** @return the configuration the server runs with: the one it started with, or the last reload applied. */
    public ServerConfig config() {
        return core.config();
    }

    /**
     * Reads the configuration file the server started with again and applies what may change while it runs
     * ({@link org.summoner.relay.config.ConfigReload#LIVE}) without closing any connection but those the new
     * {@code peer_trust} no longer admits (told, then closed). Keys that need a restart are named in one WARN line
     * and left as they were. A file with an error, or no file at all (unlike a start, a reload never falls back to
     * the defaults), is refused with the message a start would print, and the running configuration stays. Counted
     * ({@code summoner_config_reloads_total}) and logged. SIGHUP does this in the runnable server.
     *
     * <p>Returns once the new settings are published; each engine thread applies what concerns its own connections
     * within a second. Blocks while another reload runs; never call it on a relay thread.
     */
    public Reload reload() {
        return reload(reloader::readAgain, null);
    }

    /**
     * As {@link #reload()}, with the configuration from {@code load} (which may throw a {@code ConfigException}: the
     * reload is then refused with its message), and {@code alongside} given the configuration to apply before the
     * relay applies it, for what the caller owns (the runnable server's logging); a {@code ConfigException} from it
     * refuses the reload, nothing applied.
     *
     * @param alongside null for nothing.
     */
    public Reload reload(Supplier<ServerConfig> load, Consumer<ServerConfig> alongside) {
        synchronized (closeLock) {
            if (closing) {
                return Reload.refused("the server is shutting down: nothing was reloaded");
            }
        }
        return reloader.reload(load, alongside);
    }

    /**
     * @return why the relay is unhealthy, or empty while it is healthy: a relay thread died, or met an error the JVM
     *         cannot recover from ({@code /healthz} answers 503 then, and the process should be restarted).
     */
    public Optional<String> unhealthy() {
        return Optional.ofNullable(core.faults().unhealthy());
    }

    /** @return a snapshot of the counters. */
    public RelayStats stats() {
        return RelayStats.of(core);
    }

    /**
     * Shuts down gracefully: {@code /healthz} answers 503 at once, every client gets
     * {@code Warning: Server is shutting down.} and is closed, then the monitoring listener stops. The first call does
     * the work and the others wait for it; returns once the engine has stopped.
     */
    @Override
    public void close() {
        synchronized (closeLock) {
            if (closing) {
                awaitUninterruptibly();
                return;
            }
            closing = true;
        }
        try {
            if (monitoring != null) {
                monitoring.shuttingDown();
            }
            log.info("Server is shutting down...");
            if (cluster != null) {
                cluster.close(); // the other nodes forget this one's clients now
            }
            engine.close();
            core.close(); // its verification threads end
            housekeeper.close();
            housekeeper.logSummaryIfChanged();
            logDrained();
            if (monitoring != null) {
                monitoring.close();
            }
            log.info("Server exited cleanly.");
        } finally {
            terminated.countDown();
        }
    }

    /**
     * Drains for a rolling upgrade (what {@code kill -USR2} does to the {@code summoner-server} program): stops accepting
     * (the listening socket is closed, so the system sends new clients to the next version bound to the port, or
     * refuses them), {@code /healthz} answers {@code 503 draining}, and every client is told
     * {@code Warning: Server is draining; reconnect.} and closed, a few at a time over {@code period} (the core's
     * schedule, {@link org.summoner.relay.core.Drain}); the server then {@link #close() closes} as soon as the last
     * client is gone, or when the period is over. Returns at once; {@link #awaitTermination()} waits for the end.
     * Only the first call counts, and none once {@link #close()} has begun.
     *
     * @param period over which the clients are closed; zero tells them all at once.
     * @return whether this call began the drain.
     */
    public boolean drain(Duration period) {
        final long periodNanos = Math.max(0, period.toNanos());
        synchronized (closeLock) {
            if (closing || !draining.compareAndSet(false, true)) {
                return false;
            }
        }
        engine.stopAccepting();
        final long startNanos = System.nanoTime();
        core.drain().begin(startNanos, periodNanos);
        log.info("Draining: stopped accepting on port {}; telling {} clients to reconnect over {} s", address.getPort(),
                connected(), TimeUnit.NANOSECONDS.toSeconds(periodNanos));
        final Thread waiter = new Thread(() -> closeWhenDrained(startNanos, periodNanos), "summoner-drain");
        waiter.setDaemon(true);
        waiter.start();
        return true;
    }

    /** The drain's end: the last client gone, or its period over; then the server closes. */
    private void closeWhenDrained(long startNanos, long periodNanos) {
        try {
            while (connected() > 0 && System.nanoTime() - startNanos - periodNanos < 0) {
                if (terminated.await(DRAIN_POLL_MILLIS, TimeUnit.MILLISECONDS)) {
                    return; // closed meanwhile
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        final long left = connected();
        log.info("Drain done after {} ms: {}", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos),
                left == 0 ? "every client has left" : "the period is over, " + left + " clients still connected are closed");
        close();
    }

    /** After a drain, what it did and what it cost, once every connection is closed. */
    private void logDrained() {
        if (draining.get()) {
            log.info("Drained: {} clients told to reconnect; {} lines sent after their goodbye were not relayed",
                    core.drain().clientsTold(), core.drain().linesAfterGoodbye());
        }
    }

    /** @return the clients connected now. */
    private long connected() {
        return core.counters().connectionsOpened() - core.counters().connectionsClosed();
    }

    /** @return whether a drain has begun ({@link #drain}). */
    public boolean draining() {
        return draining.get();
    }

    /** @return the other nodes of its cluster this one hears from now; empty when it relays alone. */
    public Set<String> clusterNodes() {
        return cluster == null ? Set.of() : cluster.nodes();
    }

    /** Waits until {@link #close()} has finished. */
    public void awaitTermination() throws InterruptedException {
        terminated.await();
    }

    /** @return whether {@link #close()} finished within the timeout. */
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        return terminated.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    private void awaitUninterruptibly() {
        boolean interrupted = false;
        while (true) {
            try {
                terminated.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
