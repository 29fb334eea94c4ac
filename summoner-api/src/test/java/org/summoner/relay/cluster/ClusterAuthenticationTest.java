package org.summoner.relay.cluster;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.summoner.relay.config.ServerConfig;
import org.summoner.relay.core.Route;
import org.summoner.relay.counters.RelayCounters.FrameRejection;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A node's intake with and without {@code cluster.secret_file}: what reaches the engine and what is refused, counted by
 * reason; a node of each kind refuses the other's frames (their security settings differ).
 */
class ClusterAuthenticationTest {
    private static final byte[] SECRET = TestNode.SECRET;
    private static final byte[] ENVELOPE = "{\"remote_addr\":\"10.0.0.1:1\",\"content\":\"hi\"}\n".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path dir;

    /** Node b, with or without the secret. */
    private final class NodeB extends TestNode {
        NodeB(boolean secret) throws Exception {
            this(secret ? Map.of("cluster", Map.of("backplane", "fuzz", "node", "node-b", "secret_file", TestNode.secretFile(dir).toString()))
                    : Map.of("cluster", Map.of("backplane", "fuzz", "node", "node-b")));
        }

        NodeB(Map<String, ?> map) {
            super(map);
        }

        /** Node b hears {@code origin}'s presence with b's own settings: lines from it are taken from now on. */
        void hear(String origin, FrameSeal seal) {
            receive(ClusterFrames.presence(origin.getBytes(StandardCharsets.US_ASCII), 1, 0, List.of(), List.of(), agreement,
                    1 << 16, new int[2], seal));
            assertTrue(cluster.nodes().contains(origin), origin + " heard");
        }
    }

    /** A broadcast LINE frame from node a, sealed by {@code seal} (null: unsealed). */
    private static byte[] lineFromA(FrameSeal seal) {
        return LineFrames.broadcast("node-a".getBytes(StandardCharsets.US_ASCII), seal, ENVELOPE);
    }

    @Test
    void with_a_secret_only_sealed_fresh_new_frames_reach_the_engine() throws Exception {
        final NodeB b = new NodeB(true);
        final FrameSeal a = new FrameSeal(SECRET, "node-a", System.currentTimeMillis());
        b.hear("node-a", a);
        b.receive(lineFromA(null));
        assertEquals(1, b.refused(FrameRejection.UNAUTHENTICATED), "anyone on the bus sends such a frame");
        final byte[] sealed = lineFromA(a);
        b.receive(sealed);
        assertEquals(List.of(new String(ENVELOPE, StandardCharsets.UTF_8)), b.delivered);
        b.receive(sealed);
        assertEquals(1, b.refused(FrameRejection.REPLAYED));
        b.receive(new byte[]{'S', 2, 1, 0});
        assertEquals(1, b.refused(FrameRejection.MALFORMED));
        final byte[] huge = lineFromA(new FrameSeal("another secret, thirty-two bytes!".getBytes(StandardCharsets.US_ASCII),
                "node-a", 1));
        final byte[] flood = Arrays.copyOf(huge, 1 << 20); // a megabyte of forgery: refused on its length, before any MAC
        b.receive(flood);
        assertEquals(1, b.refused(FrameRejection.OVER_LIMIT));
        assertEquals(0, b.refused(FrameRejection.BAD_MAC), "its MAC was never computed");
        assertEquals(1, b.delivered.size(), "nothing but the one sealed line");

        final byte[] bye = ClusterFrames.headerOnly(ClusterFrames.BYE, "node-a".getBytes(StandardCharsets.US_ASCII), a);
        b.receive(bye);
        b.receive(bye);
        b.receive(sealed);
        assertEquals(3, b.refused(FrameRejection.REPLAYED), "a node that left keeps its window: its BYE and its lines, sent again");
        assertEquals(1, b.delivered.size());
        b.cluster.close();
    }

