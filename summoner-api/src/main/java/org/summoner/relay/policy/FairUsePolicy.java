package org.summoner.relay.policy;

import org.summoner.relay.config.HyperParameters;
import org.summoner.relay.config.ServerConfig;

import java.util.concurrent.TimeUnit;

/**
 * Every fair-use rule of {@code hyper_parameters} for one server, built once from its configuration and shared by
 * the engine's threads: per-connection {@link RateLimiter}s, the idle timeout, the {@link BackpressureGate}, and
 * the {@link AdmissionControl} that holds the quarantine list and the connection limits.
 *
 * <p>Immutable rules over shared state: a reload makes a new policy ({@link #reloaded}) that keeps the quarantine list
 * and the connection counts. Thread-safe: the per-server parts are; the per-connection parts are created here and
 * owned by one thread.
 */
public final class FairUsePolicy {
    /** Enough for any honest deployment; a bound so that no sequence of clients can grow the list forever. */
    static final int MAX_QUARANTINED_ADDRESSES = 65_536;

    private final int rateLimitPerMinute;
    private final long idleTimeoutNanos;
    private final long idleCheckIntervalNanos;
    private final long quarantineCleanupIntervalNanos;
    private final long acceptErrorBackoffMillis;
    private final BackpressureGate backpressure;
    private final AdmissionControl admission;

    private FairUsePolicy(HyperParameters p) {
        this(p, new AdmissionControl(
                new QuarantineList(TimeUnit.SECONDS.toNanos(p.quarantineCooldownSecs()), MAX_QUARANTINED_ADDRESSES),
                new ConnectionLimits(p.maxConnections(), p.maxConnectionsPerIp()),
                p.peerTrust()));
    }

    private FairUsePolicy(HyperParameters p, AdmissionControl admission) {
        this.rateLimitPerMinute = p.rateLimitMsgsPerMinute();
        this.idleTimeoutNanos = p.clientTimeoutSecs().isPresent() ? TimeUnit.SECONDS.toNanos(p.clientTimeoutSecs().getAsLong()) : 0;
        this.idleCheckIntervalNanos = TimeUnit.SECONDS.toNanos(p.timeoutCheckIntervalSecs());
        this.quarantineCleanupIntervalNanos = TimeUnit.SECONDS.toNanos(p.quarantineCleanupIntervalSecs());
        this.acceptErrorBackoffMillis = p.acceptErrorBackoffMs();
        this.backpressure = new BackpressureGate(p.backpressurePolicy(), p.throttleDelayMs(), p.flowControlDelayMs());
        this.admission = admission;
    }

    public static FairUsePolicy of(ServerConfig config) {
        return new FairUsePolicy(config.hyperParameters());
    }

    /**
     * @return the policy of a reloaded configuration: its rules, over this policy's state (the quarantine list, the
     *         connections counted), which goes on; the engine's threads see it once the core publishes it.
     */
    public FairUsePolicy reloaded(ServerConfig config) {
        final HyperParameters p = config.hyperParameters();
        return new FairUsePolicy(p, admission.reloaded(p.peerTrust(), p.maxConnections(),
                TimeUnit.SECONDS.toNanos(p.quarantineCooldownSecs())));
    }

    /** @return {@code rate_limit_msgs_per_minute}. */
    public int rateLimitPerMinute() {
        return rateLimitPerMinute;
    }

    /** @return a full bucket for a new connection. */
    public RateLimiter newRateLimiter(long nowNanos) {
        return new RateLimiter(rateLimitPerMinute, nowNanos);
    }

    /** @return whether a client last heard from at {@code lastReadNanos} is idle past {@code client_timeout_secs}. */
    public boolean isIdle(long lastReadNanos, long nowNanos) {
        return idleTimeoutNanos > 0 && nowNanos - lastReadNanos >= idleTimeoutNanos;
    }

    /** @return whether {@code client_timeout_secs} is set (not null). */
    public boolean idleTimeoutEnabled() {
        return idleTimeoutNanos > 0;
    }

    /** @return {@code timeout_check_interval_secs}. */
    public long idleCheckIntervalNanos() {
        return idleCheckIntervalNanos;
    }

    /** @return {@code quarantine_cleanup_interval_secs}. */
    public long quarantineCleanupIntervalNanos() {
        return quarantineCleanupIntervalNanos;
    }

    /** @return {@code accept_error_backoff_ms}: the pause after a failed accept, e.g. when out of file descriptors. */
    public long acceptErrorBackoffMillis() {
        return acceptErrorBackoffMillis;
    }

    public BackpressureGate backpressure() {
        return backpressure;
    }

    public AdmissionControl admission() {
        return admission;
    }
}
