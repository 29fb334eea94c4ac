package org.summoner.relay.netty;

import org.summoner.relay.policy.ReadPause;

/**
 * The engine-wide pause in reading that throttle and flow control ask for: in broadcast every sender feeds every
 * recipient, so a backed-up recipient on one event loop pauses reading on all of them. A loop told of a new pause
 * turns off auto-read on its channels and checks the deadline again when it passes, so extensions need no message.
 * Thread-safe.
 */
final class Pauses {
    private final ReadPause pause = new ReadPause();
    private volatile LoopState[] loops = new LoopState[0];

    void loops(LoopState[] all) {
        this.loops = all;
    }

    /**
     * Extends the pause to at least {@code nowNanos + pauseNanos}; a new pause is announced to every loop.
     *
     * @return true if this starts a new pause (none was in force), for the counters.
     */
    boolean request(long nowNanos, long pauseNanos) {
        final boolean started = pause.request(nowNanos, pauseNanos);
        if (started) {
            for (LoopState loop : loops) {
                loop.announcePause();
            }
        }
        return started;
    }

    long untilNanos() {
        return pause.untilNanos();
    }
}
