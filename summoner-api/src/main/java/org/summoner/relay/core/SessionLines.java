package org.summoner.relay.core;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.summoner.relay.counters.RelayedLines;
import org.summoner.relay.identity.DeferredChecks;
import org.summoner.relay.identity.IdentityMemo;
import org.summoner.relay.policy.InvalidAttempts;
import org.summoner.relay.policy.RateLimiter;
import org.summoner.relay.wire.EnvelopeEncoder;
import org.summoner.relay.wire.EnvelopeScratch;
import org.summoner.relay.wire.LineHandler;
import org.summoner.relay.wire.Rejection;
import org.summoner.relay.wire.ServerNotice;

/**
 * What becomes of each line one session frames: the checks after framing (the rate limit, then the router's, then
 * the envelope bound), the router's decision carried out (relayed in this session's envelope, encoded once; refused
 * and told; told a line of the server's), and the count of its invalid attempts with what it calls for
 * ({@code invalid_attempts}): each is recorded on its IP's count, or on the connection's own inside
 * {@code peer_trust.trusted_networks}; at the thresholds reading from it is delayed or paused, or it is told and
 * closed, and its IP quarantined unless trusted.
 *
 * <p>Part of its {@link Session}, on its thread; not thread-safe. Allocates nothing per line.
 */
final class SessionLines implements LineHandler, Router.Decision {
    private static final Logger log = LoggerFactory.getLogger(Session.class);

    private final Session session;
    private final Dispatcher dispatcher;
    private final RelayCore core;
    private final byte[] envelopePrefix;
    private final RateLimiter rateLimiter;
    /** From {@code peer_trust.trusted_networks}: its rejected lines are counted on its own {@link #tally}, not its IP's. */
    private boolean trusted;
    private InvalidAttempts.Tally tally;
    private boolean quarantined;
    /**
     * Closed for too many rejected lines from an address outside the trusted networks: lines it still sends while it
     * lingers are counted against its address too, so a flood of junk on its way out reaches the quarantine threshold.
     */
    private boolean closedForRejections;

    SessionLines(Session session, Dispatcher dispatcher, RelayCore core, long nowNanos) {
        this.session = session;
        this.dispatcher = dispatcher;
        this.core = core;
        this.envelopePrefix = EnvelopeEncoder.prefix(session.remoteAddr());
        this.rateLimiter = core.policy().newRateLimiter(nowNanos);
        this.trusted = core.policy().admission().trusts(session.address());
    }

    /** A reload may have changed {@code peer_trust.trusted_networks}: whose tally its rejected lines count on. */
    void retrust() {
        trusted = core.policy().admission().trusts(session.address());
    }

    /** @return whether it leaves for its rejected lines and its address's count goes on while it does. */
    boolean closedForRejections() {
        return closedForRejections;
    }

    /**
     * Asked by the framer after each line: false once this turn's signature checks for this connection are spent
     * ({@link SessionInput#CHECKS_PER_TURN}), so one client's signed lines never make the others wait more than one
     * check each, and false once it is closed in the middle of a read (what follows is not read as lines).
     */
    @Override
    public boolean mayGoOn() {
        return session.framing() && session.input().mayGoOn();
    }

    @Override
    public void onLine(byte[] line, int offset, int length) {
        if (!session.isOpen()) {
            if (closedForRejections) {
                record(dispatcher.now()); // junk on its way out: its address's count goes on
            }
            return; // not a line received: it is only counted against the address of a client leaving for rejections
        }
        session.lineIn(); // a line, not a byte, is activity: a trickle of bytes keeps no one alive
        session.input().renewBudget();
        final int perMinute = core.policy().rateLimitPerMinute();
        if (rateLimiter.capacity() != perMinute) {
            rateLimiter.retune(perMinute); // a reload changed it
        }
        if (!rateLimiter.tryAcquire(dispatcher.now())) {
            drop(ServerNotice.RATE_LIMITED);
            return;
        }
        final Router router = core.router();
        if (router == Router.BROADCAST || !session.input().mayDefer()) {
            router.route(session, line, offset, length, this); // signature checks, if any, computed here
            return;
        }
        final IdentityMemo memo = session.identity().memo();
        final DeferredChecks checks = dispatcher.spareChecks();
        memo.deferTo(checks);
        try {
            router.route(session, line, offset, length, this);
        } finally {
            memo.deferTo(null);
        }
        if (checks.count() > 0) { // the router decided nothing: the line waits for the pool
            final ServerNotice refused = session.input().await(line, offset, length, checks);
            if (refused != null) {
                drop(refused);
            }
        }
    }

