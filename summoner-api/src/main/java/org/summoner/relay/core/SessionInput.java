package org.summoner.relay.core;

import org.summoner.relay.identity.DeferredChecks;
import org.summoner.relay.identity.IdentityMemo;
import org.summoner.relay.wire.InputBudget;
import org.summoner.relay.wire.LineFramer;
import org.summoner.relay.wire.ServerNotice;

import java.util.Arrays;

/**
 * What one session reads, on its way to lines: its framer, and its verification budget with the input it holds for a
 * later turn. A connection may cause {@link #CHECKS_PER_TURN} signature checks per turn; once they are spent, the rest
 * of what it sent waits (reads stop, {@link SessionOutput#reading}) and its dispatcher takes it up at the next turns
 * ({@link Dispatcher#resumeHeldInput()}), so one client's signed lines never make the others wait more than one check
 * each. Held bytes come from the server-wide {@link InputBudget}; with no room in it, input is handled at once, past
 * the budget: memory is bounded before CPU is shared.
 *
 * <p>Part of its {@link Session}, on its thread; not thread-safe.
 */
final class SessionInput {
    /** Signature checks one connection may cause per turn before the rest of its input waits for the next turn. */
    static final int CHECKS_PER_TURN = 1;
    /** What {@link #resumeHeld()} did: everything held is handled (reads resume). */
    static final int RESUMED_ALL = 0;
    /** Some was handled, some still waits. */
    static final int RESUMED_SOME = 1;
    /** Nothing this turn: its budget, or the suspects' share, is spent. */
    static final int RESUMED_NONE = 2;
    /** A line waits for the verification pool: nothing until it is back ({@link Dispatcher#verdictReady}). */
    static final int AWAITING = 3;

    private final Session session;
    private final Dispatcher dispatcher;
    private final InputBudget inputBudget;
    private final LineFramer framer;
    private final long suspectWindowNanos;
    private byte[] held;
    private int heldStart;
    private int heldLength;
    /** The turn the budget was last renewed in, and the signature checks computed for it before that turn. */
    private long budgetTurn = -1;
    private long checksBeforeTurn;
    /** Handle everything now, whatever the budget: no room to hold it, or the client closed. */
    private boolean overBudget;
    /** When it last made an invalid attempt (0: never): {@link #suspect()}. */
    private long lastInvalidAttemptNanos;
    /** In its dispatcher's list of inputs holding bytes: until {@link #resumeHeld()} reports all handled. */
    boolean listedHolding;
    /** Its line waiting for the verification pool, which what it sent after waits behind; or null. */
    private PendingLine awaiting;
    /** The pool handed {@link #awaiting} back: it is routed again at the next turn. */
    private boolean verdictIn;

    SessionInput(Session session, Dispatcher dispatcher, RelayCore core) {
        this.session = session;
        this.dispatcher = dispatcher;
        this.inputBudget = core.inputBudget();
        this.framer = new LineFramer(core.maxLineBytes(), inputBudget);
        this.suspectWindowNanos = core.invalidAttemptsWindowNanos();
    }

    /** @return the bytes of an unfinished line held for the client. */
    int pendingLineBytes() {
        return framer.pendingBytes();
    }

    /** Bytes read from the client, framed now within the budget, or kept after what waits. */
    void onBytes(byte[] bytes, int offset, int length) {
        if (heldLength > 0 || awaiting != null) {
            holdMore(bytes, offset, length); // what waits goes first
            return;
        }
        final boolean suspect = suspect();
        final IdentityMemo before = session.identity().memoOrNull();
        final long checksBefore = suspect && before != null ? before.checksComputed() : 0;
        final int taken = framer.onBytes(bytes, offset, length, session.lines());
        final IdentityMemo after = session.identity().memoOrNull();
        if (suspect && after != null) {
            dispatcher.spentSuspectChecks(after.checksComputed() - checksBefore);
        }
        if (taken < length && session.framing()) {
            hold(bytes, offset + taken, length - taken);
        }
    }

    /** The client sends no more: what it held and an unfinished last line are handled now. */
    void onEndOfStream() {
        overBudget = true;
        settleNow(); // it sends no more: nothing waits for a later turn, its line for the pool neither
        if (heldLength > 0) {
            framer.onBytes(held, heldStart, heldLength, session.lines());
            release();
        }
        if (session.isOpen()) {
            framer.onEndOfStream(session.lines());
        }
    }

