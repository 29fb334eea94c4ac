package org.summoner.relay.core;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.summoner.relay.spi.CounterBatch;
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
    private Session[] sessions = new Session[64];
    private int sessionCount;
    private long now = System.nanoTime();
    private long nextIdleSweepNanos;

    protected Dispatcher(RelayCore core) {
        this.core = core;
        this.counts = new CounterBatch(core.counters());
        this.scratch = new EnvelopeScratch(core.maxEnvelopeBytes());
        this.nextIdleSweepNanos = now + core.policy().idleCheckIntervalNanos();
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

    /** Sets the clock: for tests that drive time by hand. */
    final void setClock(long nanos) {
        now = nanos;
    }

    /** @return this thread's counts, published to the shared counters once per turn ({@link CounterBatch#publish()}). */
    public final CounterBatch turnCounts() {
        return counts;
    }

    final EnvelopeScratch scratch() {
        return scratch;
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
     * Every {@code timeout_check_interval_secs}: tells sessions that sent nothing for {@code client_timeout_secs}
     * and closes them (receiving is not activity, as in the reference).
     */
    protected final void sweepIdle() {
        if (!core.policy().idleTimeoutEnabled() || now - nextIdleSweepNanos < 0) {
            return;
        }
        nextIdleSweepNanos = now + core.policy().idleCheckIntervalNanos();
        for (int i = 0; i < sessionCount; i++) {
            final Session session = sessions[i];
            if (session.isOpen() && core.policy().isIdle(session.lastReadNanos(), now)) {
                core.counters().idleDisconnected();
                log.debug("{} idle; disconnecting", session.remoteAddr());
                session.sayGoodbye(ServerNotice.IDLE_TIMEOUT, now + LINGER_NANOS);
            }
        }
    }

    /** @return how long until the next idle sweep is due, at most {@code capNanos}; never negative. */
    protected final long nanosToIdleSweep(long capNanos) {
        if (!core.policy().idleTimeoutEnabled()) {
            return capNanos;
        }
        return Math.max(0, Math.min(capNanos, nextIdleSweepNanos - now));
    }

    /** Server shutdown: every session is told {@code Warning: Server is shutting down.} and closed by the deadline. */
    protected final void sayGoodbyeToAll(long deadlineNanos) {
        for (int i = sessionCount - 1; i >= 0; i--) {
            sessions[i].sayGoodbye(ServerNotice.SHUTTING_DOWN, deadlineNanos);
        }
    }
}
