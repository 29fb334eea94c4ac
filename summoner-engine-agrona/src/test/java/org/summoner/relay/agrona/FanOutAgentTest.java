package org.summoner.relay.agrona;

import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.junit.jupiter.api.Test;
import org.summoner.relay.core.Route;
import org.summoner.relay.counters.RelayCounters;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fan-out agent's hand-off: envelopes in, one batch record per outbound ring out; a full
 * outbound ring holds the batch back (a return code and a counter, nothing lost, nothing read meanwhile).
 */
class FanOutAgentTest {
    private static final long A = 1;
    private static final long B = 2;

    private final RingBuffer lines = new ManyToOneRingBuffer(ring(64 * 1024));
    private final RelayCounters counters = new RelayCounters();
    private final AtomicInteger wakes = new AtomicInteger();

    private static UnsafeBuffer ring(int capacity) {
        return new UnsafeBuffer(ByteBuffer.allocateDirect(AgronaSettings.allocation(capacity)));
    }

    private FanOutAgent agent(RingBuffer... outbound) {
        final Runnable[] wakers = new Runnable[outbound.length];
        for (int i = 0; i < wakers.length; i++) {
            wakers[i] = wakes::incrementAndGet;
        }
        return new FanOutAgent(lines, outbound, wakers, counters);
    }

    private void record(int type, long id, String body) {
        record(type, id, Route.KIND_BROADCAST, 0, body);
    }

    private void record(int type, long id, int routeKind, long routeTarget, String body) {
        final byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        final UnsafeBuffer record = new UnsafeBuffer(new byte[Records.ENVELOPE_HEADER_BYTES + bytes.length]);
        record.putLong(0, id);
        record.putInt(Records.KIND_AT, routeKind);
        record.putLong(Records.TARGET_AT, routeTarget);
        record.putBytes(Records.ENVELOPE_HEADER_BYTES, bytes);
        assertTrue(lines.write(type, record, 0, record.capacity()));
    }

    private static String envelope(String remoteAddr, String content) {
        return "{\"remote_addr\":\"" + remoteAddr + "\",\"content\":\"" + content + "\"}\n";
    }

    /** Reads every batch record of a ring: its spans as "sender:end:messages" (routed ones "sender>target:...") and its payload. */
    private static List<String> drain(RingBuffer ring) {
        final List<String> records = new ArrayList<>();
        ring.read((type, buffer, index, length) -> {
            final StringBuilder text = new StringBuilder();
            final int spans = buffer.getInt(index);
            int at = index + Records.SPAN_COUNT_BYTES;
            for (int s = 0; s < spans; s++, at += Records.SPAN_BYTES) {
                text.append(buffer.getLong(at));
                if (buffer.getInt(at + Records.SPAN_KIND_AT) != Route.KIND_BROADCAST) {
                    text.append('>').append(buffer.getLong(at + Records.SPAN_TARGET_AT));
                }
                text.append(':').append(buffer.getInt(at + Records.SPAN_END_AT)).append(':')
                        .append(buffer.getInt(at + Records.SPAN_MESSAGES_AT)).append(' ');
            }
            text.append(buffer.getStringWithoutLengthUtf8(at, index + length - at));
            records.add(text.toString());
        });
        return records;
    }

    @Test
    void lines_become_one_batch_per_ring_with_who_sent_what() {
        final RingBuffer first = new OneToOneRingBuffer(ring(64 * 1024));
        final RingBuffer second = new OneToOneRingBuffer(ring(64 * 1024));
        final FanOutAgent fanOut = agent(first, second);
        record(Records.ENVELOPE, A, envelope("127.0.0.1:1", "one"));
        record(Records.ENVELOPE, A, envelope("127.0.0.1:1", "two"));
        record(Records.ENVELOPE, B, envelope("127.0.0.1:2", "three"));

        assertTrue(fanOut.doWork() > 0);

        final String payload = envelope("127.0.0.1:1", "one") + envelope("127.0.0.1:1", "two") + envelope("127.0.0.1:2", "three");
        final int endOfA = (envelope("127.0.0.1:1", "one") + envelope("127.0.0.1:1", "two")).length();
        final String expected = A + ":" + endOfA + ":2 " + B + ":" + payload.length() + ":1 " + payload;
        assertEquals(List.of(expected), drain(first));
        assertEquals(List.of(expected), drain(second), "every I/O agent gets the same batch");
        assertEquals(2, wakes.get(), "each I/O agent woken once");
    }

