package org.summoner.relay.spi;

import org.junit.jupiter.api.Test;
import org.summoner.relay.config.ServerConfig;
import org.summoner.relay.policy.FairUsePolicy;
import org.summoner.relay.policy.ReadPause;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The isolation rule without sockets: who is closed, when the room pauses, and how the room is counted. */
class BacklogJudgeTest {
    private final RelayCounters counters = new RelayCounters();
    private final ReadPause pause = new ReadPause();
    private final BacklogJudge judge;

    BacklogJudgeTest() {
        final ServerConfig config = ServerConfig.fromMap(Map.of("hyper_parameters", Map.of(
                "quarantine_cooldown_secs", 300, "peer_trust", Map.of("trusted_networks", List.of("127.0.0.0/8")))));
        judge = new BacklogJudge(new EngineContext("test", config, new InetSocketAddress(0), counters, FairUsePolicy.of(config)), pause);
    }

    private List<BacklogJudge.Recipient> room(int size) throws Exception {
        final List<BacklogJudge.Recipient> room = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            room.add(judge.join(InetAddress.getByName("10.0.0." + (i + 1)), "10.0.0." + (i + 1) + ":1"));
        }
        return room;
    }

    /** The pause starts out expired at construction time: test times count from there. */
    private final long t0 = System.nanoTime() + 1;

    private boolean paused(long now) {
        return pause.untilNanos() - (t0 + now) > 0;
    }

    @Test
    void one_recipient_behind_in_a_room_of_three_pauses_no_one() throws Exception {
        final List<BacklogJudge.Recipient> room = room(3);
        assertFalse(judge.judge(room.get(0), 400, 400_000, t0 + 1_000));
        assertFalse(paused(1_000));
        assertEquals(0, counters.throttles() + counters.flowControls());
    }

    @Test
    void more_than_half_behind_pauses_at_the_level_most_of_them_are_past() throws Exception {
        final List<BacklogJudge.Recipient> room = room(5);
        judge.judge(room.get(0), 150, 0, t0 + 1_000);
        judge.judge(room.get(1), 150, 0, t0 + 1_000);
        assertFalse(paused(1_000), "2 of 5 is not more than half");
        judge.judge(room.get(2), 350, 0, t0 + 1_000);
        assertTrue(paused(1_000), "3 of 5 past the throttle threshold");
        assertEquals(1, counters.throttles());
        assertEquals(0, counters.flowControls(), "only one of them is past flow control");
    }

    @Test
    void a_recipient_that_catches_up_or_leaves_no_longer_counts() throws Exception {
        final List<BacklogJudge.Recipient> room = room(4);
        judge.judge(room.get(0), 150, 0, t0);
        judge.judge(room.get(1), 150, 0, t0);
        judge.judge(room.get(1), 3, 0, t0); // caught up
        judge.judge(room.get(2), 150, 0, t0);
        assertFalse(paused(0), "2 of 4 behind, not more than half");
        judge.leave(room.get(3)); // 2 of 3 now
        judge.judge(room.get(0), 150, 0, t0 + 1);
        assertTrue(paused(1));
        judge.leave(room.get(0));
        judge.leave(room.get(0)); // twice is once
        assertEquals(2, judge.members());
        final long later = 10_000_000_000L;
        judge.judge(room.get(1), 0, 0, t0 + later);
        judge.judge(room.get(2), 150, 0, t0 + later);
        assertFalse(paused(later), "1 of 2 behind");
    }

    @Test
    void the_circuit_breaker_follows_the_client_alone_and_trusted_addresses_stay_welcome() throws Exception {
        final List<BacklogJudge.Recipient> room = room(3);
        assertTrue(judge.judge(room.get(0), 500, 1, t0 + 0), "500 waiting: closed");
        assertEquals(1, counters.slowConsumerDisconnects());
        assertEquals(1, counters.quarantines());
        final BacklogJudge.Recipient local = judge.join(InetAddress.getByName("127.0.0.1"), "127.0.0.1:1");
        judge.slowConsumer(local, "max_queued_bytes", 10, 20_000_000, t0);
        assertEquals(2, counters.slowConsumerDisconnects());
        assertEquals(1, counters.quarantines(), "loopback is trusted");
    }

    @Test
    void only_recipients_behind_or_above_the_lowest_threshold_need_judging() throws Exception {
        final BacklogJudge.Recipient recipient = room(1).get(0);
        assertFalse(judge.mustJudge(recipient, 99));
        assertTrue(judge.mustJudge(recipient, 100));
        judge.judge(recipient, 120, 0, t0);
        assertTrue(judge.mustJudge(recipient, 0), "it must be told it caught up");
        judge.judge(recipient, 0, 0, t0);
        assertFalse(judge.mustJudge(recipient, 0));
    }
}
