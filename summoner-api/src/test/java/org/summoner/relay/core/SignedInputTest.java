package org.summoner.relay.core;

import org.junit.jupiter.api.Test;
import org.summoner.relay.identity.AuroraSigner;
import org.summoner.relay.wire.Rejection;
import org.summoner.relay.wire.ServerNotice;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Signed lines in the core, without sockets (SPEC sections 7, 8 and 10): each connection's signature checks are
 * bounded per turn and the rest of its input waits, held, for the next; an envelope counts only while fresh and only
 * once; a valid line that goes nowhere is an invalid attempt; unfinished input is bounded for all clients together.
 */
class SignedInputTest {
    private static final AuroraSigner ALICE = AuroraSigner.generate(null);
    private static final AuroraSigner BOB = AuroraSigner.generate(null);

    private final FakeEngine engine = FakeEngine.routed(Map.of("routing", "dedicated", "rate_limit_msgs_per_minute", 1_000_000));

    private static String rejected(Rejection reason) {
        return "Warning: Line rejected (" + reason.code() + ") and was not relayed.\n";
    }

    /** Alice and Bob connected and bound (each with one signature check of this turn spent). */
    private Session[] aliceAndBob() {
        final Session alice = engine.connect("10.0.0.1", 1);
        final Session bob = engine.connect("10.0.0.2", 2);
        FakeEngine.send(alice, ALICE.seal("hi", null) + "\n");
        FakeEngine.send(bob, BOB.seal("hi", null) + "\n");
        engine.newTurn();
        return new Session[]{alice, bob};
    }

    @Test
    void a_connection_gets_one_signature_check_per_turn_and_the_rest_of_its_input_waits_held_in_order() {
        final Session[] pair = aliceAndBob();
        final Session alice = pair[0];
        final StringBuilder five = new StringBuilder();
        for (int i = 0; i < 5; i++) {
            five.append(ALICE.seal(Map.of("seq", i), BOB.publicId())).append('\n');
        }
        FakeEngine.send(alice, five.toString());

        assertEquals(1, engine.dispatched.size(), "one line, one check, this turn");
        assertFalse(FakeEngine.output(alice).reading, "its reads stop while it holds input");
        assertTrue(engine.holding());
        for (int turn = 2; turn <= 5; turn++) {
            engine.newTurn();
            assertEquals(turn, engine.dispatched.size());
        }
        assertTrue(FakeEngine.output(alice).reading, "all handled: it is read again");
        assertFalse(engine.holding());
        for (int i = 0; i < 5; i++) {
            assertTrue(engine.dispatched.get(i).envelope().contains("\\\"seq\\\":" + i), "in the order sent");
        }
        assertEquals(0, engine.core().inputBudget().used(), "the held bytes were given back");
    }

    @Test
    void bytes_read_after_reads_were_held_wait_behind_the_held_ones_and_end_of_stream_handles_all() {
        final Session alice = aliceAndBob()[0];
        final String first = ALICE.seal(1, BOB.publicId()) + "\n" + ALICE.seal(2, BOB.publicId()) + "\n";
        FakeEngine.send(alice, first);
        FakeEngine.send(alice, ALICE.seal(3, BOB.publicId()) + "\n" + "unfinished");
        assertEquals(1, engine.dispatched.size());
        alice.onEndOfStream();
        assertEquals(3, engine.dispatched.size(), "the client closed: what it sent is handled now");
        assertEquals(List.of(), FakeEngine.output(alice).sent.stream().filter(line -> !line.contains("rejected")).toList());
        assertTrue(FakeEngine.output(alice).sent.contains(rejected(Rejection.NOT_JSON)), "'unfinished' was its last line");
    }

    @Test
    void a_replayed_envelope_is_refused_on_any_connection_and_never_binds_a_stranger() {
        final Session[] pair = aliceAndBob();
        final String toBob = ALICE.seal("for bob", BOB.publicId());
        FakeEngine.send(pair[0], toBob + "\n");
        engine.newTurn();
        final Session stranger = engine.connect("10.0.0.9", 9);
        FakeEngine.send(stranger, toBob + "\n");
        FakeEngine.send(pair[0], toBob + "\n");

        assertEquals(1, engine.dispatched.size(), "delivered once");
        assertEquals(List.of(rejected(Rejection.REPLAYED)), FakeEngine.output(stranger).sent);
        assertEquals(null, stranger.fingerprint(), "the stranger is bound to no one");
        assertEquals(List.of(rejected(Rejection.REPLAYED)), FakeEngine.output(pair[0]).sent);
        assertEquals(2, engine.core().counters().linesRejected(Rejection.REPLAYED));
    }

    @Test
    void an_envelope_outside_the_replay_window_is_stale_and_costs_no_signature_check() {
        final Session alice = engine.connect("10.0.0.1", 1);
        final long now = System.currentTimeMillis() / 1000;
        FakeEngine.send(alice, ALICE.seal("old", Map.of("ts", now - 301), null) + "\n");
        FakeEngine.send(alice, ALICE.seal("future", Map.of("ts", now + 301), null) + "\n");
        FakeEngine.send(alice, ALICE.seal("no ts", Map.of("nonce", "x"), null) + "\n");
        FakeEngine.send(alice, ALICE.seal("float ts", Map.of("ts", 1.5), null) + "\n");
        assertEquals(List.of(rejected(Rejection.STALE), rejected(Rejection.STALE), rejected(Rejection.MISSING_FIELD),
                rejected(Rejection.WRONG_TYPE)), FakeEngine.output(alice).sent);
        assertEquals(0, alice.identity().memo().checksComputed());
    }

