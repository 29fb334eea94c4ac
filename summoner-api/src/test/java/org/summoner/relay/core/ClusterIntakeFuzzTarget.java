package org.summoner.relay.core;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.summoner.relay.cluster.Cluster;
import org.summoner.relay.cluster.FuzzBackplaneProvider;
import org.summoner.relay.config.ClusterSettings;
import org.summoner.relay.config.ServerConfig;
import org.summoner.relay.counters.RelayCounters;
import org.summoner.relay.fuzz.IdentityPool;
import org.summoner.relay.fuzz.KnownFindings;
import org.summoner.relay.fuzz.Violation;
import org.summoner.relay.policy.FairUsePolicy;
import org.summoner.relay.routing.Routers;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Coverage-guided fuzzing of what other nodes of a cluster send (SPEC 11): arbitrary bytes as frames into
 * {@link Cluster#onFrame}, the intake a backplane's receiving thread calls, on a node whose engine is
 * {@link FuzzEngine} with three local clients (some bound, one maybe a host), in every routing mode, with and without
 * {@code handshake.required}. The backplane is {@link FuzzBackplaneProvider}'s, which never connects: no presence
 * thread runs, so every run is the same. The frames' decoding is {@code ClusterFrames}' (header, LINE, PRESENCE, BYE)
 * and the directory's.
 *
 * <p>Invariants, on every input: nothing another node sends throws past the intake (SPEC 10); what reaches a local
 * client is checked "as if its own client had sent it" (SPEC 11): a line no longer than {@code max_envelope_bytes},
 * one line of UTF-8, an envelope {@code {"remote_addr", "content"}}, the envelope bytes the frame carried, to the
 * local clients its route names and no other (decoded here, independently: broadcast to all that receive, a session by
 * its address if not a host, a binding by fingerprint, hosts, participants; with {@code handshake.required} only to
 * bound ones); and other nodes cannot hide this node's own hosts (the hosts this node counts anywhere are at least
 * its own).
 *
 * <p>Input layout ({@link FuzzedDataProvider}): the last byte chooses the node (bits 0-1 the routing mode, bit 2
 * {@code handshake.required}, bit 3 a small {@code max_envelope_bytes}, bits 4-5 which local clients are bound), the
 * one before it how many frames (1 to 4); each frame but the last takes a length (two bytes from the end) and that
 * many bytes from the start; the last frame is the rest. A seed is one frame followed by {@code 0x00} and the node
 * byte.
 */
final class ClusterIntakeFuzzTarget {
    private static final String[] MODES = {"broadcast", "dedicated", "hosted", "hybrid"};
    private static long inputs;

    /** The frame being handed to the intake, for the oracle; null while the node is being set up. */
    private static byte[] frame;

    @FuzzTest(maxDuration = "60s")
    // Printable entries only: jazzer-junit 0.24.0 writes them to libFuzzer's dictionary unescaped (a \n breaks it).
    @DictionaryEntries({"{\"remote_addr\":\"", "\",\"content\":\"", "127.0.0.1:40002", "here", "other", "@here"})
    void nothing_another_node_sends_throws_past_the_intake_or_reaches_a_client_unchecked(FuzzedDataProvider data) {
        inputs++;
        frame = null;
        final int node = data.consumeInt(0, 255);
        final String mode = MODES[node & 3];
        final boolean handshake = (node & 4) != 0;
        final int maxEnvelopeBytes = (node & 8) != 0 ? 256 : 65536;
        final String host = IdentityPool.fingerprint(0);
        final ServerConfig config = ServerConfig.fromMap(Map.of("hyper_parameters", Map.of(
                "routing", mode,
                "hosted_relay", Map.of("host_fingerprints", List.of(host)),
                "handshake", Map.of("required", handshake),
                "max_envelope_bytes", maxEnvelopeBytes)));
        final Cluster[] made = new Cluster[1];
        final RelayCore core = new RelayCore(config, new RelayCounters(), FairUsePolicy.of(config), Routers::of,
                relay -> made[0] = Cluster.of(relay, new ClusterSettings("fuzz", "here", null, "the fuzz target", null)));
        final List<FuzzEngine.Connection> clients = new ArrayList<>();
        final FuzzEngine engine = new FuzzEngine(core, (to, kind, line, sender) -> written(to, kind, line, maxEnvelopeBytes, handshake),
                (entryPoint, session, error) -> KnownFindings.tolerate(error, entryPoint, inputs));
        for (int i = 0; i < 3; i++) {
            clients.add(engine.accept(address(40000 + i), connection -> { }));
        }
        if ((node & 0x10) != 0) {
            clients.get(0).session.identity().bind(host); // a host in hosted and hybrid
        }
        if ((node & 0x20) != 0) {
            clients.get(1).session.identity().bind(IdentityPool.fingerprint(1));
        }
        final Cluster cluster = made[0];
        try {
            cluster.start(engine::relayFromCluster);
            throw new IllegalStateException("the fuzz backplane started; the target needs it not to (no presence thread)");
        } catch (IOException e) {
            if (!FuzzBackplaneProvider.NEVER_CONNECTS.equals(e.getMessage())) {
                throw new IllegalStateException("the cluster did not start as the target expects", e);
            }
        }

        // node "other" is heard, with this node's settings: its lines are taken (a node not heard from is refused whole)
        final byte[] presence = FuzzBackplaneProvider.presence("other", config);
        cluster.onFrame(presence, 0, presence.length);
        final int frames = data.consumeInt(1, 4);
        for (int i = 0; i < frames; i++) {
            frame = i == frames - 1 ? data.consumeRemainingAsBytes() : data.consumeBytes(data.consumeInt(0, 4096));
            try {
                cluster.onFrame(frame, 0, frame.length);
            } catch (Violation violation) {
                throw violation;
            } catch (Throwable error) {
                KnownFindings.tolerate(error, "Cluster.onFrame", inputs);
            }
            check(core.hostsAnywhere() >= core.hostsConnected(), "presence", () -> "other nodes hid this node's hosts: "
                    + core.hostsAnywhere() + " hosts anywhere, " + core.hostsConnected() + " connected here");
        }
    }

