package org.summoner.relay.cluster;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.summoner.relay.core.OtherNodes;
import org.summoner.relay.core.Route;
import org.summoner.relay.counters.RelayCounters.FrameRejection;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * LINE frames of many lines: what an engine thread's outbox sends (one frame per destination and turn, full frames
 * sent early, each sender's order at every node) and what a node takes of them (every line checked, a frame with one
 * bad line refused whole).
 */
class ClusterBatchTest {
    private static final byte[] SECRET = TestNode.SECRET;
    private static final byte[] A = "node-a".getBytes(StandardCharsets.US_ASCII);
    private final List<Node> nodes = new ArrayList<>();

    @TempDir
    Path dir;

    @AfterEach
    void close() {
        nodes.forEach(node -> node.cluster.close());
        RecordingBackplaneProvider.PUBLISHED.clear();
        RecordingBackplaneProvider.refusing.clear();
    }

    /** A node on the recording backplane. */
    private final class Node extends TestNode {
        final String name;

        Node(String name, Map<String, Object> more) throws Exception {
            super(config(name, more));
            this.name = name;
            nodes.add(this);
            // a node takes lines only from nodes whose presence showed their settings: it hears the others, sealed
            // with an incarnation before any (the earliest moment), so their own frames come from a later one
            for (String other : List.of("node-a", "node-b", "node-c")) {
                if (!other.equals(name)) {
                    receive(ClusterFrames.presence(other.getBytes(StandardCharsets.US_ASCII), 1, 0, List.of(), List.of(), agreement,
                            1 << 16, new int[2], more.containsKey("secret") ? new FrameSeal(SECRET, other, 1) : null));
                }
            }
        }

        /** Node {@code other} tells this one it has {@code identities} bound. */
        void hears(Node other, String... identities) {
            receive(ClusterFrames.presence(other.name.getBytes(StandardCharsets.US_ASCII), 1, 0, List.of(identities), List.of(),
                    agreement, 1 << 16, new int[2], null));
        }
    }

    /** Node {@code name}'s config: {@code more}, with the cluster on the recording backplane (and the secret, with "secret"). */
    private Map<String, Object> config(String name, Map<String, Object> more) throws IOException {
        final Map<String, Object> cluster = new HashMap<>(Map.of("backplane", "recording", "node", name));
        final Map<String, Object> map = new HashMap<>(more);
        if (map.remove("secret") != null) {
            cluster.put("secret_file", TestNode.secretFile(dir).toString());
        }
        map.put("cluster", cluster);
        return map;
    }


    private static byte[] envelope(String content) {
        return ("{\"remote_addr\":\"10.0.0.1:1\",\"content\":\"" + content + "\"}\n").getBytes(StandardCharsets.UTF_8);
    }

    private static String text(String content) {
        return new String(envelope(content), StandardCharsets.UTF_8);
    }

    private static void offer(OtherNodes.Outbox outbox, Route route, String content) {
        final byte[] envelope = envelope(content);
        final byte[] scratch = Arrays.copyOf(envelope, envelope.length + 10); // as an engine's scratch: longer than the line
        outbox.offer(route, scratch, envelope.length);
        Arrays.fill(scratch, (byte) 'x'); // the outbox copied it
    }

    /** Hands what {@code from} published to {@code to} (the frames to every node and to it), in order. */
    private static int deliver(List<RecordingBackplaneProvider.Published> published, Node to) {
        int frames = 0;
        for (RecordingBackplaneProvider.Published frame : published) {
            if (frame.to() == null || frame.to().equals(to.name)) {
                to.receive(frame.frame());
                frames++;
            }
        }
        return frames;
    }