    @Test
    void a_valid_line_that_goes_nowhere_is_an_invalid_attempt_told_or_not() {
        final Session alice = aliceAndBob()[0];
        FakeEngine.send(alice, ALICE.seal("again", null) + "\n");
        engine.newTurn();
        final AuroraSigner absent = AuroraSigner.generate(null);
        for (int i = 0; i < 9; i++) {
            FakeEngine.send(alice, ALICE.seal(i, absent.publicId()) + "\n");
            engine.newTurn();
        }
        assertEquals(rejected(Rejection.ALREADY_BOUND), FakeEngine.output(alice).sent.get(0));
        assertEquals(1, FakeEngine.output(alice).sent.size(), "lines to a receiver not connected are not told");
        assertEquals(rejected(Rejection.RECEIVER_NOT_CONNECTED), FakeEngine.output(alice).goodbye, "the 10th closes it");
        assertEquals(9, engine.core().counters().undeliverable());
    }

    @Test
    void unfinished_lines_of_all_clients_together_are_bounded_by_max_buffered_input_bytes() {
        final FakeEngine bounded = FakeEngine.of(Map.of("max_buffered_input_bytes", 200_000, "max_line_bytes", 65536,
                "max_envelope_bytes", 1 << 20));
        final String half = "x".repeat(60_000);
        final Session[] parked = new Session[4];
        for (int i = 0; i < parked.length; i++) {
            parked[i] = bounded.connect("10.0.0." + (i + 1), 1000 + i);
            FakeEngine.send(parked[i], half.substring(0, 100));
            FakeEngine.send(parked[i], half);
        }
        assertEquals(List.of(), FakeEngine.output(parked[0]).sent);
        assertEquals(List.of("Warning: Server holds too much unfinished input (max_buffered_input_bytes); the line was dropped.\n"),
                FakeEngine.output(parked[3]).sent, "the fourth 64 KiB buffer is over 200,000 bytes");
        FakeEngine.send(parked[3], "rest of it\nnext\n");
        assertEquals(1, bounded.dispatched.size(), "the dropped line is discarded to its end; the next is relayed");
        FakeEngine.send(parked[0], "\n");
        parked[1].closed();
        assertTrue(bounded.core().inputBudget().used() <= 2 * 65537 + 2048, "released: " + bounded.core().inputBudget().used());
        assertEquals(1, bounded.core().counters().linesDropped(ServerNotice.INPUT_FULL));
    }

    @Test
    void only_complete_lines_keep_a_client_from_being_idle() {
        final FakeEngine idle = FakeEngine.of(Map.of("client_timeout_secs", 10, "timeout_check_interval_secs", 1));
        final Session trickle = idle.connect("10.0.0.1", 1);
        final long start = idle.now();
        for (int s = 1; s <= 11; s++) {
            idle.at(start + TimeUnit.SECONDS.toNanos(s));
            FakeEngine.send(trickle, "x"); // a byte a second, never a line
        }
        idle.sweep();
        assertEquals("Warning: You have been disconnected due to inactivity.\n", FakeEngine.output(trickle).goodbye);
    }

    @Test
    void clients_with_recent_invalid_attempts_share_a_few_checks_a_turn_so_an_honest_client_keeps_its_own() {
        final FakeEngine relay = FakeEngine.routed(Map.of("routing", "dedicated", "rate_limit_msgs_per_minute", 1_000_000,
                "dedicated_relay", Map.of("invalid_attempts", Map.of("throttle_threshold", 100, "flow_control_threshold", 100,
                        "disconnect_threshold", 100, "quarantine_threshold", 100))));
        final Session bob = relay.connect("10.0.0.2", 2);
        FakeEngine.send(bob, BOB.seal("hi", null) + "\n");
        final Session[] suspects = new Session[4];
        for (int i = 0; i < suspects.length; i++) {
            final AuroraSigner mallory = AuroraSigner.generate(null);
            suspects[i] = relay.connect("10.0.1." + i, 100 + i);
            final StringBuilder lines = new StringBuilder("junk\n"); // an invalid attempt first: a suspect from now on
            for (int j = 0; j < 5; j++) {
                lines.append(mallory.seal(Map.of("j", j), BOB.publicId())).append('\n');
            }
            FakeEngine.send(suspects[i], lines.toString());
        }
        final Session alice = relay.connect("10.0.0.1", 1);
        final StringBuilder honest = new StringBuilder();
        for (int j = 0; j < 5; j++) {
            honest.append(ALICE.seal(Map.of("j", j), BOB.publicId())).append('\n');
        }
        FakeEngine.send(alice, honest.toString());
        final int afterReads = relay.dispatched.size();
        final long checksBefore = checks(suspects);
        relay.newTurn();
        assertEquals(2, checks(suspects) - checksBefore, "the suspects' share of a turn: two checks among four of them");
        assertEquals(afterReads + 3, relay.dispatched.size(), "alice's own check, and the suspects' two");
        for (int turn = 0; turn < 20; turn++) {
            relay.newTurn();
        }
        assertFalse(relay.holding(), "every suspect is served in turn, none starves");
        assertEquals(5 + 4 * 5, relay.dispatched.size());
    }

    private static long checks(Session[] sessions) {
        long checks = 0;
        for (Session session : sessions) {
            checks += session.identity().memo().checksComputed();
        }
        return checks;
    }
}