    /**
     * @return whether the framer may hand over another line now: false once this turn's signature checks for this
     *         connection reached {@link #CHECKS_PER_TURN}.
     */
    boolean mayGoOn() {
        if (awaiting != null) {
            return false; // what follows a line waiting for the pool waits behind it
        }
        final IdentityMemo memo = session.identity().memoOrNull();
        return overBudget || memo == null || memo.checksComputed() - checksBeforeTurn < CHECKS_PER_TURN;
    }

    /**
     * @return whether a line framed now may wait for the verification pool, with what follows it held: the server has a
     *         pool, and this input is not being handled past the budget (no room to hold, the client gone).
     */
    boolean mayDefer() {
        return !overBudget && awaiting == null && core().verificationPool() != null;
    }

    private RelayCore core() {
        return dispatcher.core();
    }

    /**
     * The line the framer just handed over deferred its signature checks ({@code checks}): a copy of it waits for the
     * pool, taken from the input budget, and what follows it is held (reads stop) until it is back and routed again.
     *
     * @return null when it waits; else why it cannot, and is dropped: no room in the input budget
     *         ({@link ServerNotice#INPUT_FULL}), or no place left in the pool ({@link ServerNotice#VERIFICATION_BUSY}).
     */
    ServerNotice await(byte[] line, int offset, int length, DeferredChecks checks) {
        if (!inputBudget.tryTake(length)) {
            return ServerNotice.INPUT_FULL;
        }
        final PendingLine pending = new PendingLine(session, Arrays.copyOfRange(line, offset, offset + length), checks);
        if (!core().verificationPool().offer(pending, suspect())) { // a recent invalid attempt: behind everyone else
            inputBudget.giveBack(length);
            return ServerNotice.VERIFICATION_BUSY;
        }
        awaiting = pending;
        session.reads().hold(true);
        return null;
    }

    /**
     * @return whether {@code line} is the one this input waits for (a line settled here meanwhile is not): it is routed
     *         at this thread's next turn ({@link #resumeHeld()}).
     */
    boolean verdictIn(PendingLine line) {
        if (line != awaiting) {
            return false;
        }
        verdictIn = true;
        return true;
    }

    /** Its line waiting for the pool, if any, is decided now, its checks computed here if they are not back yet. */
    private void settleNow() {
        final PendingLine line = awaiting;
        if (line == null) {
            return;
        }
        final boolean back = verdictIn;
        awaiting = null;
        verdictIn = false;
        inputBudget.giveBack(line.line.length);
        // Back: the pool computed them (published by the inbox). Not back: the pool may be computing them now, so its
        // answers are not read; the caches answer what it finished, and the rest is computed here.
        session.lines().routeAgain(line.line, back ? line.checks : null);
    }

    /** Renews the budget at the first line of a turn. */
    void renewBudget() {
        final long turn = dispatcher.turn();
        if (budgetTurn != turn) {
            budgetTurn = turn;
            final IdentityMemo memo = session.identity().memoOrNull();
            checksBeforeTurn = memo == null ? 0 : memo.checksComputed();
        }
    }

    /** It made an invalid attempt at {@code nowNanos}: for a while its checks come from the suspects' share. */
    void invalidAttemptAt(long nowNanos) {
        lastInvalidAttemptNanos = nowNanos == 0 ? 1 : nowNanos;
    }

    /** The budget is spent mid-chunk: the rest waits, reads stop, and the dispatcher takes it up next turn. */
    private void hold(byte[] bytes, int offset, int length) {
        if (!inputBudget.tryTake(length)) {
            settleNow(); // no room to wait: a line waiting for the pool goes first, decided now
            handleNow(bytes, offset, length);
            return;
        }
        held = Arrays.copyOfRange(bytes, offset, offset + length);
        heldStart = 0;
        heldLength = length;
        session.reads().hold(true);
        if (!listedHolding && awaiting == null) { // behind a line waiting for the pool: listed when it is back
            listedHolding = true;
            dispatcher.holding(this);
        }
    }

