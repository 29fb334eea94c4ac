package org.summoner.relay.core;

import org.summoner.relay.identity.DeferredChecks;

import java.util.ArrayList;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * One engine thread's input that waits for a later turn: the sessions holding bytes beyond their verification budget
 * ({@link SessionInput}), in the order they began to, and the lines back from the verification pool
 * ({@link PendingLine}); with the suspects' shared share of checks per turn and the spare {@link DeferredChecks} the
 * thread's lines gather their checks in. Part of its {@link Dispatcher}, which drives it once per turn.
 *
 * <p>Owned by the dispatcher's thread, except {@link #verdictReady}, called by the pool's threads.
 */
final class HeldInput {
    /**
     * Signature checks that clients with recent invalid attempts ({@code SessionInput.suspect}) may cause per turn on
     * one thread, all of them together; everyone else has {@link SessionInput#CHECKS_PER_TURN} of its own.
     */
    static final int SUSPECT_CHECKS_PER_TURN = 2;

    /** Sessions' inputs holding bytes for a later turn, in the order they began to. */
    private final ArrayList<SessionInput> holding = new ArrayList<>();
    /** Sessions that handled part of what they held this turn, queued behind those that waited. */
    private final ArrayList<SessionInput> served = new ArrayList<>();
    /** Lines whose signature checks a pool thread computed, back for their sessions. */
    private final ConcurrentLinkedQueue<PendingLine> verdicts = new ConcurrentLinkedQueue<>();
    /** What this thread's next line that defers its checks gathers them in. */
    private DeferredChecks spareChecks = new DeferredChecks();
    private long suspectTurn = -1;
    private long suspectChecks;

    /** {@code input} began to hold bytes; they are taken up at the next turns. */
    void add(SessionInput input) {
        holding.add(input);
    }

    /** @return whether input waits for a later turn, or lines are back from the pool. */
    boolean any() {
        return !holding.isEmpty() || !verdicts.isEmpty();
    }

    /** From a pool thread: {@code line}'s checks are computed. */
    void verdictReady(PendingLine line) {
        verdicts.offer(line);
    }

    /**
     * @return an empty {@link DeferredChecks} for a line to gather its checks in: the last one again while no line
     *         gathered any (most lines), else a new one (the last went with its line to the pool, or was left by a line
     *         whose routing failed).
     */
    DeferredChecks spareChecks() {
        if (spareChecks.count() > 0) {
            spareChecks = new DeferredChecks();
        }
        return spareChecks;
    }

    /**
     * Takes up the input sessions held, each within this turn's verification budget, in the order they began to hold
     * (lines back from the pool first go to their sessions); those done let their engine read them again.
     */
    void resume() {
        if (!verdicts.isEmpty()) {
            takeVerdicts();
        }
        if (holding.isEmpty()) {
            return; // every turn of every loop asks: nothing to do unless signed lines are being held
        }
        final int taken = holding.size();
        int waiting = 0;
        for (int i = 0; i < taken; i++) {
            final SessionInput input = holding.get(i);
            final int resumed = input.resumeHeld();
            if (resumed == SessionInput.RESUMED_ALL || resumed == SessionInput.AWAITING) {
                input.listedHolding = false; // done, or back on the list when its line returns from the pool
            } else if (resumed == SessionInput.RESUMED_NONE) {
                holding.set(waiting++, input); // first in line next turn: the share goes round
            } else if (resumed == SessionInput.RESUMED_SOME) {
                served.add(input);
            }
        }
        for (int i = 0, n = served.size(); i < n; i++) {
            holding.set(waiting++, served.get(i));
        }
        served.clear();
        for (int i = taken, n = holding.size(); i < n; i++) {
            holding.set(waiting++, holding.get(i)); // began to hold meanwhile
        }
        for (int i = holding.size() - 1; i >= waiting; i--) {
            holding.remove(i);
        }
    }

    /** Each line back from the pool goes to its session, which routes it when it is taken up. */
    private void takeVerdicts() {
        PendingLine line;
        while ((line = verdicts.poll()) != null) {
            final SessionInput input = line.session.input();
            if (input.verdictIn(line) && !input.listedHolding) {
                input.listedHolding = true;
                holding.add(input);
            }
        }
    }

    /** @return whether turn {@code turn}'s checks for clients with recent invalid attempts are not all spent. */
    boolean suspectChecksLeft(long turn) {
        return suspectTurn != turn || suspectChecks < SUSPECT_CHECKS_PER_TURN;
    }

    /** {@code checks} signature checks were computed in turn {@code turn} for a client with recent invalid attempts. */
    void spentSuspectChecks(long turn, long checks) {
        if (suspectTurn != turn) {
            suspectTurn = turn;
            suspectChecks = 0;
        }
        suspectChecks += checks;
    }
}
