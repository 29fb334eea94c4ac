package org.summoner.relay.core;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.summoner.relay.config.HyperParameters;
import org.summoner.relay.config.ServerConfig;
import org.summoner.relay.policy.FairUsePolicy;
import org.summoner.relay.policy.ReadPause;
import org.summoner.relay.spi.RelayCounters;
import org.summoner.relay.wire.NoticeLines;

import java.net.InetAddress;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The relay of one server, shared by its engine's threads: the limits every session applies, the fair-use policy,
 * the {@link Router} of the routing mode, the {@link OutboundBudget}, the notices' bytes, the engine-wide
 * {@link ReadPause} of throttle and flow control, and the counters. Built once per server, before its engine.
 *
 * <p>Thread-safe.
 */
public final class RelayCore {
    private static final Logger log = LoggerFactory.getLogger(RelayCore.class);

    private final RelayCounters counters;
    private final FairUsePolicy policy;
    private final Router router;
    private final ReadPause readPause = new ReadPause();
    private final OutboundBudget budget;
    private final NoticeLines notices;
    private final int maxLineBytes;
    private final int maxEnvelopeBytes;
    private final long maxQueuedBytes;
    private final AtomicLong sessionIds = new AtomicLong();

    public RelayCore(ServerConfig config, RelayCounters counters, FairUsePolicy policy, Router router) {
        final HyperParameters parameters = config.hyperParameters();
        this.counters = counters;
        this.policy = policy;
        this.router = router;
        this.maxLineBytes = parameters.maxLineBytes();
        this.maxEnvelopeBytes = parameters.maxEnvelopeBytes();
        this.maxQueuedBytes = parameters.maxQueuedBytes();
        this.notices = new NoticeLines(maxLineBytes, maxEnvelopeBytes);
        this.budget = new OutboundBudget(policy.backpressure(), policy.admission(), readPause, counters, maxQueuedBytes);
    }

    /** @return a core for {@code config} with its own counters and policy, routing by broadcast: for tests and tools. */
    public static RelayCore of(ServerConfig config) {
        return new RelayCore(config, new RelayCounters(), FairUsePolicy.of(config), Router.BROADCAST);
    }

    public RelayCounters counters() {
        return counters;
    }

    public FairUsePolicy policy() {
        return policy;
    }

    public Router router() {
        return router;
    }

    public OutboundBudget budget() {
        return budget;
    }

    /**
     * @return the pause of reading that throttle and flow control request; engine threads read its deadline once
     *         per turn, or are told of a new pause ({@link ReadPause#onStart}).
     */
    public ReadPause readPause() {
        return readPause;
    }

    public NoticeLines notices() {
        return notices;
    }

    /** @return {@code max_line_bytes}. */
    public int maxLineBytes() {
        return maxLineBytes;
    }

    /** @return {@code max_envelope_bytes}. */
    public int maxEnvelopeBytes() {
        return maxEnvelopeBytes;
    }

    /** @return {@code max_queued_bytes}. */
    public long maxQueuedBytes() {
        return maxQueuedBytes;
    }

    Session newSession(Dispatcher dispatcher, SessionOutput output, InetAddress address, String remoteAddr, long nowNanos) {
        final Session session = new Session(sessionIds.incrementAndGet(), dispatcher, this, output, address, remoteAddr, nowNanos);
        budget.join(session);
        counters.connectionOpened();
        log.debug("{} connected.", remoteAddr);
        return session;
    }

    void sessionClosed(Session session) {
        budget.leave(session);
        counters.connectionClosed();
        policy.admission().release(session.address());
        log.debug("{} disconnected.", session.remoteAddr());
    }
}
