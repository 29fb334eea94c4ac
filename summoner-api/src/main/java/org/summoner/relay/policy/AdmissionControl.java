package org.summoner.relay.policy;

import org.summoner.relay.wire.ServerNotice;

import java.net.InetAddress;
import java.util.concurrent.TimeUnit;

/**
 * Decides whether a new connection may stay: not while its address is quarantined, not past
 * {@code max_connections} or {@code max_connections_per_ip}. A refused client is told why in one
 * {@code Warning:} line ({@link Rejection#line()}) and closed. Thread-safe: the acceptor admits, any thread
 * releases.
 */
public final class AdmissionControl {
    /** Why a connection was refused, and the line that tells the client. */
    public record Rejection(ServerNotice reason, long quoted) {
        /** @return the notice with its {@code \n}. */
        public byte[] line() {
            return reason.toBytes(quoted);
        }
    }

    private final QuarantineList quarantine;
    private final ConnectionLimits limits;

    public AdmissionControl(QuarantineList quarantine, ConnectionLimits limits) {
        this.quarantine = quarantine;
        this.limits = limits;
    }

    /**
     * @return null if the connection is admitted (and counted: {@link #release} it when it closes), else why not.
     */
    public Rejection admit(InetAddress address, long nowNanos) {
        final long quarantined = quarantine.remainingNanos(address, nowNanos);
        if (quarantined > 0) {
            return new Rejection(ServerNotice.QUARANTINED, (quarantined + TimeUnit.SECONDS.toNanos(1) - 1) / TimeUnit.SECONDS.toNanos(1));
        }
        return switch (limits.tryAcquire(address)) {
            case ADMITTED -> null;
            case SERVER_FULL -> new Rejection(ServerNotice.SERVER_FULL, limits.maxConnections());
            case TOO_MANY_FROM_ADDRESS -> new Rejection(ServerNotice.TOO_MANY_CONNECTIONS, limits.maxPerAddress());
        };
    }

    /** An admitted connection closed. */
    public void release(InetAddress address) {
        limits.release(address);
    }

    /**
     * A slow consumer was closed: its address may not connect for {@code quarantine_cooldown_secs}.
     *
     * @return whether the address is now quarantined (false when quarantine is off or the list is full).
     */
    public boolean quarantine(InetAddress address, long nowNanos) {
        return quarantine.add(address, nowNanos);
    }

    /** Removes expired quarantine entries; run every {@code quarantine_cleanup_interval_secs}. */
    public int removeExpired(long nowNanos) {
        return quarantine.removeExpired(nowNanos);
    }

    /** @return the addresses quarantined now (expired entries not yet removed included). */
    public int quarantinedAddresses() {
        return quarantine.size();
    }

    /** @return connections admitted and not yet released. */
    public int connections() {
        return limits.connections();
    }
}
