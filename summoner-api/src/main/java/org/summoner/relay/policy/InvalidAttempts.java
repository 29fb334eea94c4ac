package org.summoner.relay.policy;

import org.summoner.relay.config.DedicatedRelay;

import java.net.InetAddress;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * {@code dedicated_relay.invalid_attempts} (SPEC section 7): lines a routing mode rejected, counted over a sliding
 * window, and what the count calls for, at thresholds in this order: delay reading from that client
 * ({@code throttle_delay_ms}), pause it ({@code flow_control_delay_ms}), close it, close it and quarantine its IP for
 * {@code quarantine_secs}.
 *
 * <p>Where the count is kept depends on who sends. Outside {@code peer_trust.trusted_networks} it is per IP
 * ({@link #record(InetAddress, long)}): an address that reconnects keeps its count, and reaching the quarantine
 * threshold quarantines it. Inside, it is per connection ({@link #record(Tally, long)}, a {@link Tally} the connection
 * owns): agents on one machine share 127.0.0.1, and one hostile local agent must not get honest ones closed; a
 * trusted address is never quarantined, so a connection's count stops at closing it.
 *
 * <p>Bounded: a tally keeps at most as many times as the highest threshold needs, and at most {@code max_entries}
 * IPs are kept (expired first, then the one heard from longest ago). Thread-safe; a {@link Tally} belongs to its
 * connection's thread.
 */
public final class InvalidAttempts {
    /** What one more rejected line calls for. */
    public enum Action {
        NONE, THROTTLE, FLOW_CONTROL, DISCONNECT, QUARANTINE
    }

    /** The rejections of one IP or one connection within the window: a ring of their times. */
    public static final class Tally {
        final long[] times;
        int count;
        int next;
        long last;

        Tally(int capacity) {
            times = new long[capacity];
        }

        /** @return the rejections within the window, this one included. */
        int add(long nowNanos, long windowNanos) {
            times[next] = nowNanos;
            next = (next + 1) % times.length;
            count = Math.min(count + 1, times.length);
            last = nowNanos;
            int within = 0;
            for (int i = 0; i < count; i++) {
                if (nowNanos - times[i] < windowNanos) {
                    within++;
                }
            }
            return within;
        }
    }

    private final boolean enabled;
    private final long windowNanos;
    private final int throttleThreshold;
    private final int flowControlThreshold;
    private final int disconnectThreshold;
    private final int quarantineThreshold;
    private final int maxEntries;
    private final int keep;
    private final ConcurrentHashMap<InetAddress, Tally> byAddress = new ConcurrentHashMap<>();

    public InvalidAttempts(DedicatedRelay.InvalidAttempts settings) {
        this.enabled = settings.enabled();
        this.windowNanos = TimeUnit.SECONDS.toNanos(settings.windowSecs());
        this.throttleThreshold = settings.throttleThreshold();
        this.flowControlThreshold = settings.flowControlThreshold();
        this.disconnectThreshold = settings.disconnectThreshold();
        this.quarantineThreshold = settings.quarantineThreshold();
        this.maxEntries = settings.maxEntries();
        this.keep = Math.max(Math.max(throttleThreshold, flowControlThreshold), Math.max(disconnectThreshold, quarantineThreshold));
    }

    /** Records one rejected line from {@code address}. @return what the count now calls for. */
    public Action record(InetAddress address, long nowNanos) {
        if (!enabled) {
            return Action.NONE;
        }
        if (!byAddress.containsKey(address) && byAddress.size() >= maxEntries) {
            makeRoom(nowNanos);
        }
        final int[] within = new int[1];
        byAddress.compute(address, (key, tally) -> {
            final Tally t = tally != null ? tally : new Tally(keep);
            within[0] = t.add(nowNanos, windowNanos);
            return t;
        });
        final int count = within[0];
        return count >= quarantineThreshold ? Action.QUARANTINE : action(count);
    }

    /** @return a connection's own tally, for a trusted address ({@link #record(Tally, long)}). */
    public Tally newTally() {
        return new Tally(Math.max(Math.max(throttleThreshold, flowControlThreshold), disconnectThreshold));
    }

    /**
     * Records one rejected line of a connection from a trusted address, on its own tally. @return what its count now
     * calls for: never a quarantine, since a trusted address is never quarantined.
     */
    public Action record(Tally tally, long nowNanos) {
        return enabled ? action(tally.add(nowNanos, windowNanos)) : Action.NONE;
    }

    private Action action(int count) {
        if (count >= disconnectThreshold) {
            return Action.DISCONNECT;
        }
        if (count >= flowControlThreshold) {
            return Action.FLOW_CONTROL;
        }
        if (count >= throttleThreshold) {
            return Action.THROTTLE;
        }
        return Action.NONE;
    }

    /** @return the IPs remembered now. */
    public int size() {
        return byAddress.size();
    }

    /** Full: drops every IP last heard from before the window, and if none was, the one heard from longest ago. */
    private void makeRoom(long nowNanos) {
        InetAddress oldest = null;
        long oldestTime = Long.MAX_VALUE;
        for (Iterator<Map.Entry<InetAddress, Tally>> it = byAddress.entrySet().iterator(); it.hasNext(); ) {
            final Map.Entry<InetAddress, Tally> entry = it.next();
            final long last = entry.getValue().last;
            if (nowNanos - last >= windowNanos) {
                it.remove();
            } else if (oldest == null || last - oldestTime < 0) {
                oldest = entry.getKey();
                oldestTime = last;
            }
        }
        if (byAddress.size() >= maxEntries && oldest != null) {
            byAddress.remove(oldest);
        }
    }
}
