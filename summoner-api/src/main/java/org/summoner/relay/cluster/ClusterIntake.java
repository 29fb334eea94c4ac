package org.summoner.relay.cluster;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.summoner.relay.config.RoutingMode;
import org.summoner.relay.core.Bindings;
import org.summoner.relay.core.Faults;
import org.summoner.relay.core.FromOtherNodes;
import org.summoner.relay.core.RelayCore;
import org.summoner.relay.core.Route;
import org.summoner.relay.core.Session;
import org.summoner.relay.counters.LogThrottle;
import org.summoner.relay.counters.RelayCounters.FrameRejection;
import org.summoner.relay.policy.RateLimiter;
import org.summoner.relay.wire.Untrusted;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What a frame from another node does on this one, on the backplane's one receiving thread: it is read
 * ({@link ClusterFrames}), authenticated when the cluster has a secret ({@link FrameSeal}: MAC, time, sequence), and
 * then a LINE's route is resolved against this node's sessions and its envelope handed to the engine
 * ({@link FromOtherNodes}) as if a local sender that is no local client had relayed it, a PRESENCE goes to the
 * {@link ClusterDirectory}, a BYE takes its node out. A frame refused is counted by reason
 * ({@code summoner_cluster_frames_rejected_total}), dropped and logged at most every 10 s.
 *
 * <p>One receiving thread.
 */
final class ClusterIntake {
    private static final Logger log = LoggerFactory.getLogger(Cluster.class);
    /** The presence frames a node may send a second, and at once. */
    static final int PRESENCE_PER_SECOND = 100;
    /** The longest identity or address a presence may name: a fingerprint has 22 characters, {@code [v6]:port} 47. */
    static final int MAX_PRESENCE_NAME = 64;

    private final RelayCore core;
    private final String node;
    private final ClusterDirectory directory;
    /** Null without {@code cluster.secret_file}. */
    private final FrameSeal seal;
    private final Cluster cluster;
    private final ClusterFrames.Header header = new ClusterFrames.Header();
    private final LineBatch.Reader lines = new LineBatch.Reader();
    /** This node's settings that must agree ({@link Agreement}). */
    private final String agreement;
    /** The nodes refused for settings that differ, with theirs: at most {@link ClusterDirectory#MAX_NODES}. */
    private final Map<String, String> differing = new HashMap<>();
    /**
     * The longest LINE frame this node takes: one line of its own {@code max_envelope_bytes} and the most a frame adds
     * (the longest node names and route name, the seal), or a frame of several lines ({@link LineBatch#FRAME_BYTES}).
     * A longer one is refused before its MAC is computed, so a flood of large forged frames costs a length check each,
     * not a MAC over a megabyte.
     */
    private final int maxLineFrame;
    /** The route kinds a line of this node's routing mode may have (a bit each), as its own clients' lines do. */
    private final int routedKinds;
    /** A line for this node's hosts, its address qualified by its node: {@code max_envelope_bytes}, made when first needed. */
    private byte[] forHosts;
    private String lastOrigin;
    private byte[] lastOriginBytes;
    /**
     * How often each node may send its presence, checked before it is read: a node sends one per
     * {@link Cluster#TICK_NANOS} (50 a second) at most. The last {@code 2 * MAX_NODES} names heard are kept.
     */
    private final Map<String, RateLimiter> presenceRates = new Recent<>(2 * ClusterDirectory.MAX_NODES);
    /**
     * The nodes whose last presence agreed with this node's settings: their lines are taken, also while a partition
     * keeps their presence away (the directory forgets a silent node; its settings stay known). The last
     * {@code 2 * MAX_NODES} kept.
     */
    private final Map<String, Boolean> agreed = new Recent<>(2 * ClusterDirectory.MAX_NODES);
    private final LogThrottle rejectedLog = new LogThrottle();
    private final LogThrottle sameNameLog = new LogThrottle();
    private final LogThrottle hostsLog = new LogThrottle();
    private final LogThrottle lostLog = new LogThrottle();
    private final LineGaps gaps = new LineGaps();

    ClusterIntake(RelayCore core, String node, ClusterDirectory directory, FrameSeal seal, Cluster cluster, String agreement) {
        this.core = core;
        this.agreement = agreement;
        this.node = node;
        this.directory = directory;
        this.seal = seal;
        this.cluster = cluster;
        this.routedKinds = routedKinds(core.config().hyperParameters().routing().mode());
        this.maxLineFrame = Math.max(LineBatch.FRAME_BYTES,
                core.maxEnvelopeBytes() + LineBatch.lineOverhead(new byte[ClusterFrames.MAX_NODE_NAME], 0xFFFF, seal));
    }

