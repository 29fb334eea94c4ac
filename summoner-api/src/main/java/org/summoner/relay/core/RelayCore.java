package org.summoner.relay.core;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.summoner.relay.config.HyperParameters;
import org.summoner.relay.config.RoutingMode;
import org.summoner.relay.config.ServerConfig;
import org.summoner.relay.counters.LogThrottle;
import org.summoner.relay.counters.RelayCounters;
import org.summoner.relay.policy.AdmissionControl;
import org.summoner.relay.policy.FairUsePolicy;
import org.summoner.relay.policy.InvalidAttempts;
import org.summoner.relay.policy.ReadPause;
import org.summoner.relay.tls.ServerTls;
import org.summoner.relay.wire.InputBudget;
import org.summoner.relay.wire.NoticeLines;

import java.net.InetAddress;
import java.util.Collection;
import java.util.Collections;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The relay of one server, shared by its engine's threads: the limits every session applies, the fair-use policy,
 * the {@link Router} of the routing mode, who is connected (by {@code remote_addr}, by identity, the hosts), the
 * handshake's settings, the {@link OutboundBudget}, the notices' bytes, the engine-wide {@link ReadPause} of throttle
 * and flow control, and the counters. Built once per server, before its engine.
 *
 * <p>Thread-safe.
 */
public final class RelayCore {
    private static final Logger log = LoggerFactory.getLogger(RelayCore.class);

    private final RelayCounters counters;
    private final ReadPause readPause = new ReadPause();
    private final OutboundBudget budget;
    private final int maxLineBytes;
    private final int maxEnvelopeBytes;
    private final long maxQueuedBytes;
    private final AtomicLong sessionIds = new AtomicLong();
    private final Bindings bindings = new Bindings();
    private final InvalidAttempts invalidAttempts;
    private final long invalidAttemptsQuarantineNanos;
    private final long invalidAttemptsWindowNanos;
    private final ConcurrentHashMap<String, Session> byRemoteAddr = new ConcurrentHashMap<>();
    private final Set<String> hostFingerprints;
    private final AtomicInteger hostConnections = new AtomicInteger();
    private final ServerTls tls;
    private final AtomicLong membershipChanges = new AtomicLong();
    private final Faults faults = new Faults();
    private final Drain drain;
    private final LogThrottle quarantineLog = new LogThrottle();
    private final LogThrottle deadPeerLog = new LogThrottle();
    private final InputBudget inputBudget;
    /** What a reload may change, published whole ({@link #reload}); read once per decision. */
    private final LiveReference live;
    /** The other nodes of its cluster, or null when it relays alone. */
    private final OtherNodes otherNodes;
    /** The threads that check signatures off the engine threads ({@code verification}), or null: checked on them. */
    private final VerificationPool verificationPool;

    /** A relay on its own, with no other nodes. */
    public RelayCore(ServerConfig config, RelayCounters counters, FairUsePolicy policy, Function<RelayCore, Router> router) {
        this(config, counters, policy, router, null);
    }

    /**
     * @param router     the routing mode, made once this core exists ({@code Routers.of}): a mode's router reads the
     *                   core's bindings.
     * @param otherNodes the other nodes of its cluster, made once this core exists (they read its clients), or null
     *                   when it relays alone.
     */
    public RelayCore(ServerConfig config, RelayCounters counters, FairUsePolicy policy, Function<RelayCore, Router> router,
                     Function<RelayCore, OtherNodes> otherNodes) {
        final HyperParameters parameters = config.hyperParameters();
        this.counters = counters;
        this.maxLineBytes = parameters.maxLineBytes();
        this.maxEnvelopeBytes = parameters.maxEnvelopeBytes();
        this.maxQueuedBytes = parameters.maxQueuedBytes();
        this.inputBudget = new InputBudget(parameters.maxBufferedInputBytes());
        this.budget = new OutboundBudget(this, readPause, counters, maxQueuedBytes);
        this.invalidAttempts = new InvalidAttempts(parameters.routing().dedicated().invalidAttempts());
        this.invalidAttemptsQuarantineNanos = TimeUnit.SECONDS.toNanos(parameters.routing().dedicated().invalidAttempts().quarantineSecs());
        this.invalidAttemptsWindowNanos = TimeUnit.SECONDS.toNanos(parameters.routing().dedicated().invalidAttempts().windowSecs());
        final RoutingMode mode = parameters.routing().mode();
        this.hostFingerprints = mode == RoutingMode.HOSTED || mode == RoutingMode.HYBRID ? parameters.routing().hostFingerprints() : Set.of();
        this.live = new LiveReference(router);
        this.drain = new Drain(live);
        this.tls = config.tls().isPresent() ? ServerTls.of(() -> live.get().tls, counters) : null;
        live.start(this, config, policy);
        final int verificationThreads = config.verification().poolThreads();
        this.verificationPool = verificationThreads == 0 ? null
                : new VerificationPool(verificationThreads, config.verification().maxWaiting());
        this.otherNodes = otherNodes == null ? null : otherNodes.apply(this);
    }

