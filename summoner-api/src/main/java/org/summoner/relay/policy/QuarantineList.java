package org.summoner.relay.policy;

import java.net.InetAddress;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Addresses that may not connect for {@code quarantine_cooldown_secs}, keyed by IP only: a reconnecting client
 * gets a new port, so quarantining {@code ip:port}, as the reference does, stops nobody.
 *
 * <p>Bounded: at most {@code maxEntries} addresses; when full, expired entries are removed first and, if none
 * are, the new address is not added (and {@link #add} says so). Thread-safe.
 */
public final class QuarantineList {
    private final long cooldownNanos;
    private final int maxEntries;
    private final ConcurrentHashMap<InetAddress, Long> until = new ConcurrentHashMap<>();

    /**
     * @param cooldownNanos 0 disables quarantine.
     */
    public QuarantineList(long cooldownNanos, int maxEntries) {
        this.cooldownNanos = cooldownNanos;
        this.maxEntries = maxEntries;
    }

    public boolean enabled() {
        return cooldownNanos > 0;
    }

    /** @return {@code quarantine_cooldown_secs}, in nanoseconds. */
    public long cooldownNanos() {
        return cooldownNanos;
    }

    /**
     * @return true if the address is now quarantined; false when quarantine is disabled or the list is full.
     */
    public boolean add(InetAddress address, long nowNanos) {
        return add(address, nowNanos, cooldownNanos);
    }

    /** As {@link #add(InetAddress, long)}, for {@code durationNanos}; an entry is never shortened. */
    public boolean add(InetAddress address, long nowNanos, long durationNanos) {
        if (durationNanos <= 0) {
            return false;
        }
        if (until.size() >= maxEntries && !until.containsKey(address)) {
            removeExpired(nowNanos);
            if (until.size() >= maxEntries) {
                return false;
            }
        }
        until.merge(address, nowNanos + durationNanos, (old, proposed) -> proposed - old > 0 ? proposed : old);
        return true;
    }

    /** @return how long the address remains quarantined, or 0 if it may connect. */
    public long remainingNanos(InetAddress address, long nowNanos) {
        final Long end = until.get(address);
        if (end == null) {
            return 0;
        }
        final long left = end - nowNanos;
        return Math.max(0, left);
    }

    /** @return how many expired entries were removed. */
    public int removeExpired(long nowNanos) {
        int removed = 0;
        for (Iterator<Map.Entry<InetAddress, Long>> it = until.entrySet().iterator(); it.hasNext(); ) {
            if (it.next().getValue() - nowNanos <= 0) {
                it.remove();
                removed++;
            }
        }
        return removed;
    }

    /** @return the addresses on the list, expired ones not yet removed included. */
    public int size() {
        return until.size();
    }
}
