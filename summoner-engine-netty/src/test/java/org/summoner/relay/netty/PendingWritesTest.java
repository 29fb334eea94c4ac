package org.summoner.relay.netty;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Netty finishes writes oldest first: trimming to the entries it still holds leaves what is not fully written. */
class PendingWritesTest {

    @Test
    void trimming_forgets_the_oldest_writes() {
        final PendingWrites writes = new PendingWrites();
        writes.add(10, 1_000);
        writes.add(1, 50);
        writes.add(5, 400);
        assertEquals(16, writes.messages());
        assertEquals(1_450, writes.bytes());
        writes.trimTo(2);
        assertEquals(6, writes.messages());
        assertEquals(450, writes.bytes());
        writes.trimTo(2);
        assertEquals(6, writes.messages(), "trimming to what is held already changes nothing");
        writes.trimTo(0);
        assertEquals(0, writes.messages());
        assertEquals(0, writes.bytes());
    }

    @Test
    void it_grows_past_its_first_capacity_and_keeps_the_order_across_the_wrap() {
        final PendingWrites writes = new PendingWrites();
        for (int i = 1; i <= 10; i++) {
            writes.add(i, i);
        }
        writes.trimTo(3); // 8, 9, 10 left, the head moved to slot 7
        for (int i = 11; i <= 40; i++) {
            writes.add(i, i);
        }
        long expected = 0;
        for (int i = 8; i <= 40; i++) {
            expected += i;
        }
        assertEquals(expected, writes.messages());
        writes.trimTo(1);
        assertEquals(40, writes.messages());
        assertEquals(40, writes.bytes());
    }

    @Test
    void over_tls_the_bytes_netty_holds_decide_which_flushed_writes_are_still_waiting() {
        final PendingWrites writes = new PendingWrites();
        writes.add(10, 1_000); // flushed
        writes.add(1, 50);     // flushed
        writes.add(5, 400);    // flushed
        writes.add(2, 100);    // not flushed yet: in the SslHandler
        writes.trimToBytes(1, 600);
        assertEquals(18, writes.messages(), "600 held bytes need all three flushed writes (450 of the newest two are not enough)");
        writes.trimToBytes(1, 450);
        assertEquals(8, writes.messages(), "the two newest flushed writes cover 450 held bytes; the oldest is written");
        assertEquals(550, writes.bytes());
        writes.trimToBytes(1, 380); // ciphertext is longer than plaintext: 380 held bytes fit in the newest write
        assertEquals(7, writes.messages());
        assertEquals(500, writes.bytes());
        writes.trimToBytes(1, 0);
        assertEquals(2, writes.messages(), "nothing flushed is held: only the unflushed write waits");
        writes.trimToBytes(0, 0);
        assertEquals(0, writes.messages());
        assertEquals(0, writes.bytes());
    }
}
