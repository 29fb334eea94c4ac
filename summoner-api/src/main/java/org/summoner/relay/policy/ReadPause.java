package org.summoner.relay.policy;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The engine-wide pause in reading from clients that throttle and flow control ask for, while more than half of
 * the room is behind (the isolation rule): the senders are faster than the room, so reading pauses on every engine
 * thread. Engine threads read {@link #untilNanos()} once per turn, or are told of a new pause ({@link #onStart}).
 * Thread-safe.
 */
public final class ReadPause {
    private static final Runnable NOBODY = () -> { };

    private final AtomicLong untilNanos = new AtomicLong(System.nanoTime());
    private volatile Runnable onStart = NOBODY;

    /**
     * @param listener run by the thread that starts a new pause, e.g. to tell every engine thread at once; an
     *                 engine sets it once, before it serves.
     */
    public void onStart(Runnable listener) {
        this.onStart = listener;
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
