package org.summoner.relay.core;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The isolation rule without sockets: who is closed, when the room pauses, and how the room is counted. */
class OutboundBudgetTest {
    private final FakeEngine engine = FakeEngine.of(Map.of("quarantine_cooldown_secs", 300, "max_queued_bytes", 10_000,
            "peer_trust", Map.of("trusted_networks", List.of("127.0.0.0/8"))));
    private final RelayCore core = engine.core();
    private final OutboundBudget budget = core.budget();
    /** The pause starts out expired when the core is made: test times count from there. */
    private final long t0 = System.nanoTime() + 1;

    private List<Session> room(int size) {
        final List<Session> room = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            room.add(engine.connect("10.0.0." + (i + 1), 1));
        }
        return room;
    }

    private boolean paused(long now) {
        return core.readPause().untilNanos() - (t0 + now) > 0;
    }

    private OutboundBudget.Verdict backlog(Session session, long messages, long now) {
        return budget.onBacklog(session, messages, messages * 100, t0 + now);
    }

    @Test
    void one_recipient_behind_in_a_room_of_three_pauses_no_one() {
        final List<Session> room = room(3);
        assertEquals(OutboundBudget.Verdict.KEEP, backlog(room.get(0), 400, 1_000));
        assertFalse(paused(1_000));
        assertEquals(0, core.counters().throttles() + core.counters().flowControls());
    }

    @Test
    void more_than_half_behind_pauses_at_the_level_most_of_them_are_past() {
        final List<Session> room = room(5);
        backlog(room.get(0), 150, 1_000);
        backlog(room.get(1), 150, 1_000);
        assertFalse(paused(1_000), "2 of 5 is not more than half");
        backlog(room.get(2), 350, 1_000);
        assertTrue(paused(1_000), "3 of 5 past the throttle threshold");
        assertEquals(1, core.counters().throttles());
        assertEquals(0, core.counters().flowControls(), "only one of them is past flow control");
    }

    @Test
    void a_recipient_that_catches_up_or_leaves_no_longer_counts() {
        final List<Session> room = room(4);
        backlog(room.get(0), 150, 0);
        backlog(room.get(1), 150, 0);
        backlog(room.get(1), 3, 0); // caught up
        backlog(room.get(2), 150, 0);
        assertFalse(paused(0), "2 of 4 behind, not more than half");
        room.get(3).closed(); // 2 of 3 now
        backlog(room.get(0), 150, 1);
        assertTrue(paused(1));
        room.get(0).closed();
        room.get(0).closed(); // twice is once
        assertEquals(2, budget.members());
        final long later = 10_000_000_000L;
        backlog(room.get(1), 0, later);
        backlog(room.get(2), 150, later);
        assertFalse(paused(later), "1 of 2 behind");
    }

    @Test
    void the_circuit_breaker_follows_the_client_alone_and_trusted_addresses_stay_welcome() {
        final List<Session> room = room(3);
        assertEquals(OutboundBudget.Verdict.CLOSE, backlog(room.get(0), 500, 0), "500 waiting: closed");
        assertEquals(1, core.counters().slowConsumerDisconnects());
        assertEquals(1, core.counters().quarantines());
        final Session local = engine.connect("127.0.0.1", 1);
        assertEquals(OutboundBudget.Verdict.CLOSE, budget.beforeQueue(local, 10, 9_000, 1_001, t0));
        assertEquals(2, core.counters().slowConsumerDisconnects());
        assertEquals(1, core.counters().quarantines(), "loopback is trusted");
    }

    @Test
    void max_queued_bytes_bounds_what_waits_but_never_refuses_a_first_message() {
        final Session session = room(1).get(0);
        assertEquals(OutboundBudget.Verdict.KEEP, budget.beforeQueue(session, 0, 0, 50_000, t0), "nothing waits: one big line is taken");
        assertEquals(OutboundBudget.Verdict.KEEP, budget.beforeQueue(session, 1, 9_000, 1_000, t0));
        assertEquals(OutboundBudget.Verdict.CLOSE, budget.beforeQueue(session, 1, 9_000, 1_001, t0));
    }

    @Test
    void only_recipients_behind_or_above_the_lowest_threshold_need_judging() {
        final Session session = room(1).get(0);
        assertFalse(budget.worthJudging(session, 99));
        assertTrue(budget.worthJudging(session, 100));
        backlog(session, 120, 0);
        assertTrue(budget.worthJudging(session, 0), "it must be told it caught up");
        backlog(session, 0, 0);
        assertFalse(budget.worthJudging(session, 0));
    }
}
