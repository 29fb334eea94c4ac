package org.summoner.relay.core;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;

/**
 * The deadlines a {@link Dispatcher} keeps for its sessions besides the handshakes': goodbyes (a session told goodbye,
 * or refused before it began, is closed at its deadline unless its client closed first) and read pauses (a client
 * paused after invalid attempts is read again at its pause's end). Run by the dispatcher's timed duties, for every
 * engine: an engine keeps no deadline of its own.
 *
 * <p>Owned by its dispatcher's thread; not thread-safe.
 */
final class SessionTimers {
    private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);

    /** Sessions told goodbye, closed at their deadline if their client has not closed. */
    private final Deadlines goodbyes = new Deadlines();
    /** Sessions whose reads alone are paused, until their own deadline; rare (clients after invalid attempts). */
    private final ArrayList<Session> paused = new ArrayList<>();

    /** @return whether {@code session}'s goodbye deadline is now the earliest. */
    boolean closeBy(Session session, long deadlineNanos) {
        return goodbyes.add(session, deadlineNanos);
    }

    void paused(Session session) {
        paused.add(session);
    }

    /** @return the earliest deadline, {@code nowNanos} for a pause to drop (its session closed), or {@code Long.MAX_VALUE}. */
    long next(long nowNanos) {
        long next = goodbyes.next();
        for (int i = 0, n = paused.size(); i < n; i++) {
            final long until = paused.get(i).reads().pausedUntilNanos();
            final long due = until == 0 ? nowNanos : until;
            if (next == Long.MAX_VALUE || due - next < 0) {
                next = due;
            }
        }
        return next;
    }

    /** Closes the goodbyes out of time, and ends the pauses that ended (or whose session closed). */
    void run(long nowNanos) {
        Session session;
        while ((session = goodbyes.pollExpired(nowNanos)) != null) {
            if (session.state() != Session.State.CLOSED) {
                log.debug("{} did not close within its goodbye's deadline; closing", session.remoteAddr());
                try {
                    session.close();
                } catch (Throwable error) {
                    session.fault(Faults.Where.TIMER, error);
                }
            }
        }
        for (int i = paused.size() - 1; i >= 0; i--) {
            final Session pausedSession = paused.get(i);
            final long until = pausedSession.reads().pausedUntilNanos();
            if (until == 0 || pausedSession.state() == Session.State.CLOSED || nowNanos - until >= 0) {
                final Session last = paused.remove(paused.size() - 1);
                if (i < paused.size()) {
                    paused.set(i, last);
                }
                try {
                    pausedSession.reads().pauseEnded();
                } catch (Throwable error) {
                    pausedSession.fault(Faults.Where.TIMER, error);
                }
            }
        }
    }
}