    @Test
    void an_envelope_in_pieces_is_relayed_once_whole_even_when_another_senders_comes_between() {
        final RingBuffer outbound = new OneToOneRingBuffer(ring(64 * 1024));
        final FanOutAgent fanOut = agent(outbound);
        final String whole = envelope("[::1]:7", "hello world");
        record(Records.ENVELOPE_PART, A, whole.substring(0, 10));
        record(Records.ENVELOPE, B, envelope("[::1]:8", "between"));
        record(Records.ENVELOPE_PART, A, whole.substring(10, 20));
        record(Records.ENVELOPE, A, whole.substring(20));

        fanOut.doWork();

        final String other = envelope("[::1]:8", "between");
        assertEquals(List.of(B + ":" + other.length() + ":1 " + A + ":" + (other + whole).length() + ":1 " + other + whole),
                drain(outbound));
    }

    @Test
    void each_span_carries_its_route_and_a_new_route_starts_a_new_span() {
        final RingBuffer outbound = new OneToOneRingBuffer(ring(64 * 1024));
        final FanOutAgent fanOut = agent(outbound);
        record(Records.ENVELOPE, A, envelope("127.0.0.1:1", "to all"));
        record(Records.ENVELOPE, A, Route.KIND_SESSION, B, envelope("127.0.0.1:1", "to b"));
        record(Records.ENVELOPE, A, envelope("127.0.0.1:1", "to all again"));

        fanOut.doWork();

        final String first = envelope("127.0.0.1:1", "to all");
        final String second = envelope("127.0.0.1:1", "to b");
        final String third = envelope("127.0.0.1:1", "to all again");
        assertEquals(List.of(A + ":" + first.length() + ":1 " + A + ">" + B + ":" + (first + second).length() + ":1 "
                + A + ":" + (first + second + third).length() + ":1 " + first + second + third), drain(outbound));
    }

    @Test
    void a_full_outbound_ring_holds_the_batch_back_and_stops_reading_until_there_is_room() {
        final RingBuffer outbound = new OneToOneRingBuffer(ring(64 * 1024));
        final FanOutAgent fanOut = agent(outbound);
        final String line = "x".repeat(4000);
        int sent = 0;
        while (outbound.size() + 8 * 1024 < outbound.capacity() || sent < 40) {
            record(Records.ENVELOPE, A, envelope("127.0.0.1:1", line));
            sent++;
            fanOut.doWork();
            if (counters.handOffWaits() > 0) {
                break;
            }
        }
        assertEquals(1, counters.handOffWaits(), "the wait is counted once");
        assertFalse(fanOut.hasWork(), "a waiting agent idles instead of spinning");
        record(Records.ENVELOPE, A, envelope("127.0.0.1:1", "after"));
        assertEquals(0, fanOut.doWork(), "nothing moves while the ring is full");
        assertTrue(lines.size() > 0, "the next line stays in the lines ring");

        final List<String> delivered = new ArrayList<>(drain(outbound)); // an I/O agent catches up
        fanOut.doWork();
        delivered.addAll(drain(outbound));
        fanOut.doWork();
        delivered.addAll(drain(outbound));

        final StringBuilder payloads = new StringBuilder();
        for (String record : delivered) {
            payloads.append(record.substring(record.indexOf(' ') + 1));
        }
        final StringBuilder expected = new StringBuilder();
        for (int i = 0; i < sent; i++) {
            expected.append(envelope("127.0.0.1:1", line));
        }
        expected.append(envelope("127.0.0.1:1", "after"));
        assertEquals(expected.toString(), payloads.toString(), "every envelope once, in order");
        assertEquals(0, lines.size());
    }

    @Test
    void an_envelope_larger_than_a_ring_record_travels_in_several() {
        final RingBuffer outbound = new OneToOneRingBuffer(ring(64 * 1024)); // records of at most 8 KiB
        final FanOutAgent fanOut = agent(outbound);
        final String line = "y".repeat(20_000);
        final String whole = envelope("127.0.0.1:1", line);
        for (int i = 0; i < 3; i++) {
            record(Records.ENVELOPE_PART, A, whole.substring(i * 6_000, (i + 1) * 6_000));
        }
        record(Records.ENVELOPE, A, whole.substring(18_000));

        fanOut.doWork();

        final List<String> records = drain(outbound);
        assertTrue(records.size() >= 3, records.size() + " records");
        final StringBuilder payload = new StringBuilder();
        int messages = 0;
        for (String record : records) {
            final String[] span = record.substring(0, record.indexOf(' ')).split(":");
            messages += Integer.parseInt(span[2]);
            payload.append(record.substring(record.indexOf(' ') + 1));
        }
        assertEquals(envelope("127.0.0.1:1", line), payload.toString());
        assertEquals(1, messages, "counted once, in the record where it ends");
    }
}
