package org.summoner.relay;

import org.slf4j.Logger;
import org.summoner.relay.monitoring.RelayStats;
import org.summoner.relay.policy.FairUsePolicy;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The server's one background chore thread ({@code summoner-housekeeping}, a daemon): removes expired quarantine
 * entries every {@code quarantine_cleanup_interval_secs}, and logs the one-line {@link RelayStats#summary()} at
 * INFO every {@code summaryInterval} while anything changed. Engine-neutral: engines do neither.
 */
final class Housekeeper implements AutoCloseable {
    private final ScheduledExecutorService scheduler;
    private final Supplier<RelayStats> stats;
    private final Logger log;
    private RelayStats lastLogged;

    Housekeeper(FairUsePolicy policy, Supplier<RelayStats> stats, Duration summaryInterval, Logger log) {
        this.stats = stats;
        this.log = log;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(task -> {
            final Thread thread = new Thread(task, "summoner-housekeeping");
            thread.setDaemon(true);
            return thread;
        });
        final long cleanup = policy.quarantineCleanupIntervalNanos();
        scheduler.scheduleAtFixedRate(() -> policy.admission().removeExpired(System.nanoTime()), cleanup, cleanup, TimeUnit.NANOSECONDS);
        final long summary = summaryInterval.toNanos();
        scheduler.scheduleAtFixedRate(this::logSummaryIfChanged, summary, summary, TimeUnit.NANOSECONDS);
    }

    /** Logs the summary unless nothing changed since the last one. */
    synchronized void logSummaryIfChanged() {
        final RelayStats now = stats.get();
        if (!now.equals(lastLogged)) {
            log.info(now.summary());
            lastLogged = now;
        }
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
