package org.summoner.relay.core;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.summoner.relay.stream.ClientSockets;
import org.summoner.relay.wire.LineHandler;
import org.summoner.relay.wire.ServerNotice;
import org.summoner.relay.wire.Untrusted;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.InetAddress;

/**
 * One client connection, as the relay sees it whatever the engine: who it is, its idle clock, its life and the fault
 * barrier, with its parts {@link SessionInput} (framing, the verification budget), {@link SessionLines} (each line's
 * checks, the router's decision), {@link SessionIdentity} and {@link SessionReads}. The engine feeds it what it reads
 * ({@link #onBytes}, {@link #onEndOfStream}); it talks to its engine only through its {@link SessionOutput}.
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
public final class Session {
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
    private final SessionInput input;
    private final Route route;
    private final SessionLines lines;
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
    private final SessionReads reads = new SessionReads(this);
    private final SessionIdentity identity;
    /** The dispatcher's {@link Deadlines} it waits in (TLS handshake, binding, goodbye), by when, its place; or null. */
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
        this.input = new SessionInput(this, dispatcher, core);
        this.route = Route.toSession(id, remoteAddr);
        this.lines = new SessionLines(this, dispatcher, core, nowNanos);
        this.identity = new SessionIdentity(this, core);
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

    /** @return who this connection is: its binding, challenge and identity memo. */
    public SessionIdentity identity() {
        return identity;
    }

    /** @return the fingerprint this connection is bound to, or null: {@link SessionIdentity#fingerprint()}. */
    public String fingerprint() {
        return identity.fingerprint();
    }

    /** @return its binding's id, 0 while it is not bound: {@link SessionIdentity#bindingId()}. */
    public long bindingId() {
        return identity.bindingId();
    }

    /** @return whether relayed lines reach it: {@link SessionIdentity#isReceiving()}. */
    public boolean isReceiving() {
        return identity.isReceiving();
    }

    /** @return whether it is bound to a host's identity: {@link SessionIdentity#isHost()}. */
    public boolean isHost() {
        return identity.isHost();
    }

    /** @return the bytes of an unfinished line held for the client. */
    public int pendingLineBytes() {
        return input.pendingLineBytes();
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
            identity.receiveNow();
            return;
        }
        try {
            dispatcher.awaitHandshake(this, dispatcher.now() + core.handshakeTimeoutNanos());
            if (core.handshakeChallenges()) {
                output.send(SessionIdentity.challengeLine(identity.newChallenge()));
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
            core.drain().linesAfterGoodbye(this, bytes, offset, length); // told to go: read only to see it close
            return;
        }
        try {
            input.onBytes(bytes, offset, length);
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
            input.onEndOfStream(); // it sends no more: what it sent is handled now
        } catch (Throwable error) {
            fault(Faults.Where.LINE, error);
        }
    }

    /** @return whether what the client sends is framed: while open, and while it leaves after too many rejections. */
    boolean framing() {
        return state == State.OPEN || (lines.closedForRejections() && state != State.CLOSED);
    }

    /** The input it holds for later turns, which its dispatcher takes up. */
    SessionInput input() {
        return input;
    }

    /** @return what becomes of the lines it frames: the framer's {@link LineHandler}. */
    SessionLines lines() {
        return lines;
    }

    /** A line framed from this client, relayed or not: counted, and activity for its idle clock. */
    void lineIn() {
        dispatcher.turnCounts().lineReceived();
        LINES_IN.setOpaque(this, linesIn + 1);
        lastReadNanos = dispatcher.now(); // a line, not a byte, is activity: a trickle of bytes keeps no one alive
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
                leave(core.notices().line(ServerNotice.FAULT), dispatcher.now() + Dispatcher.LINGER_NANOS);
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
            leave(core.notices().line(notice), deadlineNanos);
        }
    }

    /**
     * Leaves an open session: {@code notice} is its last line, then a FIN; the core closes it at {@code deadlineNanos}
     * unless its client closed first.
     */
    void leave(byte[] notice, long deadlineNanos) {
        state = State.DRAINING;
        output.goodbye(notice);
        dispatcher.closeBy(this, deadlineNanos);
        reads.update(); // read on, to see its client close
    }

    /**
     * A connection that never becomes a client (a plaintext client of the TLS port, told so by the engine): closed
     * when its client closes, or after {@link Dispatcher#LINGER_NANOS} on the turn's clock.
     */
    public void closeAfterLinger() {
        if (state != State.CLOSED && !started) {
            dispatcher.closeBy(this, dispatcher.now() + Dispatcher.LINGER_NANOS);
        }
    }

    /** @return whether the engine reads its client ({@link SessionReads}). */
    SessionReads reads() {
        return reads;
    }

    /** @return its dispatcher, whose clock and turn it shares. */
    Dispatcher dispatcher() {
        return dispatcher;
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
            reads.closed();
            dispatcher.remove(this);
            dispatcher.stopWaiting(this);
            identity.released();
            input.closed();
            core.sessionClosed(this, started);
        }
    }

    @Override
    public String toString() {
        return "Session{" + id + ", " + remoteAddr + ", " + state + '}';
    }
}