    /** Bytes read after reads were held (the engine had them already): kept after what waits. */
    private void holdMore(byte[] bytes, int offset, int length) {
        if (held == null) {
            heldStart = 0; // behind a line waiting for the pool, nothing was held yet
        }
        if (!inputBudget.tryTake(length)) {
            settleNow(); // no room to wait: what waits, then these bytes, are handled now
            if (heldLength == 0) {
                handleNow(bytes, offset, length);
                session.reads().hold(false);
                return;
            }
            final byte[] waiting = held;
            final int start = heldStart;
            final int waitingLength = heldLength;
            release();
            handleNow(waiting, start, waitingLength);
            handleNow(bytes, offset, length);
            session.reads().hold(false);
            return;
        }
        if (held == null) {
            held = Arrays.copyOfRange(bytes, offset, offset + length);
            heldLength = length;
            return;
        }
        if (heldStart + heldLength + length > held.length) {
            final byte[] grown = new byte[heldLength + length];
            System.arraycopy(held, heldStart, grown, 0, heldLength);
            held = grown;
            heldStart = 0;
        }
        System.arraycopy(bytes, offset, held, heldStart + heldLength, length);
        heldLength += length;
    }

    /** No room to hold input: it is handled now, past the budget. */
    private void handleNow(byte[] bytes, int offset, int length) {
        final boolean over = overBudget;
        overBudget = true;
        try {
            framer.onBytes(bytes, offset, length, session.lines());
        } finally {
            overBudget = over;
        }
    }

    /**
     * A new turn: takes up what was held, within this turn's budget. Called by the dispatcher.
     *
     * @return {@link #RESUMED_ALL} when nothing is held any more (reads resume), {@link #RESUMED_SOME} when some still
     *         waits, {@link #RESUMED_NONE} when it had no share this turn.
     */
    int resumeHeld() {
        if (awaiting != null) {
            if (!verdictIn) {
                return AWAITING; // listed again when its line is back from the pool
            }
            try {
                settleNow(); // routed with the pool's answers (a check they lack is computed here: it never waits twice)
            } catch (Throwable error) {
                session.fault(Faults.Where.LINE, error); // the barrier, as for any line it frames
                release();
                session.reads().hold(false);
                return RESUMED_ALL;
            }
        }
        if (heldLength == 0) {
            session.reads().hold(false);
            return RESUMED_ALL;
        }
        if (!session.framing()) {
            release();
            session.reads().hold(false);
            return RESUMED_ALL;
        }
        if (budgetTurn == dispatcher.turn() && !session.lines().mayGoOn()) {
            return RESUMED_NONE; // it spent this turn's budget already
        }
        final boolean suspect = suspect();
        if (suspect && !dispatcher.suspectChecksLeft()) {
            return RESUMED_NONE; // clients with recent invalid attempts share a few checks a turn between them
        }
        final IdentityMemo memo = session.identity().memoOrNull();
        final long checksBefore = memo == null ? 0 : memo.checksComputed();
        try {
            final int taken = framer.onBytes(held, heldStart, heldLength, session.lines());
            heldStart += taken;
            heldLength -= taken;
            inputBudget.giveBack(taken);
        } catch (Throwable error) {
            session.fault(Faults.Where.LINE, error);
            release();
            session.reads().hold(false);
            return RESUMED_ALL;
        }
        final IdentityMemo after = session.identity().memoOrNull();
        if (suspect && after != null) {
            dispatcher.spentSuspectChecks(after.checksComputed() - checksBefore);
        }
        if (awaiting != null) {
            return AWAITING; // a held line went to the pool: the rest waits behind it
        }
        if (heldLength > 0 && session.framing()) {
            return RESUMED_SOME;
        }
        release();
        session.reads().hold(false);
        return RESUMED_ALL;
    }

    /**
     * @return whether it made an invalid attempt within {@code invalid_attempts.window_secs}: its signature checks come
     *         from the few its dispatcher gives such clients per turn ({@link HeldInput#suspectChecksLeft}), so a
     *         flood of connections that verify and do nothing cannot stretch the turns of everyone else.
     */
    private boolean suspect() {
        return lastInvalidAttemptNanos != 0 && dispatcher.now() - lastInvalidAttemptNanos < suspectWindowNanos;
    }

    /** Gives the held bytes not handled yet back to the budget and forgets them. */
    private void release() {
        if (held != null) {
            inputBudget.giveBack(heldLength);
            held = null;
            heldStart = 0;
            heldLength = 0;
        }
    }

    /** The session is gone: held bytes, a line waiting for the pool and the framer's unfinished line go back to the budget. */
    void closed() {
        release();
        if (awaiting != null) {
            inputBudget.giveBack(awaiting.line.length);
            awaiting = null; // when it is back from the pool, it is no one's
            verdictIn = false;
        }
        framer.release();
    }
}