    @Test
    void without_a_secret_a_sealed_frame_is_refused_as_settings_that_differ() throws Exception {
        final NodeB b = new NodeB(false);
        b.receive(lineFromA(new FrameSeal(SECRET, "node-a", System.currentTimeMillis())));
        assertEquals(1, b.refused(FrameRejection.SETTINGS_DIFFER));
        b.receive(lineFromA(null));
        assertEquals(2, b.refused(FrameRejection.SETTINGS_DIFFER), "a line from a node before its presence: its settings are unknown");
        assertEquals(0, b.delivered.size());
        b.hear("node-a", null);
        b.receive(lineFromA(null));
        assertEquals(1, b.delivered.size(), "an unauthenticated cluster takes unsealed frames, as before");
        b.receive(ClusterFrames.headerOnly(ClusterFrames.BYE, "node-a".getBytes(StandardCharsets.US_ASCII), null));
        b.receive(lineFromA(null));
        assertEquals(3, b.refused(FrameRejection.SETTINGS_DIFFER), "a node that said goodbye is heard again before its lines");
        b.hear("node-a", null);
        b.receive(lineFromA(null));
        assertEquals(2, b.delivered.size());
        b.cluster.close();
    }

    /** A broadcast LINE frame from {@code origin} carrying {@code envelope} as it is, unsealed. */
    private static byte[] line(String origin, byte[] envelope) {
        return line(origin, Route.KIND_BROADCAST, envelope);
    }

    private static byte[] line(String origin, int kind, byte[] envelope) {
        return LineFrames.of(origin.getBytes(StandardCharsets.ISO_8859_1), new byte[0], null, kind, new byte[0], envelope);
    }

    /** A line is routed as this node's own routing routes its clients' lines, or refused: a broadcast in dedicated, say. */
    @Test
    void a_line_routed_as_this_nodes_routing_never_routes_is_refused() throws Exception {
        final NodeB broadcast = new NodeB(false);
        broadcast.hear("node-a", null);
        for (int kind : new int[]{Route.KIND_HOSTS, Route.KIND_PARTICIPANTS, Route.KIND_NONE, 9, -1}) {
            broadcast.receive(line("node-a", kind, ENVELOPE));
        }
        assertEquals(5, broadcast.refused(FrameRejection.MALFORMED));
        broadcast.receive(line("node-a", Route.KIND_BROADCAST, ENVELOPE));
        assertEquals(1, broadcast.delivered.size());
        broadcast.cluster.close();

        final NodeB dedicated = new NodeB(Map.of("cluster", Map.of("backplane", "fuzz", "node", "node-b"),
                "hyper_parameters", Map.of("routing", "dedicated")));
        dedicated.hear("node-a", null);
        dedicated.receive(line("node-a", Route.KIND_BROADCAST, ENVELOPE));
        dedicated.receive(line("node-a", Route.KIND_HOSTS, ENVELOPE));
        assertEquals(2, dedicated.refused(FrameRejection.MALFORMED), "a dedicated relay relays signed lines to their receiver only");
        assertEquals(List.of(), dedicated.delivered);
        dedicated.cluster.close();
    }

