package org.summoner.relay.bench.load;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PayloadTest {

    @Test
    void a_stamped_payload_reads_back_and_keeps_its_size() {
        final Payload payload = new Payload(64);
        final long[] fields = new long[3];
        payload.stamp(3, 123_456, 9_876_543_210L);
        assertEquals("@3:123456:9876543210;" + "x".repeat(64 - 21), new String(payload.bytes(), StandardCharsets.US_ASCII));
        assertTrue(Payload.read(payload.bytes(), 0, 64, fields));
        assertArrayEquals(new long[]{3, 123_456, 9_876_543_210L}, fields);
    }

    @Test
    void a_shorter_header_leaves_no_digits_of_the_previous_one() {
        final Payload payload = new Payload(48);
        payload.stamp(0, 1_000_000, 1_000_000_000);
        payload.stamp(0, 0, 0);
        assertEquals("@0:0:0;" + "x".repeat(41), new String(payload.bytes(), StandardCharsets.US_ASCII));
    }

    @Test
    void probes_are_told_apart_and_garbage_is_refused() {
        final byte[] probe = Payload.probe(0, 48);
        assertTrue(Payload.isProbe(probe, 0, probe.length));
        assertFalse(Payload.read(probe, 0, probe.length, new long[3]));
        final byte[] garbage = "@1:x:2;".getBytes(StandardCharsets.US_ASCII);
        assertFalse(Payload.read(garbage, 0, garbage.length, new long[3]));
    }

    @Test
    void a_line_too_small_for_the_header_is_refused() {
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Payload(20));
        assertEquals("line size 20 is below the payload header's 48 bytes", e.getMessage());
    }
}