    /**
     * A frame from the backplane. Nothing in it can throw past here (the fault barrier of frames, SPEC section 10): an
     * unreadable frame is dropped and logged at most every 10 s; a fault while handling it is counted and logged by
     * the core's {@link Faults}, and the frame dropped.
     */
    void onFrame(byte[] frame, int offset, int length) {
        final ClusterFrames.Header header = this.header;
        header.origin = null;
        try {
            ClusterFrames.read(frame, offset, length, header);
            if (header.type == ClusterFrames.LINE && length > maxLineFrame) {
                throw new ClusterFrames.MalformedFrame(FrameRejection.OVER_LIMIT, "a line frame of " + length
                        + " bytes, over the " + maxLineFrame + " this node takes (64 KiB of lines, or one line of its "
                        + "max_envelope_bytes)");
            }
            final FrameRejection refused = authenticate(frame, offset, offset + length, header);
            if (refused != null) {
                rejected(refused, "from a node calling itself " + header.origin, length);
                return;
            }
            if (node.equals(header.origin)) {
                final long quiet = sameNameLog.tryLog(System.nanoTime());
                if (quiet >= 0) {
                    log.error("cluster: a frame from another node that calls itself {} too: every node needs a name of its own{}",
                            Untrusted.text(header.origin), sameNameLog.since(quiet));
                }
                return;
            }
            if (header.destination != null && !node.equals(header.destination)) {
                return; // for another node (a backplane that sends every frame everywhere)
            }
            switch (header.type) {
                case ClusterFrames.LINE -> {
                    if (!agreed.containsKey(header.origin)) { // until its presence shows it agrees, it is not trusted
                        throw new ClusterFrames.MalformedFrame(FrameRejection.SETTINGS_DIFFER, "a line from node " + header.origin
                                + (differing.containsKey(header.origin) ? ", whose settings differ from this node's"
                                : ", whose settings are not known yet (no presence heard)"));
                    }
                    lines(frame, header.body, header.end);
                }
                case ClusterFrames.PRESENCE -> {
                    if (!presenceRates.computeIfAbsent(header.origin, n -> RateLimiter.perSecond(PRESENCE_PER_SECOND,
                            PRESENCE_PER_SECOND, System.nanoTime())).tryAcquire(System.nanoTime())) {
                        throw new ClusterFrames.MalformedFrame(FrameRejection.OVER_LIMIT, "presence from node " + header.origin
                                + " more often than " + PRESENCE_PER_SECOND + " a second");
                    }
                    presence(ClusterFrames.readPresence(header.origin, frame, header.body, header.end));
                }
                case ClusterFrames.BYE -> { // its window stays: a BYE replayed is refused too
                    directory.left(header.origin);
                    gaps.ended(header.origin);
                    agreed.remove(header.origin); // started again, it may have other settings: its presence will say
                }
                default -> {
                }
            }
        } catch (ClusterFrames.MalformedFrame e) {
            rejected(e.reason, e.getMessage(), length);
        } catch (Throwable error) {
            if (!Faults.recoverable(error)) {
                throw error;
            }
            core.faults().record(Faults.Where.CLUSTER,
                    header.origin == null ? "a frame from the backplane" : "node " + header.origin, "the frame was dropped", error);
        }
    }

    /**
     * @return null when the frame may be read: sealed, authentic, fresh and new at a node with a secret, unsealed at a
     *         node without one; else why it is refused.
     */
    private FrameRejection authenticate(byte[] frame, int offset, int end, ClusterFrames.Header header) {
        final boolean sealed = header.version == ClusterFrames.VERSION_SEALED;
        if (seal == null) {
            return sealed ? FrameRejection.SETTINGS_DIFFER : null;
        }
        if (!sealed) {
            return FrameRejection.UNAUTHENTICATED;
        }
        return seal.check(frame, offset, end, header, System.currentTimeMillis());
    }

    /** A frame refused: counted by reason, dropped, and logged at most every 10 s. */
    private void rejected(FrameRejection reason, String detail, int length) {
        core.counters().clusterFrameRejected(reason);
        final long quiet = rejectedLog.tryLog(System.nanoTime());
        if (quiet >= 0) {
            log.warn("cluster: a frame from the backplane was refused ({}{}); {} bytes dropped{}", reason.code(),
                    detail == null ? "" : ": " + Untrusted.text(detail), length, rejectedLog.since(quiet));
        }
    }