    /** @return the threads that check signatures off the engine threads, or null when the engine threads do. */
    VerificationPool verificationPool() {
        return verificationPool;
    }

    /** @return the signed lines waiting for a verification thread now; 0 without a pool. */
    public long verificationsWaiting() {
        return verificationPool == null ? 0 : verificationPool.waiting();
    }

    /** The relay stopped (its engine closed): the verification threads end. */
    public void close() {
        if (verificationPool != null) {
            verificationPool.close();
        }
    }

    /** @return a core for {@code config} with its own counters and policy, routing by broadcast: for tests and tools. */
    public static RelayCore of(ServerConfig config) {
        return new RelayCore(config, new RelayCounters(), FairUsePolicy.of(config), core -> Router.BROADCAST);
    }

    /** @return the configuration the relay runs with: the one it started with, or the last reload applied. */
    public ServerConfig config() {
        return live.config();
    }

    /**
     * @return the configuration a router reads while it is made ({@code Routers.of}): the one being applied during a
     *         reload, else the running one. Only for making routers.
     */
    public ServerConfig routingConfig() {
        return live.routingConfig();
    }

    /**
     * Applies a configuration while the relay runs (a reload): its fair-use rules, router, notices, TLS material and
     * handshake settings are made, then published at once as one reference; each engine thread applies what concerns
     * its sessions at its next timed duties ({@link Dispatcher}: connections the new rules no longer admit are told
     * and closed). Keys that need a restart must already hold the running values ({@code ConfigReload.effective}).
     * Called by one thread at a time; nothing is published when making the new settings throws.
     */
    public void reload(ServerConfig next) {
        live.reload(this, next);
    }

    /**
     * @param listener run by the reloading thread once new settings are published (and when a drain begins), for an
     *                 engine whose threads sleep until their next timed duty (Netty) to run their duties now; an engine
     *                 sets it once, before it serves. Loops that wait at most a second need none.
     */
    public void onReload(Runnable listener) {
        live.onReload(listener);
    }


    /** @return what a reload may change, as published now: read it once per decision. */
    LiveSettings live() {
        return live.get();
    }

    /**
     * @return the one {@code kind} this core keeps across reloads, made by {@code make} the first time: state a
     *         router holds that a new router must not forget (the replay window's memory).
     */
    public <T> T keep(Class<T> kind, Supplier<T> make) {
        return live.keep(kind, make);
    }

    public RelayCounters counters() {
        return counters;
    }

    /**
     * @return what all clients' unfinished lines and held input may hold together ({@code max_buffered_input_bytes}),
     *         shared by every engine thread.
     */
    public InputBudget inputBudget() {
        return inputBudget;
    }

    /** @return the drain for a rolling upgrade: whether it has begun, its schedule's period, what leaving cost. */
    public Drain drain() {
        return drain;
    }

    /** @return the fault barrier's books: faults counted by where they entered, and whether a relay thread died. */
    public Faults faults() {
        return faults;
    }

    /** @return the fair-use policy now: a reload publishes a new one over the same quarantine list and counts. */
    public FairUsePolicy policy() {
        return live.get().policy;
    }

    /** @return the other nodes of its cluster ({@code cluster}), or null when it relays alone. */
    public OtherNodes otherNodes() {
        return otherNodes;
    }

    /**
     * @return how many times who is connected changed (a session started or closed, a connection was bound): the
     *         cluster's presence is sent again when it moves.
     */
    public long membershipChanges() {
        return membershipChanges.get();
    }

    void membershipChanged() {
        if (otherNodes != null) {
            membershipChanges.incrementAndGet();
        }
    }

    /**
     * @return the route to the connections bound to {@code fingerprint}, on this node and the others of its cluster,
     *         or null when none is bound anywhere.
     */
    public Route routeToIdentity(String fingerprint) {
        final Bindings.Binding binding = bindings.find(fingerprint);
        if (binding != null) {
            return binding.route();
        }
        return otherNodes == null ? null : otherNodes.identityElsewhere(fingerprint);
    }

    /** @return the connections bound as hosts now, on this node and the other nodes of its cluster. */
    public int hostsAnywhere() {
        return (int) Math.min(Integer.MAX_VALUE, (long) hostConnections.get() + (otherNodes == null ? 0 : otherNodes.hostsElsewhere()));
    }

    /** @return TLS on the relay port ({@code tls}), or null when it speaks plain TCP. */
    public ServerTls tls() {
        return tls;
    }

    /** @return the router now: a reload makes a new one. */
    public Router router() {
        return live.get().router;
    }

    public OutboundBudget budget() {
        return budget;
    }

