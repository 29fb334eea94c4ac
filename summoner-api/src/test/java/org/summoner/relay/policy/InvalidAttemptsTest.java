package org.summoner.relay.policy;

import org.junit.jupiter.api.Test;
import org.summoner.relay.config.DedicatedRelay;

import java.net.InetAddress;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

class InvalidAttemptsTest {
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    private static InvalidAttempts attempts(boolean enabled, int maxEntries) {
        return new InvalidAttempts(new DedicatedRelay.InvalidAttempts(enabled, 60, 3, 6, 10, 12, 600, maxEntries));
    }

    private static InetAddress ip(String text) throws Exception {
        return InetAddress.getByName(text);
    }

    @Test
    void the_thresholds_come_in_order_per_address() throws Exception {
        final InvalidAttempts attempts = attempts(true, 100);
        final InvalidAttempts.Action[] seen = new InvalidAttempts.Action[13];
        for (int i = 1; i <= 12; i++) {
            seen[i] = attempts.record(ip("10.0.0.1"), i);
        }
        assertEquals(InvalidAttempts.Action.NONE, seen[2]);
        assertEquals(InvalidAttempts.Action.THROTTLE, seen[3]);
        assertEquals(InvalidAttempts.Action.THROTTLE, seen[5]);
        assertEquals(InvalidAttempts.Action.FLOW_CONTROL, seen[6]);
        assertEquals(InvalidAttempts.Action.DISCONNECT, seen[10]);
        assertEquals(InvalidAttempts.Action.QUARANTINE, seen[12]);
        assertEquals(InvalidAttempts.Action.NONE, attempts.record(ip("10.0.0.2"), 13), "another address has its own count");
    }

    @Test
    void only_the_attempts_within_the_window_count() throws Exception {
        final InvalidAttempts attempts = attempts(true, 100);
        attempts.record(ip("10.0.0.1"), 0);
        attempts.record(ip("10.0.0.1"), SECOND);
        assertEquals(InvalidAttempts.Action.THROTTLE, attempts.record(ip("10.0.0.1"), 2 * SECOND));
        assertEquals(InvalidAttempts.Action.NONE, attempts.record(ip("10.0.0.1"), 70 * SECOND), "the earlier three have slid out");
    }

    @Test
    void the_table_is_bounded_dropping_expired_entries_first_then_the_oldest() throws Exception {
        final InvalidAttempts attempts = attempts(true, 2);
        attempts.record(ip("10.0.0.1"), 0);
        attempts.record(ip("10.0.0.2"), 50 * SECOND);
        attempts.record(ip("10.0.0.3"), 70 * SECOND); // 10.0.0.1 has expired: it goes
        assertEquals(2, attempts.size());
        attempts.record(ip("10.0.0.4"), 71 * SECOND); // none expired: the oldest, 10.0.0.2, goes
        assertEquals(2, attempts.size());
        for (int i = 0; i < 2; i++) {
            attempts.record(ip("10.0.0.3"), 72 * SECOND + i);
        }
        assertEquals(InvalidAttempts.Action.THROTTLE, attempts.record(ip("10.0.0.3"), 73 * SECOND), "10.0.0.3 kept its count");
    }

    @Test
    void disabled_counts_nothing() throws Exception {
        final InvalidAttempts attempts = attempts(false, 100);
        for (int i = 0; i < 20; i++) {
            assertEquals(InvalidAttempts.Action.NONE, attempts.record(ip("10.0.0.1"), i));
        }
        assertEquals(0, attempts.size());
    }

    @Test
    void a_connections_own_tally_counts_only_its_lines_and_stops_at_closing_it() {
        final InvalidAttempts attempts = attempts(true, 100);
        final InvalidAttempts.Tally honest = attempts.newTally();
        final InvalidAttempts.Tally hostile = attempts.newTally();
        InvalidAttempts.Action last = null;
        for (int i = 1; i <= 20; i++) {
            last = attempts.record(hostile, i);
        }
        assertEquals(InvalidAttempts.Action.DISCONNECT, last, "a trusted address is never quarantined");
        assertEquals(InvalidAttempts.Action.NONE, attempts.record(honest, 21), "its neighbour's count is not its own");
        assertEquals(0, attempts.size(), "no address was counted");
    }

    @Test
    void a_disabled_count_never_acts_on_a_tally_either() {
        final InvalidAttempts attempts = attempts(false, 100);
        final InvalidAttempts.Tally tally = attempts.newTally();
        for (int i = 0; i < 20; i++) {
            assertEquals(InvalidAttempts.Action.NONE, attempts.record(tally, i));
        }
    }
}
