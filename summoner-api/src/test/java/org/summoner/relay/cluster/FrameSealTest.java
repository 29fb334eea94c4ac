package org.summoner.relay.cluster;

import org.junit.jupiter.api.Test;
import org.summoner.relay.counters.RelayCounters.FrameRejection;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Sealed cluster frames: the MAC, the time, the sequence window and the incarnation, as an attacker on the bus tries them. */
class FrameSealTest {
    private static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] A = "node-a".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ENVELOPE = "{\"remote_addr\":\"10.0.0.1:1\",\"content\":\"hi\"}\n".getBytes(StandardCharsets.UTF_8);
    private static final long NOW = 1_765_000_000_000L;

    /** A LINE frame sealed by {@code seal}, as node a sends it. */
    private static byte[] line(FrameSeal seal) {
        return LineFrames.broadcast(A, seal, ENVELOPE);
    }

    /** What node b's check says of {@code frame} at {@code nowMillis}. */
    private static FrameRejection check(FrameSeal receiver, byte[] frame, long nowMillis) throws Exception {
        final ClusterFrames.Header header = new ClusterFrames.Header();
        ClusterFrames.read(frame, 0, frame.length, header);
        return receiver.check(frame, 0, frame.length, header, nowMillis);
    }

    @Test
    void a_sealed_frame_reads_as_the_unsealed_one_and_passes_once() throws Exception {
        final FrameSeal a = new FrameSeal(SECRET, "node-a", 1);
        final FrameSeal b = new FrameSeal(SECRET, "node-b", 2);
        final byte[] frame = line(a);
        final ClusterFrames.Header header = new ClusterFrames.Header();
        ClusterFrames.read(frame, 0, frame.length, header);
        assertEquals(ClusterFrames.VERSION_SEALED, header.version);
        assertEquals("node-a", header.origin);
        assertEquals(1, header.incarnation);
        assertEquals(0, header.stream, "the first sending thread's stream");
        assertEquals(1, header.sequence);
        assertEquals(frame.length - FrameSeal.MAC_BYTES, header.end);
        assertEquals(new String(ENVELOPE, StandardCharsets.UTF_8),
                new String(frame, header.body + LineBatch.SEQUENCE_BYTES + LineBatch.LINE_HEADER_BYTES,
                        header.end - header.body - LineBatch.SEQUENCE_BYTES - LineBatch.LINE_HEADER_BYTES, StandardCharsets.UTF_8),
                "the envelope, untouched");

        assertNull(check(b, frame, System.currentTimeMillis()));
        assertEquals(FrameRejection.REPLAYED, check(b, frame, System.currentTimeMillis()), "the same frame again");
    }

    @Test
    void any_byte_changed_or_another_secret_is_a_bad_mac() throws Exception {
        final FrameSeal a = new FrameSeal(SECRET, "node-a", 1);
        final byte[] frame = line(a);
        for (int i = 3; i < frame.length; i++) { // past magic, version and type, which the reader checks first
            final FrameSeal b = new FrameSeal(SECRET, "node-b", 2);
            final byte[] changed = frame.clone();
            changed[i] ^= 0x01;
            final ClusterFrames.Header header = new ClusterFrames.Header();
            try {
                ClusterFrames.read(changed, 0, changed.length, header);
            } catch (ClusterFrames.MalformedFrame e) {
                continue; // a length byte changed so the frame no longer parses: refused before its MAC
            }
            assertEquals(FrameRejection.BAD_MAC, b.check(changed, 0, changed.length, header, System.currentTimeMillis()), "byte " + i);
        }
        final byte[] otherSecret = SECRET.clone();
        otherSecret[0] ^= 1;
        assertEquals(FrameRejection.BAD_MAC, check(new FrameSeal(otherSecret, "node-b", 2), frame, System.currentTimeMillis()));
    }

    @Test
    void a_frame_sent_more_than_a_minute_from_the_receivers_clock_is_stale() throws Exception {
        final byte[] frame = line(new FrameSeal(SECRET, "node-a", 1));
        final long sent = System.currentTimeMillis();
        assertEquals(FrameRejection.STALE, check(new FrameSeal(SECRET, "node-b", 2), frame, sent + FrameSeal.MAX_SKEW_MILLIS + 1_000));
        assertEquals(FrameRejection.STALE, check(new FrameSeal(SECRET, "node-b", 2), frame, sent - FrameSeal.MAX_SKEW_MILLIS - 1_000));
    }

    @Test
    void a_node_never_accepts_its_own_frame_back() throws Exception {
        final FrameSeal a = new FrameSeal(SECRET, "node-a", 1);
        assertEquals(FrameRejection.REPLAYED, check(a, line(a), System.currentTimeMillis()));
        final FrameSeal twin = new FrameSeal(SECRET, "node-a", 7); // another process with the same name: not a copy
        assertNull(check(a, line(twin), System.currentTimeMillis()));
    }

    @Test
    void frames_out_of_order_within_the_window_pass_once_and_older_ones_do_not() throws Exception {
        final FrameSeal a = new FrameSeal(SECRET, "node-a", 1);
        final FrameSeal b = new FrameSeal(SECRET, "node-b", 2);
        final byte[][] frames = new byte[FrameSeal.WINDOW + 10][];
        for (int i = 0; i < frames.length; i++) {
            frames[i] = line(a);
        }
        final long now = System.currentTimeMillis();
        assertNull(check(b, frames[2], now), "sequence 3 first: two engine threads published in the other order");
        assertNull(check(b, frames[0], now));
        assertNull(check(b, frames[1], now));
        assertEquals(FrameRejection.REPLAYED, check(b, frames[1], now));
        assertNull(check(b, frames[frames.length - 1], now));
        assertEquals(FrameRejection.REPLAYED, check(b, frames[3], now), "older than the window: refused, seen or not");
        assertNull(check(b, frames[frames.length - 2], now));
    }

    /**
     * A thread held off the CPU between sealing and publishing while another sends more than a window of frames: its
     * frame is on a stream of its own, so it is not taken for a replay (a line lost to a busy machine).
     */
    @Test
    void each_sending_thread_has_a_stream_of_its_own() throws Exception {
        final FrameSeal a = new FrameSeal(SECRET, "node-a", 1);
        final FrameSeal b = new FrameSeal(SECRET, "node-b", 2);
        final byte[][] late = new byte[1][];
        final Thread held = new Thread(() -> late[0] = line(a));
        held.start();
        held.join(10_000);
        final long now = System.currentTimeMillis();
        for (int i = 0; i < FrameSeal.WINDOW * 2; i++) {
            assertNull(check(b, line(a), now));
        }
        assertNull(check(b, late[0], now), "the held thread's frame, published last, on its own stream");
        assertEquals(FrameRejection.REPLAYED, check(b, late[0], now));
    }

    @Test
    void an_earlier_incarnation_is_refused_while_the_later_one_speaks_and_taken_once_it_is_silent() throws Exception {
        final FrameSeal before = new FrameSeal(SECRET, "node-a", 100);
        final byte[] old = line(before);
        final byte[] older = line(before);
        final FrameSeal after = new FrameSeal(SECRET, "node-a", 200); // node a restarted
        final FrameSeal b = new FrameSeal(SECRET, "node-b", 2);
        final long now = System.currentTimeMillis();
        assertNull(check(b, old, now));
        assertNull(check(b, line(after), now), "a later incarnation starts a new window");
        assertEquals(FrameRejection.REPLAYED, check(b, older, now), "the earlier one is over while the later speaks");

        final FrameSeal.Window window = new FrameSeal.Window(); // node a restarted on a clock set back: incarnation 50
        window.accept(200, 1, now);
        assertFalse(window.accept(50, 1, now + FrameSeal.MAX_SKEW_MILLIS));
        assertTrue(window.accept(50, 1, now + FrameSeal.MAX_SKEW_MILLIS + 1), "the later one has been silent for a minute");
    }

    /** The window against a model (every number seen, the highest), on random orders a bus or two threads could make. */
    @Test
    void the_window_accepts_exactly_what_the_model_accepts() {
        final Random random = new Random(26);
        for (int round = 0; round < 200; round++) {
            final FrameSeal.Window window = new FrameSeal.Window();
            final TreeSet<Long> seen = new TreeSet<>();
            long highest = 0;
            for (int i = 0; i < 3_000; i++) {
                final long sequence = random.nextInt(4) == 0 ? 1 + random.nextInt(5_000) : highest + random.nextInt(70) - 30;
                final boolean expected = sequence > 0 && !seen.contains(sequence) && sequence > highest - FrameSeal.WINDOW;
                assertEquals(expected, window.accept(1, sequence, 0), "round " + round + ", step " + i + ": " + sequence
                        + " with the highest " + highest);
                if (expected) {
                    seen.add(sequence);
                    highest = Math.max(highest, sequence);
                }
            }
        }
    }
}
