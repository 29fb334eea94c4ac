package org.summoner.relay.core;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The drain's schedule, on a clock driven by hand: who is told to go when ({@link Drain}, {@link Dispatcher}). */
class DrainTest {
    private static final long SECOND = 1_000_000_000L;
    private static final String NOTICE = "Warning: Server is draining; reconnect.\n";

    private final FakeEngine engine = FakeEngine.of(Map.of());
    private final List<Session> sessions = new ArrayList<>();

    private void connect(int clients) {
        for (int i = 0; i < clients; i++) {
            sessions.add(engine.connect("127.0.0.1", 40_000 + sessions.size()));
        }
    }

    private long told() {
        return sessions.stream().filter(session -> FakeEngine.output(session).goodbye != null).count();
    }

    private void at(long nanos) {
        engine.at(nanos);
        engine.sweep();
    }

    @Test
    void ten_clients_over_four_seconds_are_told_one_every_400_ms_the_first_at_once() {
        engine.at(0);
        connect(10);
        assertTrue(engine.core().drain().begin(0, 4 * SECOND));
        at(0);
        assertEquals(1, told());
        at(399_000_000L);
        assertEquals(1, told());
        at(400_000_000L);
        assertEquals(2, told());
        at(2 * SECOND);
        assertEquals(6, told(), "0, 0.4, 0.8, 1.2, 1.6 and 2.0 s");
        at(3_600_000_000L);
        assertEquals(10, told(), "the last is told at 3.6 s, before the period ends");
        for (Session session : sessions) {
            assertEquals(NOTICE, FakeEngine.output(session).goodbye);
        }
        assertEquals(10, engine.core().drain().clientsTold());
    }

    @Test
    void a_late_turn_tells_every_client_whose_time_has_come() {
        engine.at(0);
        connect(10);
        engine.core().drain().begin(0, 4 * SECOND);
        at(2_100_000_000L); // the engine was busy: the first turn after the drain began comes late
        assertEquals(6, told());
        at(10 * SECOND);
        assertEquals(10, told());
    }

    @Test
    void a_period_of_zero_tells_everyone_at_once() {
        engine.at(0);
        connect(5);
        engine.core().drain().begin(0, 0);
        at(0);
        assertEquals(5, told());
    }

    @Test
    void a_client_that_arrives_once_everyone_was_told_is_told_within_100_ms() {
        engine.at(0);
        connect(2);
        engine.core().drain().begin(0, 2 * SECOND);
        at(SECOND);
        assertEquals(2, told());
        engine.at(1_500_000_000L);
        connect(1); // accepted just before the listener closed
        assertTrue(engine.nextTimedDutyNanos() - 1_500_000_000L <= DrainSchedule.LOOK_AGAIN_NANOS);
        at(1_500_000_000L);
        assertEquals(3, told());
    }

    @Test
    void nothing_is_told_before_the_drain_begins_and_begin_counts_once() {
        engine.at(0);
        connect(3);
        at(100 * SECOND);
        assertEquals(0, told());
        assertTrue(engine.core().drain().begin(100 * SECOND, SECOND));
        assertFalse(engine.core().drain().begin(100 * SECOND, 0), "the second call changes nothing");
        at(100 * SECOND);
        assertEquals(1, told());
    }

    @Test
    void lines_sent_after_the_notice_are_counted_and_not_relayed() {
        engine.at(0);
        connect(2);
        engine.core().drain().begin(0, 10 * SECOND);
        at(0);
        final Session leaving = sessions.stream().filter(s -> FakeEngine.output(s).goodbye != null).findFirst().orElseThrow();
        FakeEngine.send(leaving, "late 1\nlate 2\nlate");
        FakeEngine.send(leaving, " 3\n");
        assertEquals(3, engine.core().drain().linesAfterGoodbye());
        assertTrue(engine.dispatched.isEmpty(), "nothing relayed");
        final Session staying = sessions.stream().filter(s -> FakeEngine.output(s).goodbye == null).findFirst().orElseThrow();
        assertNull(FakeEngine.output(staying).goodbye);
    }

    @Test
    void a_connection_whose_tls_handshake_is_under_way_is_closed_not_told_and_not_counted() throws Exception {
        engine.at(0);
        final FakeEngine.Output output = new FakeEngine.Output();
        final Session handshaking = engine.open(new java.net.InetSocketAddress(java.net.InetAddress.getByName("127.0.0.1"), 40_999), output);
        engine.core().drain().begin(0, 0);
        at(0);
        assertNull(output.goodbye, "it could not read the line");
        assertEquals(Session.State.CLOSED, handshaking.state());
        assertEquals(0, engine.core().drain().clientsTold());
    }
}
