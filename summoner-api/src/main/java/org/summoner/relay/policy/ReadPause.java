package org.summoner.relay.policy;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The engine-wide pause in reading from clients that throttle and flow control ask for: in broadcast every
 * sender feeds every recipient, so a backed-up recipient on one engine thread pauses reading on all of them.
 * Engine threads read {@link #untilNanos()} once per turn, or are told of a new pause. Thread-safe.
 */
public final class ReadPause {
    private final AtomicLong untilNanos = new AtomicLong(System.nanoTime());

    /**
     * Extends the pause to at least {@code nowNanos + pauseNanos}.
     *
     * @return true if this starts a new pause (none was in force), for the counters.
     */
    public boolean request(long nowNanos, long pauseNanos) {
        final long end = nowNanos + pauseNanos;
        while (true) {
            final long current = untilNanos.get();
            if (end - current <= 0) {
                return false;
            }
            if (untilNanos.compareAndSet(current, end)) {
                return current - nowNanos <= 0;
            }
        }
    }

    /** @return when the pause in force ends (in the past when none is). */
    public long untilNanos() {
        return untilNanos.get();
    }
}
