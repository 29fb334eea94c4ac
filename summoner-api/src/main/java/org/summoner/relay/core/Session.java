package org.summoner.relay.core;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.summoner.relay.identity.IdentityMemo;
import org.summoner.relay.policy.InvalidAttempts;
import org.summoner.relay.policy.RateLimiter;
import org.summoner.relay.spi.ClientSockets;
import org.summoner.relay.spi.RelayedLines;
import org.summoner.relay.wire.EnvelopeEncoder;
import org.summoner.relay.wire.EnvelopeScratch;
import org.summoner.relay.wire.InputBudget;
import org.summoner.relay.wire.LineFramer;
import org.summoner.relay.wire.LineHandler;
import org.summoner.relay.wire.Rejection;
import org.summoner.relay.wire.ServerNotice;
import org.summoner.relay.wire.Untrusted;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.InetAddress;
import java.util.Arrays;

/**
 * One client connection, as the relay sees it whatever the engine: who it is, its framer and line checks, its idle
 * clock and where it is in its life. The engine feeds it what it reads ({@link #onBytes}, {@link #onEndOfStream});
 * the session frames lines, applies the checks in order (framing and UTF-8, then the rate limit, then the router's,
 * then the envelope bound), tells its client about a dropped line, and hands each relayed envelope to its
 * {@link Dispatcher}. It talks to its engine only through its {@link SessionOutput}.
 *
 * <p>Life cycle, forward only: {@link State#OPEN} (lines relayed, envelopes received) → {@link State#DRAINING} (a
 * last line is being written: {@link #sayGoodbye}) → {@link State#LINGERING} (output shut after it) →
 * {@link State#CLOSED}. Only an open session sends or receives; the engine reports the socket gone with
 * {@link #closed()}, and the bookkeeping (counters, budget, admission) happens there, once.
 *
 * <p>Owned by one engine thread, its dispatcher's: not thread-safe. Other threads may read {@link #id()},
 * {@link #address()} and {@link #remoteAddr()}, which never change, and, for monitoring, {@link #linesIn()},
 * {@link #linesOut()}, {@link #startedAtMillis()}, {@link #fingerprint()}, {@link #isHost()} and {@link #isReceiving()}: reads of
 * values only its thread writes, as fresh as the last turn. Allocates nothing per line.
 */
public final class Session implements LineHandler, Router.Decision {
    private static final Logger log = LoggerFactory.getLogger(Session.class);
    private static final VarHandle LINES_IN;
    private static final VarHandle LINES_OUT;

