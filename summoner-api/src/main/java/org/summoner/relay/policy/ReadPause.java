package org.summoner.relay.policy;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The engine-wide pause in reading from clients that throttle and flow control ask for: in broadcast every
 * sender feeds every recipient, so a backed-up recipient on one engine thread pauses reading on all of them.
 * Engine threads read {@link #untilNanos()} once per turn, or are told of a new pause. Thread-safe.
 */
public final class ReadPause {
    private final AtomicLong untilNanos = new AtomicLong(System.nanoTime());
    private final Runnable onStart;

    /** A pause that engine threads poll. */
    public ReadPause() {
        this(() -> { });
    }

    /** @param onStart run by the thread that starts a new pause, e.g. to tell every engine thread at once. */
    public ReadPause(Runnable onStart) {
        this.onStart = onStart;
    }

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
                final boolean started = current - nowNanos <= 0;
                if (started) {
                    onStart.run();
                }
                return started;
            }
        }
    }

    /** @return when the pause in force ends (in the past when none is). */
    public long untilNanos() {
        return untilNanos.get();
    }
}