    /**
     * A node's presence: taken into the directory when its settings agree with this node's ({@link Agreement}); else
     * the node is refused (its lines too, until its settings agree), counted, and logged with what differs each time
     * its settings change.
     */
    private void presence(ClusterFrames.Presence presence) throws ClusterFrames.MalformedFrame {
        final String origin = presence.node();
        for (List<String> names : List.of(presence.identities(), presence.participants())) {
            for (String name : names) {
                if (name.isEmpty() || name.length() > MAX_PRESENCE_NAME) {
                    throw new ClusterFrames.MalformedFrame("the presence of node " + origin + " names an identity or address of "
                            + name.length() + " characters (1 to " + MAX_PRESENCE_NAME + ")");
                }
            }
        }
        if (!presence.agreement().equals(agreement)) {
            final String before = differing.get(origin);
            if (before == null && differing.size() >= ClusterDirectory.MAX_NODES) {
                throw new ClusterFrames.MalformedFrame(FrameRejection.OVER_LIMIT, "the presence of node " + origin
                        + ", one more than the " + ClusterDirectory.MAX_NODES + " nodes this node keeps");
            }
            differing.put(origin, presence.agreement());
            agreed.remove(origin);
            directory.forget(origin);
            core.counters().clusterFrameRejected(FrameRejection.SETTINGS_DIFFER);
            if (!presence.agreement().equals(before)) {
                log.warn("cluster: node {} refused: its settings differ from this node's ({}); its lines are dropped until "
                        + "they agree", Untrusted.text(origin), presence.agreement().isEmpty()
                        ? "it sends none to compare: a version without them" : Untrusted.text(String.join("; ",
                        Agreement.differences(agreement, presence.agreement(), origin))));
            }
            return;
        }
        if (differing.remove(origin) != null) {
            log.info("cluster: node {} now agrees with this node's settings", Untrusted.text(origin));
        }
        if (!directory.mayHear(origin)) {
            throw new ClusterFrames.MalformedFrame(FrameRejection.OVER_LIMIT, "the presence of node " + origin
                    + ", one more than the " + ClusterDirectory.MAX_NODES + " nodes this node keeps");
        }
        agreed.put(origin, Boolean.TRUE);
        if (directory.heard(presence, System.nanoTime())) {
            cluster.presenceWanted(); // tell the newcomer who is here without waiting for the interval
        }
        if (presence.address() != null) {
            cluster.nodeAt(origin, presence.address());
        }
    }

    /**
     * The lines of a LINE frame: every one checked first, then each handed to the engine in order; a frame with one
     * line that fails is refused whole, none of its lines delivered.
     */
    private void lines(byte[] frame, int body, int end) throws ClusterFrames.MalformedFrame {
        final LineBatch.Reader lines = this.lines.reset(frame, body, end);
        int count = 0;
        while (lines.next()) {
            checkLine(frame, lines.kind, lines.envelope, lines.envelopeEnd);
            count++;
        }
        if (count == 0) {
            throw new ClusterFrames.MalformedFrame("a line frame without a line");
        }
        final long lost = gaps.received(header.origin, lines.stream, header.destination == null, lines.first, count);
        if (lost > 0) {
            core.counters().clusterLinesLost(lost);
            final long quiet = lostLog.tryLog(System.nanoTime());
            if (quiet >= 0) {
                log.warn("cluster: {} lines from node {} never arrived (a gap in its line sequence: a partition, or a backplane "
                        + "link that went down with frames in flight){}", lost, Untrusted.text(header.origin), lostLog.since(quiet));
            }
        }
        lines.reset(frame, body, end);
        while (lines.next()) {
            line(frame, lines.kind, lines.name, lines.nameLength, lines.envelope, lines.envelopeEnd);
        }
    }

    /**
     * Checks a line from another node as if this node's own client had sent it: routed as this node routes its clients'
     * lines, its length, and that it is one envelope.
     */
    private void checkLine(byte[] frame, int kind, int envelope, int end) throws ClusterFrames.MalformedFrame {
        if (kind < 0 || kind >= 32 || (routedKinds & 1 << kind) == 0) { // a route this node's routing never makes
            throw new ClusterFrames.MalformedFrame("a line from node " + header.origin + " routed as " + kind + ", which routing "
                    + core.config().hyperParameters().routing().mode() + " never relays");
        }
        if (end - envelope > core.maxEnvelopeBytes()) { // the sender's node may allow more: this node's client may not read it
            throw new ClusterFrames.MalformedFrame(FrameRejection.OVER_LIMIT, "a line of " + (end - envelope)
                    + " bytes from node " + header.origin + ", over this node's max_envelope_bytes " + core.maxEnvelopeBytes());
        }
        if (!ClusterFrames.isOneEnvelope(frame, envelope, end)) {
            throw new ClusterFrames.MalformedFrame("a line from node " + header.origin + " that is not one envelope");
        }
    }