    /** @return the identities bound to connections now. */
    public Bindings bindings() {
        return bindings;
    }

    /** @return the open session whose {@code remote_addr} is {@code remoteAddr}, on whatever thread, or null. */
    public Session session(String remoteAddr) {
        return byRemoteAddr.get(remoteAddr);
    }

    /**
     * @return the sessions registered now, on every engine thread, a TLS handshake under way included (then
     *         {@link Session#startedAtMillis()} is 0): a weakly consistent view for monitoring, read on its thread.
     */
    public Collection<Session> sessions() {
        return Collections.unmodifiableCollection(byRemoteAddr.values());
    }

    /** @return whether a connection bound to {@code fingerprint} is a host: {@code hosted} or {@code hybrid}, and a configured host. */
    public boolean isHostIdentity(String fingerprint) {
        return hostFingerprints.contains(fingerprint);
    }

    /** @return the connections bound as hosts now. */
    public int hostsConnected() {
        return hostConnections.get();
    }

    void hostJoined() {
        hostConnections.incrementAndGet();
    }

    void hostLeft() {
        hostConnections.decrementAndGet();
    }

    /** @return {@code handshake.required}: nothing is relayed from a connection before it is bound. */
    public boolean handshakeRequired() {
        return live.get().handshakeRequired;
    }

    /** @return whether each connection is sent a challenge its binding envelope must answer. */
    public boolean handshakeChallenges() {
        return live.get().handshakeChallenges;
    }

    /** @return {@code tls.handshake_timeout_secs} in nanoseconds; only read when {@link #tls()} is set. */
    long tlsHandshakeTimeoutNanos() {
        return live.get().tlsHandshakeTimeoutNanos;
    }

    long handshakeTimeoutNanos() {
        return live.get().handshakeTimeoutNanos;
    }

    /** @return the rejected lines counted per IP ({@code dedicated_relay.invalid_attempts}). */
    public InvalidAttempts invalidAttempts() {
        return invalidAttempts;
    }

    /** @return {@code invalid_attempts.window_secs}, in nanoseconds. */
    long invalidAttemptsWindowNanos() {
        return invalidAttemptsWindowNanos;
    }

    long invalidAttemptPauseNanos(InvalidAttempts.Action action) {
        final LiveSettings settings = live.get();
        return action == InvalidAttempts.Action.THROTTLE ? settings.throttleNanos : settings.flowControlNanos;
    }

    /** Too many rejected lines: the session's IP may not connect for {@code quarantine_secs}, unless trusted. */
    void quarantineForInvalidAttempts(Session session, long nowNanos) {
        final AdmissionControl.Quarantine quarantine = policy().admission().quarantine(session.address(), nowNanos,
                invalidAttemptsQuarantineNanos);
        if (quarantine == AdmissionControl.Quarantine.QUARANTINED) {
            counters.quarantined();
            final long quiet = quarantineLog.tryLog(nowNanos);
            if (quiet >= 0) { // addresses are many (IPv6): counted always, logged every 10 s at most
                log.warn("{} quarantined for {} s after too many rejected lines{}", session.remoteAddr(),
                        TimeUnit.NANOSECONDS.toSeconds(invalidAttemptsQuarantineNanos), quarantineLog.since(quiet));
            }
        }
    }

    /**
     * @return the pause of reading that throttle and flow control request; engine threads read its deadline once
     *         per turn, or are told of a new pause ({@link ReadPause#onStart}).
     */
    public ReadPause readPause() {
        return readPause;
    }

    public NoticeLines notices() {
        return live.get().notices;
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
        byRemoteAddr.put(remoteAddr, session);
        return session;
    }

    /** The session can carry lines (over TLS: its handshake is done): from now on it is a connected client. */
    void sessionStarted(Session session) {
        counters.connectionOpened();
        membershipChanged();
        log.debug("{} connected.", session.remoteAddr());
    }

    /**
     * A peer stopped answering (TCP keepalive probes, or retransmissions, unanswered): counted, and logged at most every
     * 10 s, since a network that goes away takes many peers with it.
     */
    void deadPeer(Session session) {
        counters.deadPeer();
        final long quiet = deadPeerLog.tryLog(System.nanoTime());
        if (quiet >= 0) {
            log.info("{} stopped answering (it vanished without closing: TCP keepalive or retransmissions went unanswered); "
                    + "its connection is freed{}", session.remoteAddr(), deadPeerLog.since(quiet));
        }
    }

    /** @param started whether it was counted as connected ({@link #sessionStarted}). */
    void sessionClosed(Session session, boolean started) {
        budget.leave(session);
        byRemoteAddr.remove(session.remoteAddr(), session);
        if (started) {
            counters.connectionClosed();
        }
        policy().admission().release(session.address());
        membershipChanged();
        log.debug("{} disconnected.", session.remoteAddr());
    }
}
