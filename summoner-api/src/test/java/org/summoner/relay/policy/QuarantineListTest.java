package org.summoner.relay.policy;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class QuarantineListTest {
    private static InetAddress ip(String text) throws Exception {
        return InetAddress.getByName(text);
    }

    @Test
    void an_address_is_quarantined_for_the_cooldown_whatever_its_port() throws Exception {
        final QuarantineList list = new QuarantineList(300, 10);
        assertTrue(list.add(ip("10.0.0.1"), 1_000));
        assertEquals(300, list.remainingNanos(ip("10.0.0.1"), 1_000));
        assertEquals(1, list.remainingNanos(ip("10.0.0.1"), 1_299));
        assertEquals(0, list.remainingNanos(ip("10.0.0.1"), 1_300));
        assertEquals(0, list.remainingNanos(ip("10.0.0.2"), 1_000));
    }

    @Test
    void expired_entries_are_removed_by_cleanup_only() throws Exception {
        final QuarantineList list = new QuarantineList(100, 10);
        list.add(ip("10.0.0.1"), 0);
        list.add(ip("10.0.0.2"), 50);
        assertEquals(2, list.size());
        assertEquals(1, list.removeExpired(120));
        assertEquals(1, list.size());
        assertEquals(30, list.remainingNanos(ip("10.0.0.2"), 120));
    }

    @Test
    void the_list_is_bounded() throws Exception {
        final QuarantineList list = new QuarantineList(100, 2);
        assertTrue(list.add(ip("10.0.0.1"), 0));
        assertTrue(list.add(ip("10.0.0.2"), 0));
        assertFalse(list.add(ip("10.0.0.3"), 10), "full of live entries");
        assertTrue(list.add(ip("10.0.0.3"), 100), "expired entries make room");
        assertEquals(1, list.size());
    }

    @Test
    void a_zero_cooldown_disables_quarantine() throws Exception {
        final QuarantineList list = new QuarantineList(0, 10);
        assertFalse(list.enabled());
        assertFalse(list.add(ip("10.0.0.1"), 0));
        assertEquals(0, list.size());
    }
}