    @Test
    void the_lines_of_a_turn_go_in_one_frame_and_arrive_in_order() throws Exception {
        for (boolean sealed : new boolean[]{false, true}) {
            final Map<String, Object> config = sealed ? Map.of("secret", true) : Map.of();
            RecordingBackplaneProvider.PUBLISHED.clear();
            final Node a = new Node("node-a", config);
            final Node b = new Node("node-b", config);
            final OtherNodes.Outbox outbox = a.cluster.outbox();
            final List<String> sent = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                offer(outbox, Route.BROADCAST, "line " + i);
                sent.add(text("line " + i));
            }
            assertEquals(List.of(), RecordingBackplaneProvider.take("node-a"), "nothing before the turn ends");
            outbox.flush();
            outbox.flush(); // nothing more: an empty turn sends nothing
            final List<RecordingBackplaneProvider.Published> published = RecordingBackplaneProvider.take("node-a");
            assertEquals(1, published.size(), "one frame for the turn's lines");
            assertEquals(1, deliver(published, b));
            assertEquals(sent, b.delivered);
            assertEquals(100, a.counters.clusterLinesSent());
            assertEquals(100, b.counters.clusterLinesReceived());
            a.cluster.close();
            b.cluster.close();
        }
    }

    @Test
    void a_full_frame_is_sent_at_once_and_no_frame_of_several_lines_is_longer_than_the_limit() throws Exception {
        final Node a = new Node("node-a", Map.of());
        final Node b = new Node("node-b", Map.of());
        final OtherNodes.Outbox outbox = a.cluster.outbox();
        final List<String> sent = new ArrayList<>();
        for (int i = 0; i < 2000; i++) { // about 140 KiB of lines
            offer(outbox, Route.BROADCAST, "line " + i + " " + "y".repeat(i % 50));
            sent.add(text("line " + i + " " + "y".repeat(i % 50)));
        }
        final int beforeFlush = RecordingBackplaneProvider.PUBLISHED.get("node-a").size();
        assertTrue(beforeFlush >= 2, "full frames went before the turn ended: " + beforeFlush);
        outbox.flush();
        final List<RecordingBackplaneProvider.Published> published = RecordingBackplaneProvider.take("node-a");
        for (RecordingBackplaneProvider.Published frame : published) {
            assertTrue(frame.frame().length <= LineBatch.FRAME_BYTES, "a frame of " + frame.frame().length + " bytes");
        }
        deliver(published, b);
        assertEquals(sent, b.delivered);
    }

    @Test
    void a_line_too_long_for_a_frame_of_several_goes_alone_and_is_taken() throws Exception {
        final Node a = new Node("node-a", Map.of());
        final Node b = new Node("node-b", Map.of());
        final OtherNodes.Outbox outbox = a.cluster.outbox();
        final String longest = "z".repeat(64 * 1024 - envelope("").length); // the default max_envelope_bytes
        offer(outbox, Route.BROADCAST, "before");
        offer(outbox, Route.BROADCAST, longest);
        offer(outbox, Route.BROADCAST, "after");
        outbox.flush();
        final List<RecordingBackplaneProvider.Published> published = RecordingBackplaneProvider.take("node-a");
        assertEquals(3, published.size(), "the long line alone between the two");
        deliver(published, b);
        assertEquals(List.of(text("before"), text(longest), text("after")), b.delivered);
    }

    /**
     * Lines of one engine thread to every node and to single nodes, interleaved (several senders of one thread, or a
     * sender's broadcast and dedicated lines): each node receives its lines in the order they were offered, and a
     * line for an identity bound on two nodes once on each.
     */
    @Test
    void lines_to_every_node_and_to_single_nodes_keep_their_order_at_each_node() throws Exception {
        final Node a = new Node("node-a", Map.of());
        final Node b = new Node("node-b", Map.of());
        final Node c = new Node("node-c", Map.of());
        a.hears(b, "fp-b", "fp-both");
        a.hears(c, "fp-c", "fp-both");
        final OtherNodes.Outbox outbox = a.cluster.outbox();
        final Route toB = Route.elsewhere(Route.KIND_BINDING, "fp-b");
        final Route toC = Route.elsewhere(Route.KIND_BINDING, "fp-c");
        final Route toBoth = Route.elsewhere(Route.KIND_BINDING, "fp-both");
        final Route[] routes = {Route.BROADCAST, toB, toB, Route.BROADCAST, toC, toBoth, toB, Route.BROADCAST, toC, toBoth};
        final List<String> forB = new ArrayList<>();
        final List<String> forC = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            final Route route = routes[i % routes.length];
            offer(outbox, route, "line " + i);
            if (route != toC) {
                forB.add(text("line " + i));
            }
            if (route != toB) {
                forC.add(text("line " + i));
            }
        }
        outbox.flush();
        final List<RecordingBackplaneProvider.Published> published = RecordingBackplaneProvider.take("node-a");
        assertEquals(forB, linesFor(published, "node-b"));
        assertEquals(forC, linesFor(published, "node-c"));
        assertEquals(50 + 10, a.counters.clusterLinesSent(), "a line to both nodes counted once for each, a broadcast once");
    }

    /** @return the envelopes node {@code to} receives of what was published: in the frames to every node and to it. */
    private static List<String> linesFor(List<RecordingBackplaneProvider.Published> published, String to) throws Exception {
        final List<String> lines = new ArrayList<>();
        for (RecordingBackplaneProvider.Published frame : published) {
            if (frame.to() == null || frame.to().equals(to)) {
                final ClusterFrames.Header header = new ClusterFrames.Header();
                ClusterFrames.read(frame.frame(), 0, frame.frame().length, header);
                assertEquals(frame.to(), header.destination);
                final LineBatch.Reader reader = new LineBatch.Reader().reset(frame.frame(), header.body, header.end);
                while (reader.next()) {
                    lines.add(new String(frame.frame(), reader.envelope, reader.envelopeEnd - reader.envelope, StandardCharsets.UTF_8));
                }
            }
        }
        return lines;
    }

    @Test
    void a_frame_with_one_bad_line_is_refused_whole() throws Exception {
        final Node b = new Node("node-b", Map.of("hyper_parameters", Map.of("max_envelope_bytes", 1024)));
        final byte[] good = envelope("good");
        b.receive(LineFrames.broadcast(A, null, good, "Warning: Server is shutting down.\n".getBytes(StandardCharsets.UTF_8), good));
        b.receive(LineFrames.broadcast(A, null, good, good, (new String(good, StandardCharsets.UTF_8) + "{}\n")
                .getBytes(StandardCharsets.UTF_8)));
        assertEquals(2, b.refused(FrameRejection.MALFORMED), "a notice among lines; two lines in one");
        b.receive(LineFrames.broadcast(A, null, good, envelope("x".repeat(1100)), good));
        assertEquals(1, b.refused(FrameRejection.OVER_LIMIT), "a line over this node's max_envelope_bytes among lines");
        b.receive(LineFrames.broadcast(A, null));
        assertEquals(3, b.refused(FrameRejection.MALFORMED), "a line frame without a line");
        assertEquals(List.of(), b.delivered);
        assertEquals(0, b.counters.clusterLinesReceived());
        b.receive(LineFrames.broadcast(A, null, good, good));
        assertEquals(2, b.delivered.size());
    }

    /**
     * A frame cut anywhere: sealed, it is refused (its MAC is not the frame's); unsealed, nothing authenticates it, but
     * it is refused unless the cut falls between two lines, and a line is delivered whole or not at all.
     */
    @Test
    void a_frame_cut_anywhere_delivers_no_part_of_a_line() throws Exception {
        for (boolean sealed : new boolean[]{false, true}) {
            final Node b = new Node("node-b", sealed ? Map.of("secret", true) : Map.of());
            final FrameSeal seal = sealed ? new FrameSeal(SECRET, "node-a", System.currentTimeMillis()) : null;
            final List<String> lines = List.of(text("one"), text("two"), text("three"));
            final byte[] frame = LineFrames.broadcast(A, seal, envelope("one"), envelope("two"), envelope("three"));
            int cutBetweenLines = 0;
            for (int length = 0; length < frame.length; length++) {
                final int before = b.delivered.size();
                b.receive(Arrays.copyOf(frame, length));
                if (b.delivered.size() > before) {
                    cutBetweenLines++;
                    assertEquals(lines.subList(0, b.delivered.size() - before), b.delivered.subList(before, b.delivered.size()));
                }
            }
            long refused = 0;
            for (FrameRejection reason : FrameRejection.values()) {
                refused += b.refused(reason);
            }
            assertEquals(sealed ? 0 : 2, cutBetweenLines, "after the first line, after the second");
            assertEquals(frame.length - cutBetweenLines, refused, "every other cut refused, sealed " + sealed);
            b.delivered.clear();
            b.receive(frame);
            assertEquals(lines, b.delivered, "the whole frame, sealed " + sealed);
            b.cluster.close();
        }
    }

    @Test
    void a_frame_over_the_limit_is_refused_on_its_length() throws Exception {
        final Node b = new Node("node-b", Map.of("hyper_parameters", Map.of("max_envelope_bytes", 1024)));
        final byte[][] lines = new byte[LineBatch.FRAME_BYTES / 100][];
        Arrays.fill(lines, envelope("x".repeat(60)));
        final byte[] frame = LineFrames.broadcast(A, null, lines);
        assertTrue(frame.length > LineBatch.FRAME_BYTES);
        b.receive(frame);
        assertEquals(1, b.refused(FrameRejection.OVER_LIMIT));
        assertEquals(List.of(), b.delivered);
    }

    @Test
    void a_frame_of_the_one_line_protocol_is_refused_as_malformed() throws Exception {
        final Node b = new Node("node-b", Map.of());
        final byte[] frame = LineFrames.broadcast(A, null, envelope("old"));
        frame[1] = 1; // version 1: an earlier node's unsealed LINE frame, the envelope right after the route
        b.receive(frame);
        frame[1] = 2;
        b.receive(frame);
        assertEquals(2, b.refused(FrameRejection.MALFORMED));
        assertEquals(List.of(), b.delivered);
    }

    /**
     * A node counts the lines another sent it and it never got, from the gaps in their numbers: per sending thread's
     * stream, to every node and to this node apart; a frame its sender could not send leaves no gap (counted as not
     * sent there, never twice); a frame seen again loses nothing.
     */
    @Test
    void lines_lost_on_the_way_are_counted_by_the_node_that_misses_them_and_only_there() throws Exception {
        final Node a = new Node("node-a", Map.of());
        final Node b = new Node("node-b", Map.of());
        final OtherNodes.Outbox outbox = a.cluster.outbox();
        RecordingBackplaneProvider.take("node-a");
        for (int i = 0; i < 3; i++) {
            offer(outbox, Route.BROADCAST, "kept " + i);
        }
        outbox.flush();
        deliver(RecordingBackplaneProvider.take("node-a"), b);
        for (int i = 0; i < 5; i++) {
            offer(outbox, Route.BROADCAST, "lost " + i);
        }
        outbox.flush();
        RecordingBackplaneProvider.take("node-a"); // a partition: the frame never reaches b
        RecordingBackplaneProvider.refusing.put("node-a", true);
        offer(outbox, Route.BROADCAST, "not sent");
        outbox.flush(); // the backplane refused it: counted as not sent on a, and no number taken
        RecordingBackplaneProvider.refusing.clear();
        offer(outbox, Route.BROADCAST, "after");
        outbox.flush();
        final List<RecordingBackplaneProvider.Published> after = RecordingBackplaneProvider.take("node-a");
        deliver(after, b);
        assertEquals(5, b.counters.clusterLinesLost(), "the five of the frame that never arrived");
        assertEquals(1, a.counters.clusterLinesNotSent());
        assertEquals(List.of(text("kept 0"), text("kept 1"), text("kept 2"), text("after")), b.delivered);
        deliver(after, b); // the same frame again (a bus without a secret may repeat one)
        assertEquals(5, b.counters.clusterLinesLost(), "nothing lost by a frame seen before");

        b.receive(LineFrames.of(A, new byte[0], null, 9, 0, Route.KIND_BROADCAST, new byte[0], envelope("x")));
        b.receive(LineFrames.of(A, "node-b".getBytes(StandardCharsets.US_ASCII), null, 9, 0, Route.KIND_BROADCAST, new byte[0], envelope("y")));
        b.receive(LineFrames.of(A, new byte[0], null, 9, 4, Route.KIND_BROADCAST, new byte[0], envelope("z")));
        assertEquals(5 + 3, b.counters.clusterLinesLost(), "to every node and to b are numbered apart: 1 to 3 of the first lost");
        assertEquals(3 + 1 + 1 + 3, b.counters.clusterLinesReceived(), "every line of every frame taken all the same");
    }

    @Test
    void lines_a_backplane_could_not_send_are_counted_each_and_none_goes_after_the_node_closed() throws Exception {
        final Node a = new Node("node-a", Map.of());
        final OtherNodes.Outbox outbox = a.cluster.outbox();
        RecordingBackplaneProvider.refusing.put("node-a", true);
        for (int i = 0; i < 7; i++) {
            offer(outbox, Route.BROADCAST, "refused " + i);
        }
        outbox.flush();
        assertEquals(7, a.counters.clusterLinesNotSent());
        RecordingBackplaneProvider.refusing.clear();
        offer(outbox, Route.BROADCAST, "gathered before the node closes");
        a.cluster.close();
        RecordingBackplaneProvider.take("node-a"); // its BYE
        outbox.flush(); // the engine thread's turn ends after the node closed
        assertEquals(List.of(), RecordingBackplaneProvider.take("node-a"), "nothing after its BYE");
        assertEquals(8, a.counters.clusterLinesNotSent());
    }

    @Test
    void a_line_for_a_node_that_left_is_sent_to_it_and_goes_nowhere() throws Exception {
        final Node a = new Node("node-a", Map.of());
        final Node b = new Node("node-b", Map.of());
        a.hears(b, "fp-b");
        final OtherNodes.Outbox outbox = a.cluster.outbox();
        offer(outbox, Route.elsewhere(Route.KIND_BINDING, "fp-b"), "to b");
        a.receive(ClusterFrames.headerOnly(ClusterFrames.BYE, "node-b".getBytes(StandardCharsets.US_ASCII), null));
        offer(outbox, Route.elsewhere(Route.KIND_BINDING, "fp-b"), "after b left");
        outbox.flush();
        final List<RecordingBackplaneProvider.Published> published = RecordingBackplaneProvider.take("node-a");
        assertEquals(1, published.size(), "the line gathered while b was there; none after");
        assertEquals("node-b", published.get(0).to());
        assertEquals(1, a.counters.clusterLinesSent());
    }
}