    private static InetSocketAddress address(int port) {
        try {
            return new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /** What a line from another node may be when it reaches a client here. */
    private static void written(FuzzEngine.Connection to, FuzzEngine.Kind kind, byte[] line, int maxEnvelopeBytes, boolean handshake) {
        if (frame == null) {
            return; // the node's own lines while it is set up (a challenge): the line path target's business
        }
        check(kind == FuzzEngine.Kind.CLUSTER_ENVELOPE, "line-kind", () -> "the intake wrote a " + kind + ": " + LinePathOracle.shown(line));
        check(line.length <= maxEnvelopeBytes, "cluster-line-bound", () -> "a line of " + line.length + " bytes from another node"
                + " (max_envelope_bytes " + maxEnvelopeBytes + ") reached " + to.remote + ": " + LinePathOracle.shown(line));
        final String text = utf8(line);
        check(text != null && text.endsWith("\n") && text.indexOf('\n') == text.length() - 1
                        && LinePathOracle.envelopeParts(text.substring(0, text.length() - 1)) != null, "cluster-envelope",
                () -> "what another node sent reached " + to.remote + " but is not one envelope line: " + LinePathOracle.shown(line));
        final Session recipient = to.session;
        check(recipient.isOpen() && (!handshake || recipient.fingerprint() != null), "cluster-routing",
                () -> "a line from another node reached " + recipient + ", bound to " + recipient.fingerprint());
        // The lines, decoded here from the frame's documented layout (ClusterFrames, LineBatch): the header, the
        // stream and its first line's number, then each line's route and envelope. The client's line is one of them,
        // as it is, or for a host with the sending node's name in its remote_addr.
        int at = 3;
        final String origin = new String(frame, at + 1, frame[at] & 0xFF, StandardCharsets.US_ASCII);
        at += 1 + (frame[at] & 0xFF);
        at += 1 + (frame[at] & 0xFF);
        at += 12; // the fuzz node has no secret: only unsealed frames reach a client
        boolean found = false;
        final List<String> routes = new ArrayList<>();
        while (at + 7 <= frame.length) {
            final int routeKind = frame[at];
            final int nameLength = (frame[at + 1] & 0xFF) << 8 | frame[at + 2] & 0xFF;
            final String name = new String(frame, at + 3, nameLength, StandardCharsets.UTF_8);
            final int lengthAt = at + 3 + nameLength;
            final int length = ByteBuffer.wrap(frame, lengthAt, 4).getInt();
            final byte[] envelope = Arrays.copyOfRange(frame, lengthAt + 4, lengthAt + 4 + length);
            at = lengthAt + 4 + length;
            if (!Arrays.equals(envelope, line) && !(recipient.isHost() && Arrays.equals(qualified(envelope, origin), line))) {
                continue;
            }
            routes.add(routeKind + " '" + name + "'");
            found |= switch (routeKind) { // a participant is named by its address, with this node's name or without
                case Route.KIND_BROADCAST -> true;
                case Route.KIND_SESSION -> (recipient.remoteAddr().equals(name) || (recipient.remoteAddr() + "@here").equals(name))
                        && !recipient.isHost();
                case Route.KIND_BINDING -> name.equals(recipient.fingerprint());
                case Route.KIND_HOSTS -> recipient.isHost();
                case Route.KIND_PARTICIPANTS -> !recipient.isHost();
                default -> false;
            };
        }
        check(found, "cluster-routing", () -> "a line from another node for route kinds " + routes + " reached "
                + recipient.remoteAddr() + " (bound to " + recipient.fingerprint() + ", host " + recipient.isHost() + "): "
                + LinePathOracle.shown(line));
    }

    /** @return {@code envelope} with {@code node} after its remote_addr: {@code "remote_addr":"ip:port@node"}. */
    private static byte[] qualified(byte[] envelope, String node) {
        final String text = new String(envelope, StandardCharsets.UTF_8);
        final int end = text.indexOf("\",\"content\":\"");
        return end < 0 ? new byte[0] : (text.substring(0, end) + "@" + node + text.substring(end)).getBytes(StandardCharsets.UTF_8);
    }

    private static String utf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private static void check(boolean holds, String rule, Supplier<String> message) {
        if (!holds) {
            KnownFindings.tolerate(new Violation(rule, message.get()), inputs);
        }
    }
}
