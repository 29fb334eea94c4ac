package org.summoner.relay.core;

import org.summoner.relay.wire.ServerNotice;

/**
 * One dispatcher's share of the core's {@link Drain}: which of its open clients is told
 * {@code Warning: Server is draining; reconnect.} and closed when. Its first client is told at the drain's start (a
 * dispatcher whose first turn comes late tells at once all whose time has come), each next one after what is left of
 * the period divided by the clients still open; at the period's end those still open are told at once, and a client
 * that arrives once all were told is told within {@link #LOOK_AGAIN_NANOS}.
 *
 * <p>Owned by the dispatcher's thread; not thread-safe.
 */
final class DrainSchedule {
    /** How often a thread whose clients were all told looks again, for one accepted just as the listener closed. */
    static final long LOOK_AGAIN_NANOS = 100_000_000L;
    /** Whether this thread has seen the drain begin. */
    private boolean seen;
    /** When the next client is told (or, all told, when to look again), on the turn's clock; {@code Long.MAX_VALUE} before. */
    private long nextNanos = Long.MAX_VALUE;

    /** @return when {@link #run} next has a client to tell, or looks again; {@code Long.MAX_VALUE} before the drain. */
    long nextNanos() {
        return nextNanos;
    }

    /** Part of the dispatcher's timed duties: tells the open clients whose time has come. */
    void run(Dispatcher dispatcher) {
        final Drain drain = dispatcher.core().drain();
        if (!seen) {
            if (!drain.begun()) {
                return; // a volatile read per turn until a drain begins
            }
            seen = true;
            nextNanos = drain.startNanos();
        }
        final long now = dispatcher.now();
        if (now - nextNanos < 0) {
            return;
        }
        int open = 0;
        for (int i = 0; i < dispatcher.sessionCount(); i++) {
            if (dispatcher.session(i).isOpen()) {
                open++;
            }
        }
        final long endNanos = drain.endNanos();
        for (int i = dispatcher.sessionCount() - 1; i >= 0 && open > 0 && now - nextNanos >= 0; i--) {
            final Session session = dispatcher.session(i);
            if (!session.isOpen()) {
                continue;
            }
            final long left = endNanos - nextNanos;
            nextNanos += left > 0 ? left / open : 0;
            open--;
            try {
                session.sayGoodbye(ServerNotice.DRAINING, now + Dispatcher.LINGER_NANOS);
                if (session.state() != Session.State.CLOSED) {
                    drain.told(); // not one whose TLS handshake was under way: closed at once, it could not read the line
                }
            } catch (Throwable error) {
                session.fault(Faults.Where.TIMER, error);
            }
        }
        if (open == 0) {
            nextNanos = now + LOOK_AGAIN_NANOS; // all told: a client may still arrive (accepted as the listener closed)
        }
    }
}
