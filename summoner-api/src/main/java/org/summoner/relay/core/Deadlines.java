package org.summoner.relay.core;

/**
 * Sessions that must do something by a deadline (finish the TLS handshake; bind an identity; close after a goodbye),
 * earliest first. One queue holds one kind of wait, with one timeout, so deadlines come in the order sessions are
 * added and the head is always the next to expire: adding, removing and expiring are O(1). A deadline earlier than
 * the last one added (a goodbye's deadline given by its caller) is placed by walking back from the tail. Intrusive:
 * the links are fields of {@link Session}, which waits in at most one queue at a time (its TLS handshake, then its
 * identity handshake, then its goodbye).
 *
 * <p>Owned by one dispatcher's thread; not thread-safe.
 */
final class Deadlines {
    private Session head;
    private Session tail;

    /**
     * {@code session} must be done by {@code deadlineNanos}; it leaves the queue it waited in before.
     *
     * @return whether it is now the head.
     */
    boolean add(Session session, long deadlineNanos) {
        if (session.waitingIn != null) {
            session.waitingIn.remove(session);
        }
        session.waitingIn = this;
        session.deadlineNanos = deadlineNanos;
        Session before = tail;
        while (before != null && deadlineNanos - before.deadlineNanos < 0) {
            before = before.deadlinePrevious; // rare: only a goodbye may be given an earlier deadline than the last
        }
        final Session after = before == null ? head : before.deadlineNext;
        session.deadlinePrevious = before;
        session.deadlineNext = after;
        if (before == null) {
            head = session;
        } else {
            before.deadlineNext = session;
        }
        if (after == null) {
            tail = session;
        } else {
            after.deadlinePrevious = session;
        }
        return head == session;
    }

    /** {@code session} is done waiting here (it did what it had to, timed out, or closed); nothing when it was not here. */
    void remove(Session session) {
        if (session.waitingIn != this) {
            return;
        }
        session.waitingIn = null;
        final Session previous = session.deadlinePrevious;
        final Session next = session.deadlineNext;
        if (previous == null) {
            head = next;
        } else {
            previous.deadlineNext = next;
        }
        if (next == null) {
            tail = previous;
        } else {
            next.deadlinePrevious = previous;
        }
        session.deadlinePrevious = null;
        session.deadlineNext = null;
    }

    /** @return the session whose deadline has come by {@code nowNanos}, removed from the queue; null when none has. */
    Session pollExpired(long nowNanos) {
        final Session first = head;
        if (first == null || nowNanos - first.deadlineNanos < 0) {
            return null;
        }
        remove(first);
        return first;
    }

    /** @return the earliest deadline, or {@code Long.MAX_VALUE} when nothing waits. */
    long next() {
        return head == null ? Long.MAX_VALUE : head.deadlineNanos;
    }
}
