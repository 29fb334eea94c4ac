package org.summoner.relay.cluster;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.summoner.relay.config.ClusterSettings;
import org.summoner.relay.config.RoutingMode;
import org.summoner.relay.core.FromOtherNodes;
import org.summoner.relay.core.OtherNodes;
import org.summoner.relay.core.RelayCore;
import org.summoner.relay.core.Route;
import org.summoner.relay.core.Session;
import org.summoner.relay.spi.EngineDiscovery;
import org.summoner.relay.wire.Untrusted;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * This node's side of a relay cluster (SPEC section 11), the same for every backplane: what a line accepted here
 * sends to the other nodes, what a line from another node does here, and who is connected elsewhere.
 *
 * <ul>
 *   <li><b>Out</b> ({@link #offer}, on the sender's engine thread, after the line passed every check of its node and
 *       was encoded once): the envelope and its route go to the nodes that hold a recipient: every node for a
 *       broadcast or the participants, the nodes with hosts for {@link Route#KIND_HOSTS}, the nodes where an identity
 *       is bound or a participant is connected for the routes that name one. They are gathered in the thread's
 *       {@link ClusterOutbox} and sent as frames of many lines at the end of its turn. A frame the backplane could not
 *       send is counted (its lines, {@code clusterLinesNotSent}) and logged at most once per 10 s; the node keeps
 *       serving its own clients.</li>
 *   <li><b>In</b> ({@link Backplane.Receiver#onFrame}, on the backplane's thread): the route is resolved against this
 *       node's sessions and the envelope handed to the engine ({@link FromOtherNodes}) as if a local
 *       sender that is no local client had relayed it: nothing is checked twice, and its sender's
 *       {@code remote_addr} is the one its own node saw.</li>
 *   <li><b>Presence</b> (a thread of its own, {@code summoner-cluster}): this node's identities, host count and
 *       participants' addresses go to every node when they change (within {@link #TICK_NANOS}) and every
 *       {@link #PRESENCE_INTERVAL_NANOS}; the {@link ClusterDirectory} holds the other nodes'.</li>
 * </ul>
 *
 * Per-sender order holds end to end: a sender's lines are offered from its one engine thread in order, the
 * backplane keeps each publisher's order, and one receiving thread hands them to the engine in order.
 *
 * <p>Thread-safe.
 */
public final class Cluster implements OtherNodes, Backplane.Receiver, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Cluster.class);
    static final long PRESENCE_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
    static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    private static final long REPORT_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final byte[] NO_NAME = new byte[0];

    private final RelayCore core;
    private final ClusterSettings settings;
    private final Backplane backplane;
    private final byte[] node;
    private final long incarnation = System.nanoTime() ^ new SecureRandom().nextLong();
    private final ClusterDirectory directory = new ClusterDirectory();
    private final boolean sendsIdentities;
    private final boolean sendsParticipants;
    /** The longest LINE frame of one line: this node's {@code max_envelope_bytes} and what a frame adds. */
    private final int lineFrameBytes;
    /** Seals frames sent and checks frames received ({@code cluster.secret_file}); null without a secret. */
    private final FrameSeal seal;
    private final ClusterIntake intake;
    /** The settings every node must share, sent in each presence ({@link Agreement}). */
    private final String agreement;
    private volatile FromOtherNodes local;
    private volatile boolean closed;
    private volatile boolean presenceWanted = true;
    private Thread timer;

    private Cluster(RelayCore core, ClusterSettings settings, BackplaneProvider provider) {
        this.core = core;
        this.settings = settings;
        this.node = settings.node().getBytes(StandardCharsets.US_ASCII);
        final RoutingMode mode = core.config().hyperParameters().routing().mode();
        this.sendsIdentities = mode != RoutingMode.BROADCAST;
        this.sendsParticipants = mode == RoutingMode.HOSTED || mode == RoutingMode.HYBRID;
        final BackplaneContext context = new BackplaneContext(settings, this);
        this.backplane = provider.create(context);
        for (String warning : context.section().warnings()) {
            log.warn(warning); // a key of cluster.<backplane> it does not read, as the config reader warns of its own
        }
        this.seal = settings.secret() == null ? null : new FrameSeal(settings.secret().bytes(), settings.node(), System.currentTimeMillis());
        this.lineFrameBytes = core.maxEnvelopeBytes() + LineBatch.lineOverhead(node, 0xFFFF, seal);
        this.agreement = Agreement.of(core.config().hyperParameters());
        this.intake = new ClusterIntake(core, settings.node(), directory, seal, this, agreement);
    }

    /**
     * @return this node's side of the cluster, its backplane made (not started) by the provider named
     *         {@code cluster.backplane}.
     * @throws IllegalArgumentException naming the key, the file and the backplanes found, when none has that name.
     */
    public static Cluster of(RelayCore core, ClusterSettings settings) {
        final EngineDiscovery.Loaded<BackplaneProvider> loaded = EngineDiscovery.load(BackplaneProvider.class,
                Cluster.class.getClassLoader());
        final List<String> found = new ArrayList<>();
        BackplaneProvider chosen = null;
        for (BackplaneProvider provider : loaded.providers()) {
            found.add(provider.name());
            if (provider.name().equals(settings.backplane())) {
                if (chosen != null) {
                    throw new IllegalArgumentException(settings.source() + ": key \"cluster.backplane\": two backplanes on the "
                            + "class path are named \"" + settings.backplane() + "\": " + chosen.getClass().getName() + " and "
                            + provider.getClass().getName() + "; remove one of the jars");
                }
                chosen = provider;
            }
        }
        if (chosen == null) {
            throw new IllegalArgumentException(settings.source() + ": key \"cluster.backplane\": expected the name of a backplane on the class path ("
                    + (found.isEmpty() ? "none found" : String.join(", ", found)) + "), found \"" + settings.backplane() + "\""
                    + (loaded.failures().isEmpty() ? "" : "; providers that failed to load: " + String.join("; ", loaded.failures())));
        }
        return new Cluster(core, settings, chosen);
    }

    /** @return this node's name. */
    public String node() {
        return settings.node();
    }

    /** @return the backplane, as the start-up log describes it. */
    public String describe() {
        return backplane.describe();
    }

    /** @return a new outbox for one engine thread, whose lines {@link #offer} routes to the other nodes. */
    @Override
    public OtherNodes.Outbox outbox() {
        return new ClusterOutbox(this, node, seal, Math.min(LineBatch.FRAME_BYTES, backplane.maxFrameBytes()));
    }

    /**
     * Starts the backplane and the presence thread; from now on lines from other nodes go to {@code local} (the
     * started engine's, {@code EngineContext.fromOtherNodes}).
     */
    public void start(FromOtherNodes local) throws IOException {
        this.local = local;
        if (seal == null) {
            log.warn("cluster: frames are not authenticated (no cluster.secret_file): anyone who can publish on {} can "
                    + "inject lines and presence into this node; give every node the same secret file", backplane.describe());
        } else {
            log.info("cluster: frames are authenticated (HMAC-SHA-256 keyed by {})", settings.secret().file());
        }
        backplane.start();
        if (lineFrameBytes > backplane.maxFrameBytes()) {
            log.warn("cluster: {} carries frames of {} bytes at most; lines whose envelope is longer than about {} bytes "
                    + "(max_envelope_bytes is {}) are not sent to other nodes (counted as not sent)", backplane.describe(),
                    backplane.maxFrameBytes(), backplane.maxFrameBytes() - (lineFrameBytes - core.maxEnvelopeBytes()),
                    core.maxEnvelopeBytes());
        }
        timer = new Thread(this::runTimer, "summoner-cluster");
        timer.setDaemon(true);
        timer.start();
    }

    // ---- out ----

    /**
     * A line relayed on this node, already checked and encoded ({@code envelope[0, length)}): gathered in
     * {@code outbox} (the sender's engine thread's) for every other node that holds a recipient of {@code route}.
     */
    void offer(Route route, byte[] envelope, int length, ClusterOutbox outbox) {
        switch (route.kind()) {
            case Route.KIND_BROADCAST, Route.KIND_PARTICIPANTS -> outbox.toAll(route.kind(), NO_NAME, envelope, length);
            case Route.KIND_HOSTS -> sendTo(directory.view().hostNodes(), Set.of(), route, NO_NAME, envelope, length, outbox);
            case Route.KIND_BINDING -> {
                final ClusterDirectory.View view = directory.view();
                final ClusterDirectory.Targets targets = view.identities().get(route.name());
                if (targets != null) {
                    sendTo(targets.nodes(), view.silent(), route, route.nameBytes(), envelope, length, outbox);
                }
            }
            case Route.KIND_SESSION -> {
                if (route.isLocal()) {
                    return; // a participant of this node, found here: it is the one named
                }
                final ClusterDirectory.View view = directory.view();
                final ClusterDirectory.Targets targets = view.participants().get(route.name());
                if (targets != null) {
                    sendTo(targets.nodes(), view.silent(), route, route.nameBytes(), envelope, length, outbox);
                }
            }
            default -> {
            }
        }
    }

    /** To each of {@code nodes}; for each that fell {@code silent}, the line is counted as not sent instead. */
    private void sendTo(String[] nodes, Set<String> silent, Route route, byte[] name, byte[] envelope, int length, ClusterOutbox outbox) {
        for (String to : nodes) {
            if (silent.isEmpty() || !silent.contains(to)) {
                outbox.toNode(to, route.kind(), name, envelope, length);
            } else {
                core.counters().clusterLinesNotSent(1);
            }
        }
    }

    /**
     * A LINE frame of {@code lines} lines, {@code frame[0, length)}, to node {@code to} (every node when null).
     *
     * @return whether it was sent; if not, its lines are counted as not sent.
     */
    boolean publish(String to, byte[] frame, int length, int lines) {
        if (!closed && backplane.publish(to, frame, 0, length)) {
            core.counters().clusterLinesSent(lines);
            return true;
        }
        core.counters().clusterLinesNotSent(lines);
        return false;
    }

    // ---- who is elsewhere ----

    /** @return the route to the connections bound to {@code fingerprint} on other nodes, or null when there are none. */
    @Override
    public Route identityElsewhere(String fingerprint) {
        final ClusterDirectory.Targets targets = directory.view().identities().get(fingerprint);
        return targets == null ? null : targets.route();
    }

    /**
     * @return the route to the participant {@code qualifiedAddress} names ({@code ip:port@node}, {@link NodeAddresses})
     *         on another node, or null when there is none.
     */
    @Override
    public Route participantElsewhere(String qualifiedAddress) {
        final ClusterDirectory.Targets targets = directory.view().participants().get(qualifiedAddress);
        return targets == null ? null : targets.route();
    }

    @Override
    public String addressHere(String name) {
        return NodeAddresses.addressHere(name, settings.node());
    }

    /** @return whether an identity is bound to a connection of another node. */
    public boolean isBoundElsewhere(String fingerprint) {
        return directory.view().identities().containsKey(fingerprint);
    }

    /** @return the connections bound as hosts on other nodes. */
    @Override
    public int hostsElsewhere() {
        return directory.view().hosts();
    }

    /** @return the other nodes this one hears from now. */
    @Override
    public Set<String> nodes() {
        return directory.nodes();
    }

    // ---- in ----

    /** A frame from the backplane: {@link ClusterIntake}, on the backplane's one receiving thread. */
    @Override
    public void onFrame(byte[] frame, int offset, int length) {
        intake.onFrame(frame, offset, length);
    }

    /** Another node joined: this node's presence goes out without waiting for the interval. */
    void presenceWanted() {
        presenceWanted = true;
    }

    /** Node {@code node}, whose settings agree, says where the backplane reaches it ({@link Backplane#nodeAt}). */
    void nodeAt(String node, String address) {
        backplane.nodeAt(node, address);
    }

    /** @return where lines from other nodes go, or null while the engine has not started or the node is closing. */
    FromOtherNodes local() {
        return closed ? null : local;
    }

    // ---- presence ----

    private void runTimer() {
        long lastPresence = 0;
        long lastChanges = -1;
        long lastReport = System.nanoTime();
        long notSentReported = core.counters().clusterLinesNotSent();
        final int[] written = new int[2];
        while (!closed) {
            LockSupport.parkNanos(TICK_NANOS);
            final long now = System.nanoTime();
            try {
                final long changes = core.membershipChanges();
                if (presenceWanted || changes != lastChanges || now - lastPresence >= PRESENCE_INTERVAL_NANOS) {
                    presenceWanted = false;
                    lastChanges = changes;
                    lastPresence = now;
                    sendPresence(written);
                }
                directory.expire(now);
                if (now - lastReport >= REPORT_NANOS) {
                    lastReport = now;
                    final long notSent = core.counters().clusterLinesNotSent();
                    if (notSent != notSentReported) {
                        final Set<String> silent = directory.view().silent();
                        log.warn("cluster: {} lines for other nodes not sent in the last {} s (backplane {}{}); this node serves its own clients",
                                notSent - notSentReported, REPORT_NANOS / 1_000_000_000L, backplane.describe(),
                                silent.isEmpty() ? "" : "; silent nodes: " + Untrusted.text(String.join(", ", silent)));
                        notSentReported = notSent;
                    }
                }
            } catch (RuntimeException e) {
                log.warn("cluster: presence failed: {}", e.toString());
            }
        }
    }

    private void sendPresence(int[] written) {
        final List<String> identities = sendsIdentities ? List.copyOf(core.bindings().fingerprints()) : List.of();
        final List<String> participants = new ArrayList<>();
        if (sendsParticipants) {
            for (Session session : core.sessions()) {
                if (session.isOpen() && !session.isHost() && session.startedAtMillis() != 0) {
                    participants.add(session.remoteAddr());
                }
            }
        }
        final byte[] frame = ClusterFrames.presence(node, incarnation, core.hostsConnected(), identities, participants,
                agreement, backplane.address(), backplane.maxFrameBytes(), written, seal);
        if (written[0] < identities.size() || written[1] < participants.size()) {
            log.warn("cluster: this node's presence ({} identities, {} participants) is larger than the backplane's largest frame ({} bytes): {} and {} were sent",
                    identities.size(), participants.size(), backplane.maxFrameBytes(), written[0], written[1]);
        }
        backplane.publish(null, frame, 0, frame.length);
    }

    /** Tells the other nodes this one leaves, stops the presence thread and closes the backplane. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (timer != null) {
            timer.interrupt();
            try {
                timer.join(TimeUnit.SECONDS.toMillis(2));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        final byte[] bye = ClusterFrames.headerOnly(ClusterFrames.BYE, node, seal);
        backplane.publish(null, bye, 0, bye.length);
        backplane.close();
    }
}