    private void line(byte[] frame, int kind, int name, int nameLength, int envelope, int end) {
        core.counters().clusterLineReceived();
        final Route route = localRoute(kind, frame, name, nameLength);
        final FromOtherNodes local = cluster.local();
        if (route == null || local == null) {
            core.counters().lineUndeliverable(); // its recipient left this node meanwhile
            return;
        }
        if (core.hostsConnected() == 0 || !mayReachHosts(route)) {
            local.relayFromCluster(frame, envelope, end - envelope, route);
            return;
        }
        // this node's hosts see the sender's address qualified by its node, which their directives name (NodeAddresses)
        if (route.kind() == Route.KIND_BROADCAST) {
            local.relayFromCluster(frame, envelope, end - envelope, Route.PARTICIPANTS);
        }
        if (!header.origin.equals(lastOrigin)) {
            lastOrigin = header.origin;
            lastOriginBytes = header.origin.getBytes(StandardCharsets.US_ASCII);
        }
        if (forHosts == null) {
            forHosts = new byte[core.maxEnvelopeBytes()];
        }
        final int length = NodeAddresses.qualify(frame, envelope, end, lastOriginBytes, forHosts);
        if (length < 0) { // its participants have it; the hosts cannot: counted and told in the log
            core.counters().lineUndeliverable();
            final long quiet = hostsLog.tryLog(System.nanoTime());
            if (quiet >= 0) {
                log.warn("cluster: a line of {} bytes from node {} did not reach this node's hosts: with the node's name in "
                        + "its remote_addr it is over max_envelope_bytes {}{}", end - envelope, Untrusted.text(header.origin),
                        core.maxEnvelopeBytes(), hostsLog.since(quiet));
            }
            return;
        }
        local.relayFromCluster(forHosts, 0, length, route.kind() == Route.KIND_BROADCAST ? Route.HOSTS : route);
    }

    private static int routedKinds(RoutingMode mode) {
        return switch (mode) {
            case BROADCAST -> 1 << Route.KIND_BROADCAST;
            case DEDICATED -> 1 << Route.KIND_BINDING;
            case HOSTED -> 1 << Route.KIND_HOSTS | 1 << Route.KIND_PARTICIPANTS | 1 << Route.KIND_SESSION | 1 << Route.KIND_BINDING;
            case HYBRID -> 1 << Route.KIND_BROADCAST | 1 << Route.KIND_HOSTS | 1 << Route.KIND_PARTICIPANTS
                    | 1 << Route.KIND_SESSION | 1 << Route.KIND_BINDING;
        };
    }

    /** @return whether {@code route} may include a host of this node: a broadcast, the hosts, a host's identity. */
    private boolean mayReachHosts(Route route) {
        return switch (route.kind()) {
            case Route.KIND_BROADCAST, Route.KIND_HOSTS -> true;
            case Route.KIND_BINDING -> core.isHostIdentity(route.name());
            default -> false;
        };
    }

    /** @return the route on this node of a line from another: the same kinds, names resolved to this node's sessions. */
    private Route localRoute(int kind, byte[] frame, int name, int nameLength) {
        return switch (kind) {
            case Route.KIND_BROADCAST -> Route.BROADCAST;
            case Route.KIND_PARTICIPANTS -> Route.PARTICIPANTS;
            case Route.KIND_HOSTS -> Route.HOSTS;
            case Route.KIND_BINDING -> {
                final Bindings.Binding binding = core.bindings().find(new String(frame, name, nameLength, StandardCharsets.UTF_8));
                yield binding == null ? null : binding.route();
            }
            case Route.KIND_SESSION -> { // named as the host saw it: qualified by this node (NodeAddresses)
                final String address = NodeAddresses.addressHere(new String(frame, name, nameLength, StandardCharsets.UTF_8), node);
                final Session participant = address == null ? null : core.session(address);
                yield participant == null || participant.isHost() || !participant.isOpen() ? null : participant.route();
            }
            default -> null;
        };
    }
}