    /**
     * Every node checks a line from another as it checks its own clients': not longer than its own
     * {@code max_envelope_bytes} (the sender's may allow more; this node's client may not read it), and one envelope
     * line (not a {@code Warning:} notice for the client, not two lines); node names are node names.
     */
    @Test
    void a_node_refuses_what_its_own_bounds_refuse_whatever_the_sender_allowed() throws Exception {
        final NodeB b = new NodeB(false);
        b.hear("node-a", null);
        b.hear("node_A-2", null);
        final String prefix = "{\"remote_addr\":\"10.0.0.1:1\",\"content\":\"";
        final int limit = 64 * 1024; // the default max_envelope_bytes
        final String longest = prefix + "x".repeat(limit - prefix.length() - 3) + "\"}\n";
        assertEquals(limit, longest.length());
        b.receive(line("node-a", longest.getBytes(StandardCharsets.UTF_8)));
        assertEquals(1, b.delivered.size(), "a line at the limit passes");
        final String over = prefix + "x".repeat(200_000) + "\"}\n";
        b.receive(line("node-a", over.getBytes(StandardCharsets.UTF_8)));
        assertEquals(1, b.refused(FrameRejection.OVER_LIMIT), "a line the Python client could not read never reaches it");

        b.receive(line("node-a", "Warning: Server is shutting down.\n".getBytes(StandardCharsets.UTF_8)));
        b.receive(line("node-a", (prefix + "one\"}\n" + prefix + "two\"}\n").getBytes(StandardCharsets.UTF_8)));
        b.receive(line("node-a", (prefix + "no end\"}").getBytes(StandardCharsets.UTF_8)));
        b.receive(line("node-a", (prefix + "cr\r\"}\n").getBytes(StandardCharsets.UTF_8)));
        b.receive(line("node a\n2026-12-07 CRITICAL forged", ENVELOPE));
        b.receive(line("n".repeat(65), ENVELOPE));
        assertEquals(6, b.refused(FrameRejection.MALFORMED), "a notice, two lines, no end, a carriage return, two bad names");
        b.receive(line("node-a", "{\"remote_addr\":\"10.0.0.1:1\u0007\",\"content\":\"x\"}\n".getBytes(StandardCharsets.UTF_8)));
        b.receive(line("node-a", (prefix + "\\q\"}\n").getBytes(StandardCharsets.UTF_8)));
        b.receive(line("node-a", (prefix + "\\u00g9\"}\n").getBytes(StandardCharsets.UTF_8)));
        final byte[] notUtf8 = (prefix + "xx\"}\n").getBytes(StandardCharsets.UTF_8);
        notUtf8[prefix.length()] = (byte) 0xC0;
        b.receive(line("node-a", notUtf8));
        b.receive(line("node-a", (prefix + "x\"} junk\n").getBytes(StandardCharsets.UTF_8)));
        b.receive(line("node-a", (prefix + "x\",\"extra\":1}\n").getBytes(StandardCharsets.UTF_8)));
        assertEquals(12, b.refused(FrameRejection.MALFORMED), "a control byte, a bad escape, a bad \\u, not UTF-8, junk, a third key");
        assertEquals(1, b.delivered.size());
        b.receive(line("node-a", (prefix + "caf\\u00e9 \\\" \\\\ \\n \u00e9\"}\n").getBytes(StandardCharsets.UTF_8)));
        assertEquals(2, b.delivered.size(), "escapes and UTF-8 as an encoder writes them pass");
        b.receive(line("node_A-2", ENVELOPE));
        assertEquals(3, b.delivered.size(), "letters, digits, - and _");
        b.cluster.close();
    }

    /** Presence from more nodes than a node keeps is refused: a flood of made-up nodes costs nothing but a count. */
    @Test
    void presence_beyond_the_most_nodes_kept_is_refused() throws Exception {
        final NodeB b = new NodeB(false);
        final int[] written = new int[2];
        for (int i = 0; i < ClusterDirectory.MAX_NODES + 5; i++) {
            final byte[] name = ("n" + i).getBytes(StandardCharsets.US_ASCII);
            b.receive(ClusterFrames.presence(name, i, 0, List.of(), List.of(), b.agreement, 1 << 16, written, null));
        }
        assertEquals(ClusterDirectory.MAX_NODES, b.cluster.nodes().size());
        assertEquals(5, b.refused(FrameRejection.OVER_LIMIT));
        b.receive(ClusterFrames.presence("n0".getBytes(StandardCharsets.US_ASCII), 0, 0, List.of(), List.of(), b.agreement, 1 << 16, written, null));
        assertEquals(5, b.refused(FrameRejection.OVER_LIMIT), "a node already known is heard");
        b.cluster.close();
    }

