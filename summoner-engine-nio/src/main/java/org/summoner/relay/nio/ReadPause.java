package org.summoner.relay.nio;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The engine-wide pause in reading from clients that throttle and flow control ask for: in broadcast every
 * sender feeds every recipient, so a backed-up recipient on one worker pauses reading on all of them. Workers
 * read {@link #untilNanos()} once per turn. Thread-safe.
 */
final class ReadPause {
    private final AtomicLong untilNanos = new AtomicLong(System.nanoTime());

    /**
     * Extends the pause to at least {@code nowNanos + pauseNanos}.
     *
     * @return true if this starts a new pause (none was in force), for the counters.
     */
    boolean request(long nowNanos, long pauseNanos) {
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

    long untilNanos() {
        return untilNanos.get();
    }
}