    static {
        try {
            final MethodHandles.Lookup lookup = MethodHandles.lookup();
            LINES_IN = lookup.findVarHandle(Session.class, "linesIn", long.class);
            LINES_OUT = lookup.findVarHandle(Session.class, "linesOut", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Where a session is in its life; it only moves forward. */
    public enum State {
        OPEN,
        DRAINING,
        LINGERING,
        CLOSED
    }

    private final long id;
    private final Dispatcher dispatcher;
    private final RelayCore core;
    private final SessionOutput output;
    private final InetAddress address;
    private final String remoteAddr;
    private final byte[] envelopePrefix;
    private final LineFramer framer;
    private final RateLimiter rateLimiter;
    private final Route route;
    /** From {@code peer_trust.trusted_networks}: its rejected lines are counted on its own {@link #tally}, not its IP's. */
    private final boolean trusted;
    private InvalidAttempts.Tally tally;
    /**
     * Closed for too many rejected lines from an address outside the trusted networks: lines it still sends while it
     * lingers are counted against its address too, so a flood of junk on its way out reaches the quarantine threshold.
     */
    private boolean closedForRejections;
    private boolean quarantined;
    /**
     * Input read but not handled yet, {@code held[heldStart, heldStart + heldLength)}: this turn's verification budget
     * was spent ({@link #mayGoOn()}); its bytes are taken from the core's {@link InputBudget}.
     */
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
    /** In its dispatcher's list of sessions holding input: until {@link #resumeHeld()} reports all handled. */
    boolean listedHolding;
    private State state = State.OPEN;
    private boolean released;
    private boolean started;
    /** The wall clock when it started ({@link #start()}), 0 before: read by monitoring. */
    private volatile long startedAtMillis;
    /** Lines framed from this client; written by its thread only (opaque, for monitoring). */
    private long linesIn;
    /** Envelopes queued for this client; written by its thread only (opaque, for monitoring). */
    private long linesOut;
    private long lastReadNanos;
    /** The identity this connection is bound to (SPEC section 7), or null. */
    private Bindings.Binding binding;
    /** Bound to one of the configured hosts' identities ({@code routing: hosted}, {@code hybrid}). */
    private volatile boolean host;
    /**
     * Whether relayed lines reach it: from {@link #start()} on (over TLS, once the TLS handshake is done), but with
     * {@code handshake.required} only once it is bound.
     */
    private boolean receiving;
    private IdentityMemo identityMemo;
    /** {@code handshake.challenge}: the nonce this connection was sent, or null. */
    private String challenge;
    /**
     * The dispatcher's {@link Deadlines} this session waits in (its TLS handshake, or {@code handshake.required}'s
     * binding), by when, and its place there; null when it waits for nothing.
     */
    Deadlines waitingIn;
    long deadlineNanos;
    Session deadlinePrevious;
    Session deadlineNext;
    /** Position in the dispatcher's session list, for O(1) removal. */
    int index;
    /** The {@link OutboundBudget} level of the last judged backlog. */
    int budgetLevel = OutboundBudget.NONE;

    Session(long id, Dispatcher dispatcher, RelayCore core, SessionOutput output, InetAddress address, String remoteAddr,
            long nowNanos) {
        this.id = id;
        this.dispatcher = dispatcher;
        this.core = core;
        this.output = output;
        this.address = address;
        this.remoteAddr = remoteAddr;
        this.envelopePrefix = EnvelopeEncoder.prefix(remoteAddr);
        this.framer = new LineFramer(core.maxLineBytes(), core.inputBudget());
        this.rateLimiter = core.policy().newRateLimiter(nowNanos);
        this.route = Route.toSession(id, remoteAddr);
        this.trusted = core.policy().admission().trusts(address);
        this.lastReadNanos = nowNanos;
    }

    /** @return a number no other session of this server has had. */
    public long id() {
        return id;
    }

    public InetAddress address() {
        return address;
    }

    /** @return the client as {@code remote_addr} shows it: {@code ip:port} or {@code [ipv6]:port}. */
    public String remoteAddr() {
        return remoteAddr;
    }

    /** @return the engine's half of this connection. */
    public SessionOutput output() {
        return output;
    }

    /** @return the route to this session alone. */
    public Route route() {
        return route;
    }

    public State state() {
        return state;
    }

    /** @return whether lines from it are relayed and envelopes are queued for it. */
    public boolean isOpen() {
        return state == State.OPEN;
    }

    /** @return when the client last sent a byte, for {@code client_timeout_secs}. */
    public long lastReadNanos() {
        return lastReadNanos;
    }

    /** @return lines framed from this client so far, relayed or not; from any thread. */
    public long linesIn() {
        return (long) LINES_IN.getOpaque(this);
    }

    /** @return envelopes queued for this client so far; from any thread. */
    public long linesOut() {
        return (long) LINES_OUT.getOpaque(this);
    }

    /** Counts {@code envelopes} queued for this client: by its {@link Dispatcher}, on its thread. */
    void countLinesOut(int envelopes) {
        LINES_OUT.setOpaque(this, linesOut + envelopes);
    }

    /**
     * @return the wall-clock time ({@link System#currentTimeMillis()}) at which it became a client ({@link #start()}),
     *         or 0 while it is not one yet (a TLS handshake under way); from any thread.
     */
    public long startedAtMillis() {
        return startedAtMillis;
    }

    /** @return the fingerprint this connection is bound to, or null while it is not bound. */
    public String fingerprint() {
        return binding == null ? null : binding.fingerprint();
    }

    /** @return the id of this connection's binding, 0 while it is not bound; what {@link Route#KIND_BINDING} matches. */
    public long bindingId() {
        return binding == null ? 0 : binding.id();
    }

    /**
     * @return whether relayed lines reach this connection: with {@code handshake.required}, not before it is bound
     *         (an unauthenticated socket sees nothing); read by routes on its own thread.
     */
    public boolean isReceiving() {
        return receiving;
    }

    /** @return whether this connection is bound to a host's identity; read by routes on the recipient's thread. */
    public boolean isHost() {
        return host;
    }

    /**
     * Binds this connection to {@code fingerprint}, for as long as it is open; called by a router once a valid signed
     * envelope proved it. A connection is bound once: a router refuses another fingerprint ({@code identity_mismatch}).
     * Bound to one of {@code hosted_relay.host_fingerprints} in {@code hosted} or {@code hybrid}, it is a host. A
     * pending handshake is complete.
     */
    public void bind(String fingerprint) {
        if (binding != null) {
            throw new IllegalStateException(remoteAddr + " is bound to " + binding.fingerprint() + " already");
        }
        binding = core.bindings().bind(fingerprint);
        receiving = true;
        if (core.isHostIdentity(fingerprint)) {
            host = true;
            core.hostJoined();
        }
        if (dispatcher.handshakeDone(this)) {
            core.counters().handshakeCompleted();
        }
        core.membershipChanged();
        log.debug("{} bound to {}{}", remoteAddr, fingerprint, host ? " as a host" : "");
    }

    /**
     * @return the nonce of the challenge this connection was sent ({@code handshake.challenge}), or null when it was
     *         sent none.
     */
    public String challenge() {
        return challenge;
    }

    /** @return what this connection's identity records verified to, so each is checked once, not per line. */
    public IdentityMemo identityMemo() {
        if (identityMemo == null) {
            identityMemo = new IdentityMemo();
        }
        return identityMemo;
    }

    /** @return the bytes of an unfinished line held for the client. */
    public int pendingLineBytes() {
        return framer.pendingBytes();
    }

    // ---- life cycle, from the engine ----

    /**
     * The engine attached this session's output and the connection can carry lines (over TLS: its handshake is
     * done): relayed lines reach it from now on, or with {@code handshake.required} its clock starts, and with
     * {@code challenge} the client is sent its nonce, the server's first line to it. Called once, before any line is
     * read from it.
     */
    public void start() {
        if (started) {
            return;
        }
        started = true;
        dispatcher.stopWaiting(this); // over TLS, its handshake is done
        startedAtMillis = System.currentTimeMillis();
        core.sessionStarted(this);
        if (!core.handshakeRequired()) {
            receiving = true;
            return;
        }
        try {
            dispatcher.awaitHandshake(this, dispatcher.now() + core.handshakeTimeoutNanos());
            if (core.handshakeChallenges()) {
                challenge = core.newChallenge();
                output.send(core.challengeLine(challenge));
            }
        } catch (Throwable error) {
            fault(Faults.Where.ENGINE, error);
        }
    }

    // ---- input, from the engine ----

    /**
     * Bytes the client sent: counted, and framed while the session is open (each complete line resets its idle clock),
     * or kept after what it holds for a later turn. Never throws for what the bytes make the core do: this is the fault
     * barrier of the line path ({@link #fault}).
     */
    public void onBytes(byte[] bytes, int offset, int length) {
        dispatcher.turnCounts().bytesReceived(length);
        if (!framing()) {
            return;
        }
        try {
            if (heldLength > 0) {
                holdMore(bytes, offset, length); // what waits goes first
                return;
            }
            final boolean suspect = suspect();
            final long checksBefore = suspect && identityMemo != null ? identityMemo.checksComputed() : 0;
            final int taken = framer.onBytes(bytes, offset, length, this);
            if (suspect && identityMemo != null) {
                dispatcher.spentSuspectChecks(identityMemo.checksComputed() - checksBefore);
            }
            if (taken < length && framing()) {
                hold(bytes, offset + taken, length - taken);
            }
        } catch (Throwable error) {
            fault(Faults.Where.LINE, error);
        }
    }

    /** The client closed its side: what it held and an unfinished last line are relayed (SPEC section 2). */
    public void onEndOfStream() {
        if (!framing()) {
            return;
        }
        try {
            overBudget = true; // it sends no more: what it sent is handled now
            if (heldLength > 0) {
                final int start = heldStart;
                final int length = heldLength;
                framer.onBytes(held, start, length, this);
                releaseHeld();
            }
            if (state == State.OPEN) {
                framer.onEndOfStream(this);
            }
        } catch (Throwable error) {
            fault(Faults.Where.LINE, error);
        }
    }

    /** @return whether what the client sends is framed: while open, and while it leaves after too many rejections. */
    private boolean framing() {
        return state == State.OPEN || (closedForRejections && state != State.CLOSED);
    }

    // ---- the verification budget: input held for a later turn ----

    /** Signature checks one connection may cause per turn before the rest of its input waits for the next turn. */
    static final int CHECKS_PER_TURN = 1;

    /**
     * Asked by the framer after each line: false once this turn's signature checks for this connection reached
     * {@link #CHECKS_PER_TURN}, so one client's signed lines never make the others wait more than one budget each.
     */
    @Override
    public boolean mayGoOn() {
        if (!framing()) {
            return false; // closed in the middle of a read: what follows is not read as lines (nor counted as any)
        }
        return overBudget || identityMemo == null || identityMemo.checksComputed() - checksBeforeTurn < CHECKS_PER_TURN;
    }

    /** Renews the budget at the first line of a turn. */
    private void renewBudget() {
        final long turn = dispatcher.turn();
        if (budgetTurn != turn) {
            budgetTurn = turn;
            checksBeforeTurn = identityMemo == null ? 0 : identityMemo.checksComputed();
        }
    }

    /** The budget is spent mid-chunk: the rest waits, reads stop, and the dispatcher takes it up next turn. */
    private void hold(byte[] bytes, int offset, int length) {
        if (!core.inputBudget().tryTake(length)) {
            handleNow(bytes, offset, length);
            return;
        }
        held = Arrays.copyOfRange(bytes, offset, offset + length);
        heldStart = 0;
        heldLength = length;
        output.holdReads(true);
        if (!listedHolding) {
            listedHolding = true;
            dispatcher.holding(this);
        }
    }

    /** Bytes read after reads were held (the engine had them already): kept after what waits. */
    private void holdMore(byte[] bytes, int offset, int length) {
        if (!core.inputBudget().tryTake(length)) {
            final byte[] waiting = held;
            final int start = heldStart;
            final int waitingLength = heldLength;
            releaseHeld();
            handleNow(waiting, start, waitingLength);
            handleNow(bytes, offset, length);
            if (state == State.OPEN) {
                output.holdReads(false);
            }
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

    /** No room to hold input: it is handled now, past the budget (memory is bounded before CPU is shared). */
    private void handleNow(byte[] bytes, int offset, int length) {
        final boolean over = overBudget;
        overBudget = true;
        try {
            framer.onBytes(bytes, offset, length, this);
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
        if (heldLength == 0) {
            return RESUMED_ALL;
        }
        if (!framing()) {
            releaseHeld();
            return RESUMED_ALL;
        }
        if (budgetTurn == dispatcher.turn() && !mayGoOn()) {
            return RESUMED_NONE; // it spent this turn's budget already
        }
        final boolean suspect = suspect();
        if (suspect && !dispatcher.suspectChecksLeft()) {
            return RESUMED_NONE; // clients with recent invalid attempts share a few checks a turn between them
        }
        final long checksBefore = identityMemo == null ? 0 : identityMemo.checksComputed();
        try {
            final int taken = framer.onBytes(held, heldStart, heldLength, this);
            heldStart += taken;
            heldLength -= taken;
            core.inputBudget().giveBack(taken);
        } catch (Throwable error) {
            fault(Faults.Where.LINE, error);
            releaseHeld();
            return RESUMED_ALL;
        }
        if (suspect && identityMemo != null) {
            dispatcher.spentSuspectChecks(identityMemo.checksComputed() - checksBefore);
        }
        if (heldLength > 0 && framing()) {
            return RESUMED_SOME;
        }
        releaseHeld();
        if (state == State.OPEN) {
            output.holdReads(false);
        }
        return RESUMED_ALL;
    }

    /** What {@link #resumeHeld()} did: everything held is handled (reads resume). */
    static final int RESUMED_ALL = 0;
    /** Some was handled, some still waits. */
    static final int RESUMED_SOME = 1;
    /** Nothing this turn: its budget, or the suspects' share, is spent. */
    static final int RESUMED_NONE = 2;

    /**
     * @return whether it made an invalid attempt within {@code invalid_attempts.window_secs}: its signature checks come
     *         from the few its dispatcher gives such clients per turn ({@link Dispatcher#suspectChecksLeft()}), so a
     *         flood of connections that verify and do nothing cannot stretch the turns of everyone else.
     */
    private boolean suspect() {
        return lastInvalidAttemptNanos != 0 && dispatcher.now() - lastInvalidAttemptNanos < core.invalidAttemptsWindowNanos();
    }

    /** Gives the held bytes not handled yet back to the budget and forgets them. */
    private void releaseHeld() {
        if (held != null) {
            core.inputBudget().giveBack(heldLength);
            held = null;
            heldStart = 0;
            heldLength = 0;
        }
    }

    /**
     * The fault barrier (SPEC section 10): handling this connection made the code throw. The fault is counted and
     * logged ({@link Faults}), and this connection alone pays for it: told {@link ServerNotice#FAULT} and closed, as an
     * idle client is (or closed at once when it can no longer be told). Errors the JVM cannot recover from (out of
     * memory) are not caught: they end the thread, and the engine reports it ({@link Faults#threadDied}).
     */
    public void fault(Faults.Where where, Throwable error) {
        if (!Faults.recoverable(error)) {
            throw (Error) error;
        }
        core.faults().record(where, remoteAddr, "the client was told and disconnected", error);
        try {
            if (state == State.OPEN && started) {
                state = State.DRAINING;
                output.goodbye(core.notices().line(ServerNotice.FAULT), dispatcher.now() + Dispatcher.LINGER_NANOS);
            } else {
                close();
            }
        } catch (Throwable again) {
            if (!Faults.recoverable(again)) {
                throw (Error) again;
            }
            state = State.CLOSED; // the engine could not even say goodbye: it closes what it can
            output.close();
        }
    }

    @Override
    public void onLine(byte[] line, int offset, int length) {
        if (state != State.OPEN) {
            if (closedForRejections) {
                recordInvalidAttempt(dispatcher.now()); // junk on its way out: its address's count goes on
            }
            return; // not a line received: it is only counted against the address of a client leaving for rejections
        }
        countLineIn();
        lastReadNanos = dispatcher.now(); // a line, not a byte, is activity: a trickle of bytes keeps no one alive
        renewBudget();
        if (!rateLimiter.tryAcquire(dispatcher.now())) {
            drop(ServerNotice.RATE_LIMITED);
            return;
        }
        core.router().route(this, line, offset, length, this);
    }

    @Override
    public void onLineDropped(ServerNotice reason) {
        if (state != State.OPEN) {
            return; // as in onLine: a client leaving for rejections has no more lines received
        }
        countLineIn();
        lastReadNanos = dispatcher.now();
        drop(reason);
    }

    /** A line framed from this client, relayed or not: in the turn's counters and in its own. */
    private void countLineIn() {
        dispatcher.turnCounts().lineReceived();
        LINES_IN.setOpaque(this, linesIn + 1);
    }

    /** The router's decision: the content goes in this session's envelope, encoded once, to the route's sessions. */
    @Override
    public void relay(Route route, byte[] content, int offset, int length) {
        if (state != State.OPEN) {
            return; // closed while its line was routed (a host closed by its own notices mid-directive): nothing more
        }
        final EnvelopeScratch scratch = dispatcher.scratch();
        final int encoded = scratch.encode(envelopePrefix, content, offset, length);
        if (encoded == EnvelopeEncoder.TOO_LONG) {
            drop(ServerNotice.ENVELOPE_TOO_LONG);
            return;
        }
        if (RelayedLines.enabled()) {
            RelayedLines.received(remoteAddr, content, offset, length);
        }
        dispatcher.turnCounts().lineRelayed();
        if (route.isLocal()) {
            dispatcher.dispatch(this, scratch.bytes(), encoded, route);
        }
        final OtherNodes otherNodes = core.otherNodes();
        if (otherNodes != null) {
            otherNodes.offer(route, scratch.bytes(), encoded, dispatcher.clusterScratch(otherNodes));
        }
    }

    /**
     * The router's decision: the line is refused. The client is told, the rejection counted, and recorded as an
     * invalid attempt (of its IP, or of this connection inside the trusted networks): at the thresholds of
     * {@code invalid_attempts}, reading from it is delayed or paused, or it is closed (and its IP quarantined, unless
     * trusted).
     */
    @Override
    public void reject(Rejection reason) {
        core.counters().lineRejected(reason);
        log.debug("{} line rejected: {}", remoteAddr, reason.code());
        invalidAttempt(reason, true);
    }

    /** The router's decision: a valid line that goes nowhere, an invalid attempt the sender is not told of. */
    @Override
    public void wasted(Rejection reason) {
        core.counters().lineUndeliverable();
        log.debug("{} line went nowhere: {}", remoteAddr, reason.code());
        invalidAttempt(reason, false);
    }

    /** One invalid attempt, and what its count calls for; {@code tell}: the client is told of this line. */
    private void invalidAttempt(Rejection reason, boolean tell) {
        if (state != State.OPEN) {
            return;
        }
        final byte[] notice = core.notices().rejected(reason);
        final long now = dispatcher.now();
        final InvalidAttempts.Action action = recordInvalidAttempt(now);
        switch (action) {
            case NONE -> {
                if (tell) {
                    output.send(notice);
                }
            }
            case THROTTLE, FLOW_CONTROL -> {
                if (tell) {
                    output.send(notice);
                }
                output.pauseReading(now + core.invalidAttemptPauseNanos(action));
            }
            case DISCONNECT, QUARANTINE -> {
                core.counters().closedAfterRejections();
                log.debug("{} closed after too many rejected lines ({})", remoteAddr, action);
                state = State.DRAINING;
                closedForRejections = !trusted;
                output.goodbye(notice, now + Dispatcher.LINGER_NANOS);
            }
        }
    }

    /**
     * One more invalid attempt of this connection: on its own tally inside the trusted networks, on its address's
     * outside, where reaching the quarantine threshold quarantines the address (once per connection).
     */
    private InvalidAttempts.Action recordInvalidAttempt(long now) {
        lastInvalidAttemptNanos = now == 0 ? 1 : now;
        final InvalidAttempts attempts = core.invalidAttempts();
        if (trusted) {
            if (tally == null) {
                tally = attempts.newTally();
            }
            return attempts.record(tally, now);
        }
        final InvalidAttempts.Action action = attempts.record(address, now);
        if (action == InvalidAttempts.Action.QUARANTINE && !quarantined) {
            quarantined = true;
            core.quarantineForInvalidAttempts(this, now);
        }
        return action;
    }

    /** The router's decision: the line is not relayed, for a reason the sender is told. */
    @Override
    public void refuse(ServerNotice reason) {
        drop(reason);
    }

    /** The router's decision: a line for the sender alone, from the server (e.g. a directive's missing recipient). */
    @Override
    public void tell(byte[] line) {
        if (state == State.OPEN) {
            output.send(line);
        }
    }

    /** A line that is not relayed: counted, logged at DEBUG, and the client is told why. */
    void drop(ServerNotice reason) {
        core.counters().linesDropped(reason, 1);
        log.debug("{} line dropped: {}", remoteAddr, reason);
        if (state == State.OPEN) {
            output.send(core.notices().line(reason));
        }
    }

    // ---- life cycle ----

    /**
     * Ends an open session with a last line (idle timeout, shutdown): nothing more is relayed from or to it; the
     * engine writes what waits, the line, a FIN, and closes by {@code deadlineNanos} at the latest. A session that
     * never started (its TLS handshake not done) is closed at once.
     */
    public void sayGoodbye(ServerNotice notice, long deadlineNanos) {
        if (state == State.OPEN && !started) {
            close(); // never a client (a TLS handshake not done): it could not read the line
            return;
        }
        if (state == State.OPEN) {
            state = State.DRAINING;
            output.goodbye(core.notices().line(notice), deadlineNanos);
        }
    }

    /** The engine shut output down after the last line. */
    public void outputShut() {
        if (state == State.DRAINING) {
            state = State.LINGERING;
        }
    }

    /**
     * Reading or writing the connection failed (the engine's I/O threw): the session ends now. A peer that stopped
     * answering ({@link ClientSockets#peerStoppedAnswering}: it vanished without a FIN, and TCP keepalive or
     * retransmissions found it) is counted and logged ({@code summoner_dead_peers_total}); a reset is an ordinary end,
     * logged at DEBUG.
     */
    public void failed(Throwable cause) {
        if (state == State.CLOSED) {
            return;
        }
        if (ClientSockets.peerStoppedAnswering(cause)) {
            core.deadPeer(this);
        } else if (log.isDebugEnabled()) {
            log.debug("{} failed: {}", remoteAddr, Untrusted.text(String.valueOf(cause))); // over TLS the JDK quotes the client
        }
        close();
    }

    /** Ends the session now (slow consumer, error, end of stream): nothing more is sent or relayed. */
    public void close() {
        if (state != State.CLOSED) {
            state = State.CLOSED;
            output.close();
        }
    }

    /** The engine closed the socket: the session leaves its dispatcher, the room and the admission count. Idempotent. */
    public void closed() {
        state = State.CLOSED;
        if (!released) {
            released = true;
            dispatcher.remove(this);
            dispatcher.stopWaiting(this);
            if (binding != null) {
                core.bindings().release(binding);
            }
            releaseHeld();
            framer.release();
            if (host) {
                core.hostLeft();
            }
            core.sessionClosed(this, started);
        }
    }

    @Override
    public String toString() {
        return "Session{" + id + ", " + remoteAddr + ", " + state + '}';
    }
}
