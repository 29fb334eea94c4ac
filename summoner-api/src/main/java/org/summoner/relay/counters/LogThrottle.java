package org.summoner.relay.counters;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Logs a recurring event at most once per interval, and counts the occurrences it kept quiet: what every warning that
 * a client, another node or the machine can repeat at will goes through (faults, TLS failures, failed accepts,
 * unreadable frames), so nothing outside can flood the log. The event itself is always counted elsewhere; this only
 * decides which occurrences are written.
 *
 * <pre>{@code
 * final long quiet = throttle.tryLog(System.nanoTime());
 * if (quiet >= 0) {
 *     log.warn("...{}", LogThrottle.since(quiet));
 * }
 * }</pre>
 *
 * <p>Thread-safe and allocation-free.
 */
public final class LogThrottle {
    /** The interval of every warning of the relay that outsiders can repeat: 10 s. */
    public static final long DEFAULT_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final long intervalNanos;
    private final AtomicLong lastNanos;
    private final AtomicLong quiet = new AtomicLong();

    public LogThrottle() {
        this(DEFAULT_INTERVAL_NANOS);
    }

    public LogThrottle(long intervalNanos) {
        this.intervalNanos = intervalNanos;
        this.lastNanos = new AtomicLong(System.nanoTime() - intervalNanos);
    }

    /**
     * One occurrence, at {@code nowNanos}.
     *
     * @return -1 when it must not be logged (it is counted as kept quiet); otherwise how many occurrences were kept
     *         quiet since the last one logged, and this one is to be logged now.
     */
    public long tryLog(long nowNanos) {
        final long last = lastNanos.get();
        if (nowNanos - last < intervalNanos || !lastNanos.compareAndSet(last, nowNanos)) {
            quiet.incrementAndGet();
            return -1;
        }
        return quiet.getAndSet(0);
    }

    /** @return {@code ""} for 0, else {@code " (and N more since the last such line; logged at most every 10 s)"}. */
    public String since(long quietCount) {
        return quietCount <= 0 ? "" : " (and " + quietCount + " more since the last such line; logged at most every "
                + TimeUnit.NANOSECONDS.toSeconds(intervalNanos) + " s)";
    }
}
