package org.summoner.relay.core;

/**
 * Whether the engine reads one session's client: the core's decision, told through {@link SessionOutput#reading}
 * when it changes. An open session is not read during its own pause (after invalid attempts; its dispatcher's timed
 * duties end it) nor while its input holds bytes for a later turn; a session leaving is read, to see its client close;
 * a closed one is told nothing.
 *
 * <p>Part of its {@link Session}, on its thread; not thread-safe.
 */
final class SessionReads {
    private final Session session;
    /** Its pause ends then; 0 while it is not paused (or closed). */
    private long pausedUntilNanos;
    /** Its input holds bytes for a later turn ({@link SessionInput}). */
    private boolean inputHeld;
    /** What the engine was last told; engines read a new connection. */
    private boolean reading = true;

    SessionReads(Session session) {
        this.session = session;
    }

    /**
     * Reads nothing from this client until {@code untilNanos}; a later call extends the pause, never shortens it. Its
     * dispatcher ends it ({@link #pauseEnded}).
     */
    void pause(long untilNanos) {
        if (pausedUntilNanos == 0 || untilNanos - pausedUntilNanos > 0) {
            final boolean listed = pausedUntilNanos != 0;
            pausedUntilNanos = untilNanos == 0 ? 1 : untilNanos;
            if (!listed) {
                session.dispatcher().paused(session);
            } else {
                session.dispatcher().pauseExtended(pausedUntilNanos);
            }
            update();
        }
    }

    /** @return when its pause ends, 0 when it is not paused (or closed). */
    long pausedUntilNanos() {
        return pausedUntilNanos;
    }

    /** Its dispatcher's timed duties: the pause ended (or the session closed). */
    void pauseEnded() {
        pausedUntilNanos = 0;
        update();
    }

    /** Its input holds bytes for a later turn ({@code true}), or handled them all. */
    void hold(boolean hold) {
        inputHeld = hold;
        update();
    }

    /** The session closed: its dispatcher drops it from the paused at its next timed duties. */
    void closed() {
        pausedUntilNanos = 0;
    }

    /** Tells the engine whether to read this client, when that changed. */
    void update() {
        final Session.State state = session.state();
        if (state == Session.State.CLOSED) {
            return;
        }
        final boolean read = state != Session.State.OPEN || (pausedUntilNanos == 0 && !inputHeld);
        if (read != reading) {
            reading = read;
            session.output().reading(read);
        }
    }
}