    /**
     * A node's presence is refused, before it is read, beyond {@link ClusterIntake#PRESENCE_PER_SECOND} at once (a node
     * sends one per 20 ms tick at most), and when it names an identity or address longer than any.
     */
    @Test
    void presence_too_often_or_with_names_no_client_has_is_refused() throws Exception {
        final NodeB b = new NodeB(false);
        final int[] written = new int[2];
        final byte[] a = "node-a".getBytes(StandardCharsets.US_ASCII);
        final byte[] presence = ClusterFrames.presence(a, 1, 0, List.of("AAAAAAAAAAAAAAAAAAAAAA"), List.of(), b.agreement, 1 << 16, written, null);
        final int sent = 3 * ClusterIntake.PRESENCE_PER_SECOND;
        final long start = System.nanoTime();
        for (int i = 0; i < sent; i++) {
            b.receive(presence);
        }
        final double seconds = (System.nanoTime() - start) / 1e9;
        final long refused = b.refused(FrameRejection.OVER_LIMIT);
        // the burst is taken, and what the bucket refilled while the loop ran (however slow the machine): the rest refused
        final long mostTaken = ClusterIntake.PRESENCE_PER_SECOND + (long) Math.ceil(seconds * ClusterIntake.PRESENCE_PER_SECOND) + 1;
        assertTrue(refused >= sent - mostTaken && refused <= sent - ClusterIntake.PRESENCE_PER_SECOND,
                "refused " + refused + " of " + sent + " in " + seconds + " s");
        assertEquals(Set.of("node-a"), b.cluster.nodes());

        final NodeB c = new NodeB(false);
        c.receive(ClusterFrames.presence(a, 1, 0, List.of("x".repeat(ClusterIntake.MAX_PRESENCE_NAME + 1)), List.of(), c.agreement, 1 << 16, written, null));
        c.receive(ClusterFrames.presence(a, 1, 0, List.of(), List.of(""), c.agreement, 1 << 16, written, null));
        assertEquals(2, c.refused(FrameRejection.MALFORMED));
        assertEquals(Set.of(), c.cluster.nodes());
        c.receive(ClusterFrames.presence(a, 1, 0, List.of(), List.of("[2001:db8::1]:65535"), c.agreement, 1 << 16, written, null));
        assertEquals(Set.of("node-a"), c.cluster.nodes());
        b.cluster.close();
        c.cluster.close();
    }

    /**
     * Nodes whose routing, handshake, limits or identity lists differ refuse each other: the presence of one is not
     * taken, its lines are dropped (counted), and the log names each setting that differs; once its settings agree
     * (restarted with the same config), it is taken again.
     */
    @Test
    void a_node_whose_settings_differ_is_refused_until_they_agree() throws Exception {
        final NodeB b = new NodeB(Map.of("cluster", Map.of("backplane", "fuzz", "node", "node-b"),
                "hyper_parameters", Map.of("routing", "hosted", "hosted_relay", Map.of("host_fingerprints", List.of(
                        "AAAAAAAAAAAAAAAAAAAAAA")))));
        final ServerConfig looser = ServerConfig.fromMap(Map.of("hyper_parameters", Map.of("max_envelope_bytes", 200_000)));
        final String theirs = Agreement.of(looser.hyperParameters());
        assertEquals(List.of("hosts: 1:" + b.agreement.split("hosts=1:")[1] + " here, none on node-a",
                "max_envelope_bytes: 65536 here, 200000 on node-a",
                "routing: hosted here, broadcast on node-a"), Agreement.differences(b.agreement, theirs, "node-a"));

        final int[] written = new int[2];
        final byte[] a = "node-a".getBytes(StandardCharsets.US_ASCII);
        b.receive(ClusterFrames.presence(a, 1, 0, List.of(), List.of(), theirs, 1 << 16, written, null));
        assertEquals(Set.of(), b.cluster.nodes(), "refused");
        b.receive(line("node-a", Route.KIND_PARTICIPANTS, ENVELOPE)); // a host's line, as hosted routes it
        assertEquals(2, b.refused(FrameRejection.SETTINGS_DIFFER), "its presence, then its line");
        assertEquals(List.of(), b.delivered);
        b.receive(ClusterFrames.presence(a, 1, 0, List.of(), List.of(), "", 1 << 16, written, null));
        assertEquals(3, b.refused(FrameRejection.SETTINGS_DIFFER), "a node that sends no settings: unknown, so they differ");

        b.receive(ClusterFrames.presence(a, 2, 0, List.of(), List.of(), b.agreement, 1 << 16, written, null));
        assertEquals(Set.of("node-a"), b.cluster.nodes(), "restarted with the same settings: taken");
        b.receive(line("node-a", Route.KIND_PARTICIPANTS, ENVELOPE)); // a host's line, as hosted routes it
        assertEquals(1, b.delivered.size());
        b.cluster.close();
    }
}