    /**
     * A line that waited for the verification pool ({@link PendingLine}) is routed again, on this thread, its deferred
     * checks answered by {@code answers} (null: by the caches, or computed here); what was decided of it before (its
     * rate limit, its count) is not done again. Nothing for a session no longer open, as for any line it sends then.
     */
    void routeAgain(byte[] line, DeferredChecks answers) {
        if (!session.isOpen()) {
            return;
        }
        final IdentityMemo memo = session.identity().memo();
        memo.answerWith(answers);
        try {
            core.router().route(session, line, 0, line.length, this);
        } finally {
            memo.answerWith(null);
        }
    }

    @Override
    public void onLineDropped(ServerNotice reason) {
        if (!session.isOpen()) {
            return; // as in onLine: a client leaving for rejections has no more lines received
        }
        session.lineIn();
        drop(reason);
    }

    /** The router's decision: the content goes in this session's envelope, encoded once, to the route's sessions. */
    @Override
    public void relay(Route route, byte[] content, int offset, int length) {
        if (!session.isOpen()) {
            return; // closed while its line was routed (a host closed by its own notices mid-directive): nothing more
        }
        final EnvelopeScratch scratch = dispatcher.scratch();
        final int encoded = scratch.encode(envelopePrefix, content, offset, length);
        if (encoded == EnvelopeEncoder.TOO_LONG) {
            drop(ServerNotice.ENVELOPE_TOO_LONG);
            return;
        }
        if (RelayedLines.enabled()) {
            RelayedLines.received(session.remoteAddr(), content, offset, length);
        }
        dispatcher.turnCounts().lineRelayed();
        if (route.isLocal()) {
            dispatcher.dispatch(session, scratch.bytes(), encoded, route);
        }
        final OtherNodes otherNodes = core.otherNodes();
        if (otherNodes != null) {
            dispatcher.clusterOutbox(otherNodes).offer(route, scratch.bytes(), encoded);
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
        log.debug("{} line rejected: {}", session.remoteAddr(), reason.code());
        if (session.isOpen()) {
            invalidAttempt(reason, true);
        }
    }

    /** The router's decision: a valid line that goes nowhere, an invalid attempt the sender is not told of. */
    @Override
    public void wasted(Rejection reason) {
        core.counters().lineUndeliverable();
        log.debug("{} line went nowhere: {}", session.remoteAddr(), reason.code());
        if (session.isOpen()) {
            invalidAttempt(reason, false);
        }
    }

    /** The router's decision: the line is not relayed, for a reason the sender is told. */
    @Override
    public void refuse(ServerNotice reason) {
        drop(reason);
    }

    /** The router's decision: a line for the sender alone, from the server (e.g. a directive's missing recipient). */
    @Override
    public void tell(byte[] line) {
        if (session.isOpen()) {
            session.output().send(line);
        }
    }

    /** A line that is not relayed: counted, logged at DEBUG, and the client is told why. */
    private void drop(ServerNotice reason) {
        core.counters().linesDropped(reason, 1);
        log.debug("{} line dropped: {}", session.remoteAddr(), reason);
        if (session.isOpen()) {
            session.output().send(core.notices().line(reason));
        }
    }

    /**
     * One invalid attempt of an open session, and what its count calls for; {@code tell}: the client is told of this
     * line.
     */
    private void invalidAttempt(Rejection reason, boolean tell) {
        final SessionOutput output = session.output();
        final byte[] notice = core.notices().rejected(reason);
        final long now = dispatcher.now();
        final InvalidAttempts.Action action = record(now);
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
                session.reads().pause(now + core.invalidAttemptPauseNanos(action));
            }
            case DISCONNECT, QUARANTINE -> {
                core.counters().closedAfterRejections();
                log.debug("{} closed after too many rejected lines ({})", session.remoteAddr(), action);
                closedForRejections = !trusted;
                session.leave(notice, now + Dispatcher.LINGER_NANOS);
            }
        }
    }

    /**
     * One more invalid attempt of this connection: on its own tally inside the trusted networks, on its address's
     * outside, where reaching the quarantine threshold quarantines the address (once per connection).
     */
    private InvalidAttempts.Action record(long now) {
        session.input().invalidAttemptAt(now);
        final InvalidAttempts attempts = core.invalidAttempts();
        if (trusted) {
            if (tally == null) {
                tally = attempts.newTally();
            }
            return attempts.record(tally, now);
        }
        final InvalidAttempts.Action action = attempts.record(session.address(), now);
        if (action == InvalidAttempts.Action.QUARANTINE && !quarantined) {
            quarantined = true;
            core.quarantineForInvalidAttempts(session, now);
        }
        return action;
    }
}
