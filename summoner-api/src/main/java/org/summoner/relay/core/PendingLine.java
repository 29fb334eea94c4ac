package org.summoner.relay.core;

import org.summoner.relay.identity.DeferredChecks;

/**
 * A signed line waiting for the signature checks its verification deferred ({@link DeferredChecks}): a copy of the
 * line, taken from the server's input budget, and its connection, whose input waits behind it
 * ({@link SessionInput}). A pool thread computes the checks ({@link #verify()}) and hands it back to the connection's
 * thread ({@link #handBack()}), which routes the line again with the checks' answers.
 *
 * <p>Handed between threads through the pool's queue and the dispatcher's inbox, which publish it safely.
 */
final class PendingLine {
    final Session session;
    final byte[] line;
    final DeferredChecks checks;

    PendingLine(Session session, byte[] line, DeferredChecks checks) {
        this.session = session;
        this.line = line;
        this.checks = checks;
    }

    /** On a pool thread: computes the deferred checks. */
    void verify() {
        checks.compute();
    }

    /** On a pool thread: back to the connection's thread, which takes it up at its next turn. */
    void handBack() {
        session.dispatcher().verdictReady(this);
    }
}
