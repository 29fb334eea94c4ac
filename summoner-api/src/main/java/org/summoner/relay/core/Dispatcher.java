package org.summoner.relay.core;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.summoner.relay.counters.CounterBatch;
import org.summoner.relay.identity.DeferredChecks;
import org.summoner.relay.wire.EnvelopeScratch;
import org.summoner.relay.wire.RemoteAddresses;
import org.summoner.relay.wire.ServerNotice;

import java.net.InetSocketAddress;
import java.util.Arrays;

/**
 * One engine thread's half of the relay core: the sessions it owns, the clock of its current turn, its counters
 * (published once per turn) and its encoding buffer. Its one engine-specific job is {@link #dispatch}: handing an
 * envelope, encoded once, to every session its route includes, on whichever thread owns them, the way the engine
 * batches and writes. Everything else about a session (checks, notices, idle sweep, goodbyes, bookkeeping) is
 * done here or in {@link Session}, the same for every engine.
 *
 * <p>Owned by its engine thread; not thread-safe.
 */
public abstract class Dispatcher {
    private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);
    /** How long a client that was told to go away may take to read its last line. */
    public static final long LINGER_NANOS = 2_000_000_000L;

    private final RelayCore core;
    private final CounterBatch counts;
    private final EnvelopeScratch scratch;
    /** This thread's lines for the other nodes of a cluster, sent at the end of each turn; made at the first. */
    private OtherNodes.Outbox clusterOutbox;
    private Session[] sessions = new Session[64];
    private int sessionCount;
    /** Input held for a later turn, and lines back from the verification pool. */
    private final HeldInput held = new HeldInput();
    private long turn;
    private long now = System.nanoTime();
    private long nextIdleSweepNanos;
    /** Sessions whose TLS handshake is not done, oldest first ({@code tls.handshake_timeout_secs}). */
    private final Deadlines tlsHandshakes = new Deadlines();
    /** Sessions that must bind an identity, oldest first ({@code handshake.timeout_secs}). */
    private final Deadlines handshakes = new Deadlines();
    /** The deadlines of goodbyes and read pauses ({@link SessionTimers}). */
    private final SessionTimers timers = new SessionTimers();
    private final DrainSchedule drain = new DrainSchedule(); // who of its clients a drain tells to go when
    /** Brings this thread's sessions in line with the settings of each reload. */
    private final ReloadPass reloads;

    protected Dispatcher(RelayCore core) {
        this.core = core;
        this.counts = new CounterBatch(core.counters());
        this.scratch = new EnvelopeScratch(core.maxEnvelopeBytes());
        this.nextIdleSweepNanos = now + core.policy().idleCheckIntervalNanos();
        this.reloads = new ReloadPass(core);
    }

    public final RelayCore core() {
        return core;
    }

    /** @return the clock of the current turn. */
    public final long now() {
        return now;
    }

    /** Reads the clock: once per turn (one select, one event-loop task), so every line of a turn shares it. */
    protected final long tick() {
        now = System.nanoTime();
        return now;
    }

    /**
     * @return the number of the current turn: a connection's verification budget is spent per turn, and renewed at
     *         the next ({@link #nextTurn()}).
     */
    public final long turn() {
        return turn;
    }

    /**
     * A new turn begins: every connection's verification budget is renewed. The selector loops call it once per
     * {@code select()}; an engine without such a loop calls it before each {@link #resumeHeldInput()}.
     */
    protected final void nextTurn() {
        turn++;
    }

    // ---- input held for a later turn ----

    /** {@code input} began to hold bytes ({@link SessionInput}); they are taken up at the next turns. */
    final void holding(SessionInput input) {
        held.add(input);
        inputHeld();
    }

    /**
     * Input is held for a later turn: an engine that does not look at {@link #holdsInput()} every turn (Netty) makes
     * sure a later turn comes. Called on this thread.
     */
    protected void inputHeld() {
    }

    /**
     * @return whether sessions of this thread hold input for a later turn, or lines are back from the verification
     *         pool: the engine must not wait for sockets.
     */
    protected final boolean holdsInput() {
        return held.any();
    }

    /**
     * From any thread (a verification pool thread): this thread has work without a socket being ready, lines whose
     * signatures were checked; the engine makes it run a turn soon, as for a reload. A loop blocked in {@code select()}
     * is woken; a loop that looks at {@link #holdsInput()} before it waits needs only that look to be ordered after
     * this call's queue (a wake-up flag set before the look, cleared by this call, as {@code Selector.wakeup} does).
     */
    protected abstract void wake();

    /** From a pool thread: {@code line}'s checks are computed; its session takes it up at this thread's next turn. */
    final void verdictReady(PendingLine line) {
        held.verdictReady(line);
        try {
            wake();
        } catch (RuntimeException stopped) {
            // the engine's thread has stopped (an event loop refuses tasks): its sessions are closed, the line is no one's
        }
    }

    /** @return an empty {@link DeferredChecks} for a line of this thread to gather its checks in. */
    final DeferredChecks spareChecks() {
        return held.spareChecks();
    }

    /**
     * Takes up the input sessions held, each within this turn's verification budget, in the order they began to hold,
     * and the lines back from the verification pool; those done let their engine read them again. Called once per turn,
     * after the turn's reads.
     */
    protected final void resumeHeldInput() {
        held.resume();
    }

    /** @return whether this turn's checks for clients with recent invalid attempts are not all spent. */
    final boolean suspectChecksLeft() {
        return held.suspectChecksLeft(turn);
    }

    /** {@code checks} signature checks were computed this turn for a client with recent invalid attempts. */
    final void spentSuspectChecks(long checks) {
        held.spentSuspectChecks(turn, checks);
    }

    /** Sets the clock: for tests that drive time by hand. */
    final void setClock(long nanos) {
        now = nanos;
    }

    /** @return this thread's counts, published to the shared counters once per turn ({@link CounterBatch#publish()}). */
    public final CounterBatch turnCounts() {
        return counts;
    }

    /**
     * Counts {@code envelopes} queued for {@code recipient} (one per relayed line it gets): in this turn's deliveries and
     * in the recipient's own lines out. Called by {@link #dispatch} and by the engine's hand-offs, on the recipient's
     * thread.
     */
    public final void delivered(Session recipient, int envelopes) {
        counts.delivered(envelopes);
        recipient.countLinesOut(envelopes);
    }

    final EnvelopeScratch scratch() {
        return scratch;
    }

    /** @return this thread's outbox for lines sent to the other nodes of the cluster. */
    final OtherNodes.Outbox clusterOutbox(OtherNodes otherNodes) {
        if (clusterOutbox == null) {
            clusterOutbox = otherNodes.outbox();
        }
        return clusterOutbox;
    }

    /**
     * The turn's work is done: the lines for other nodes of a cluster it gathered are sent ({@link OtherNodes.Outbox}),
     * and its counts published. Every engine calls it once per turn, after the turn's reads, and after its last.
     */
    protected final void turnEnded() {
        if (clusterOutbox != null) {
            try {
                clusterOutbox.flush();
            } catch (Throwable error) { // outside any session's barrier: the turn goes on, the thread lives
                if (!Faults.recoverable(error)) {
                    throw error;
                }
                core.faults().record(Faults.Where.CLUSTER, "lines for other nodes", "their frames were dropped", error);
            }
        }
        counts.publish();
    }

    /**
     * Hands {@code envelope[0, length)} (valid until this returns; copy what must outlive the call) to every open
     * session other than {@code sender} that {@code route} includes, on whatever thread owns it, counting the
     * deliveries. Called on this thread, by a session of this dispatcher.
     */
    protected abstract void dispatch(Session sender, byte[] envelope, int length, Route route);

    // ---- sessions ----

    /** A client was admitted on this thread: its session, counted and in the room from now on. */
    public final Session open(InetSocketAddress remote, SessionOutput output) {
        final Session session = core.newSession(this, output, remote.getAddress(), RemoteAddresses.format(remote), now);
        if (sessionCount == sessions.length) {
            sessions = Arrays.copyOf(sessions, sessionCount * 2);
        }
        session.index = sessionCount;
        sessions[sessionCount++] = session;
        if (core.tls() != null && tlsHandshakes.add(session, now + core.tlsHandshakeTimeoutNanos())) {
            timedDutyAdded(session.deadlineNanos);
        }
        return session;
    }

    final void remove(Session session) {
        final int index = session.index;
        final Session last = sessions[--sessionCount];
        sessions[index] = last;
        last.index = index;
        sessions[sessionCount] = null;
    }

    /** @return the sessions this thread owns now. */
    public final int sessionCount() {
        return sessionCount;
    }

    /** @return the i-th session, {@code 0 <= i < sessionCount()}; the order changes as sessions close. */
    public final Session session(int i) {
        return sessions[i];
    }

    // ---- timed duties ----

    /**
     * Runs what is due: the idle sweep, every {@code timeout_check_interval_secs} when {@code client_timeout_secs} is
     * set (it tells sessions that sent no line for that long and closes them; receiving is not activity, as in the
     * reference); the TLS handshakes out of time ({@code tls.handshake_timeout_secs}), closed; and the identity
     * handshakes out of time ({@code handshake.timeout_secs}), told and closed; and the goodbyes out of time (their
     * client did not close by the deadline), closed. The engine calls it once per turn, or when
     * {@link #nextTimedDutyNanos()} comes.
     */
    protected final void runTimedDuties() {
        drain.run(this);
        nextIdleSweepNanos = reloads.applyIfDue(this, nextIdleSweepNanos);
        sweepIdle();
        expireHandshakes();
        timers.run(now);
    }

    /** @return when {@link #runTimedDuties()} next has something to do, on the turn's clock; {@code Long.MAX_VALUE} for never. */
    protected final long nextTimedDutyNanos() {
        long next = reloads.due() ? now : core.policy().idleTimeoutEnabled() ? nextIdleSweepNanos : Long.MAX_VALUE;
        next = earlier(next, tlsHandshakes.next());
        next = earlier(next, handshakes.next());
        return earlier(earlier(next, drain.nextNanos()), timers.next(now));
    }

    private static long earlier(long a, long b) {
        if (a == Long.MAX_VALUE) {
            return b;
        }
        return b == Long.MAX_VALUE || a - b <= 0 ? a : b;
    }

    /** @return how long until {@link #runTimedDuties()} has something to do, at most {@code capNanos}; never negative. */
    protected final long nanosToTimedDuty(long capNanos) {
        final long next = nextTimedDutyNanos();
        return next == Long.MAX_VALUE ? capNanos : Math.max(0, Math.min(capNanos, next - now));
    }

    /**
     * A timed duty was added that may come before any the engine waits for ({@code atNanos}): an engine that schedules
     * its duties rather than computing a wait each turn (Netty) schedules one. Called on this thread.
     */
    protected void timedDutyAdded(long atNanos) {
    }

    private void sweepIdle() {
        if (!core.policy().idleTimeoutEnabled() || now - nextIdleSweepNanos < 0) {
            return;
        }
        nextIdleSweepNanos = now + core.policy().idleCheckIntervalNanos();
        for (int i = 0; i < sessionCount; i++) {
            final Session session = sessions[i];
            if (session.isOpen() && core.policy().isIdle(session.lastReadNanos(), now)) {
                core.counters().idleDisconnected();
                log.debug("{} idle; disconnecting", session.remoteAddr());
                try {
                    session.sayGoodbye(ServerNotice.IDLE_TIMEOUT, now + LINGER_NANOS);
                } catch (Throwable error) {
                    session.fault(Faults.Where.TIMER, error);
                }
            }
        }
    }

    private void expireHandshakes() {
        Session session;
        while ((session = tlsHandshakes.pollExpired(now)) != null) {
            if (session.isOpen()) {
                core.tls().handshakeTimedOut(session.remoteAddr(), core.tlsHandshakeTimeoutNanos());
                try {
                    session.close(); // it cannot read a line before its handshake is done
                } catch (Throwable error) {
                    session.fault(Faults.Where.TIMER, error);
                }
            }
        }
        while ((session = handshakes.pollExpired(now)) != null) {
            if (session.isOpen()) {
                core.counters().handshakeTimedOut();
                log.debug("{} did not complete its handshake in time; disconnecting", session.remoteAddr());
                try {
                    session.sayGoodbye(ServerNotice.HANDSHAKE_TIMEOUT, now + LINGER_NANOS);
                } catch (Throwable error) {
                    session.fault(Faults.Where.TIMER, error);
                }
            }
        }
    }

    /**
     * {@code session} was told goodbye, or refused before it began: it is closed at {@code deadlineNanos} unless its
     * client closes first ({@link Session#closed()} takes it off). Nothing for a session closed already.
     */
    final void closeBy(Session session, long deadlineNanos) {
        if (session.state() != Session.State.CLOSED && timers.closeBy(session, deadlineNanos)) {
            timedDutyAdded(deadlineNanos);
        }
    }

    /** {@code session}'s reads are paused until its deadline: its pause ends at a timed duty. */
    final void paused(Session session) {
        timers.paused(session);
        timedDutyAdded(session.reads().pausedUntilNanos());
    }

    /** A pause was extended to {@code untilNanos}. */
    final void pauseExtended(long untilNanos) {
        timedDutyAdded(untilNanos);
    }

    /** {@code session} must bind an identity by {@code deadlineNanos} ({@code handshake.required}). */
    final void awaitHandshake(Session session, long deadlineNanos) {
        if (handshakes.add(session, deadlineNanos)) {
            timedDutyAdded(deadlineNanos);
        }
    }

    /** @return whether {@code session} was waiting to bind: it no longer is. */
    final boolean handshakeDone(Session session) {
        final boolean waited = session.waitingIn == handshakes;
        handshakes.remove(session);
        return waited;
    }

    /** {@code session} waits for no deadline any more: its TLS handshake is done, or it closed. */
    final void stopWaiting(Session session) {
        if (session.waitingIn != null) {
            session.waitingIn.remove(session);
        }
    }

    /** Server shutdown: every session is told {@code Warning: Server is shutting down.} and closed by the deadline. */
    protected final void sayGoodbyeToAll(long deadlineNanos) {
        for (int i = sessionCount - 1; i >= 0; i--) {
            final Session session = sessions[i];
            try {
                session.sayGoodbye(ServerNotice.SHUTTING_DOWN, deadlineNanos);
            } catch (Throwable error) {
                session.fault(Faults.Where.TIMER, error);
            }
        }
    }
}
