package org.summoner.relay.policy;

import org.summoner.relay.config.NetworkSet;
import org.summoner.relay.config.PeerTrust;
import org.summoner.relay.wire.ServerNotice;

import java.net.InetAddress;
import java.util.concurrent.TimeUnit;

/**
 * Decides whether a new connection may stay: not from an address {@code peer_trust} does not allow (outside
 * {@code allow_networks}, inside {@code deny_networks}), not while its address is quarantined, not past
 * {@code max_connections} or {@code max_connections_per_ip}. A refused client is told why in one
 * {@code Warning:} line ({@link Rejection#line()}) and closed, before anything is read from it. Every engine's
 * acceptor asks it, first thing. Thread-safe: the acceptor admits, any thread releases.
 */
public final class AdmissionControl {
    /** Why a connection was refused, and the line that tells the client. */
    public record Rejection(ServerNotice reason, long quoted) {
        /** @return the notice with its {@code \n}. */
        public byte[] line() {
            return reason.toBytes(quoted);
        }
    }

    /** What {@link #quarantine} did with a slow consumer's address. */
    public enum Quarantine {
        QUARANTINED,
        /** The address is in {@code peer_trust.trusted_networks}: never quarantined. */
        TRUSTED,
        /** Quarantine is off ({@code quarantine_cooldown_secs} 0) or the list is full. */
        NOT_QUARANTINED
    }

    private final QuarantineList quarantine;
    private final ConnectionLimits limits;
    private final long cooldownNanos;
    private final NetworkSet trusted;
    private final NetworkSet allowed;
    private final NetworkSet denied;

    /** @param trust {@code peer_trust}: the addresses allowed, denied, and never quarantined. */
    public AdmissionControl(QuarantineList quarantine, ConnectionLimits limits, PeerTrust trust) {
        this(quarantine, limits, quarantine.cooldownNanos(), trust);
    }

    private AdmissionControl(QuarantineList quarantine, ConnectionLimits limits, long cooldownNanos, PeerTrust trust) {
        this.quarantine = quarantine;
        this.limits = limits;
        this.cooldownNanos = cooldownNanos;
        this.trusted = trust.trustedNetworks();
        this.allowed = trust.allowNetworks();
        this.denied = trust.denyNetworks();
    }

    /**
     * @return the admission of a reloaded configuration: its {@code peer_trust}, {@code max_connections} and
     *         {@code quarantine_cooldown_secs}, over this one's quarantine list and connection counts, which go on.
     */
    AdmissionControl reloaded(PeerTrust trust, int maxConnections, long newCooldownNanos) {
        return new AdmissionControl(quarantine, limits.withMaxConnections(maxConnections), newCooldownNanos, trust);
    }

    /** @return whether {@code address} is in {@code peer_trust.trusted_networks}: never quarantined. */
    public boolean trusts(InetAddress address) {
        return trusted.contains(address);
    }

    /** @return whether {@code peer_trust} lets {@code address} connect at all: allowed, and not denied. */
    public boolean allows(InetAddress address) {
        return (allowed == null || allowed.contains(address)) && !denied.contains(address);
    }

    /**
     * @return null if the connection is admitted (and counted: {@link #release} it when it closes), else why not.
     */
    public Rejection admit(InetAddress address, long nowNanos) {
        if (!allows(address)) {
            return new Rejection(ServerNotice.NOT_ALLOWED, 0);
        }
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
     * A slow consumer was closed: its address may not connect for {@code quarantine_cooldown_secs}, unless it is
     * trusted (SPEC section 4, quarantine scope: a ban of 127.0.0.1 would lock every local agent out).
     */
    public Quarantine quarantine(InetAddress address, long nowNanos) {
        return quarantine(address, nowNanos, cooldownNanos);
    }

    /** As {@link #quarantine(InetAddress, long)}, for {@code durationNanos} (e.g. {@code invalid_attempts.quarantine_secs}). */
    public Quarantine quarantine(InetAddress address, long nowNanos, long durationNanos) {
        if (trusts(address)) {
            return Quarantine.TRUSTED;
        }
        return quarantine.add(address, nowNanos, durationNanos) ? Quarantine.QUARANTINED : Quarantine.NOT_QUARANTINED;
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
