package org.summoner.relay.core;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.summoner.relay.identity.AuroraSigner;
import org.summoner.relay.identity.Json;
import org.summoner.relay.wire.Rejection;
import org.summoner.relay.wire.ServerNotice;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Signed lines checked off the engine thread ({@code verification.threads} above 0, SPEC section 10): a line whose
 * checks no cache answers waits for the pool with what its sender sent after it, while everyone else's lines go on;
 * it comes back to its connection's thread and gets exactly the verdict a check on the spot gives; what waits is
 * bounded, told when refused, and given back when its connection goes.
 */
@Timeout(30)
class VerifiedOffThreadTest {
    private static final AuroraSigner ALICE = AuroraSigner.generate(null);
    private static final AuroraSigner BOB = AuroraSigner.generate(null);
    private static final Map<String, Object> UNLIMITED = Map.of("rate_limit_msgs_per_minute", 1_000_000);

    private final List<FakeEngine> engines = new ArrayList<>();

    @AfterEach
    void closePools() {
        engines.forEach(engine -> engine.core().close());
    }

    private FakeEngine relay(String mode, int threads, int maxWaiting) {
        final Map<String, Object> hyper = new LinkedHashMap<>(UNLIMITED);
        hyper.put("routing", mode);
        final FakeEngine engine = FakeEngine.routed(hyper, Map.of("threads", threads, "max_waiting", maxWaiting));
        engines.add(engine);
        return engine;
    }

    private static String rejected(Rejection reason) {
        return "Warning: Line rejected (" + reason.code() + ") and was not relayed.\n";
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(String line) {
        final byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
        try {
            return (Map<String, Object>) Json.parse(bytes, 0, bytes.length);
        } catch (Json.NotJson e) {
            throw new AssertionError(e);
        }
    }

    private static String text(Map<String, Object> value) {
        return new String(Json.compact(value), StandardCharsets.UTF_8);
    }

    /** Runs turns until {@code done}, as an engine's loop does when the pool wakes it. */
    private static void turnsUntil(FakeEngine engine, BooleanSupplier done) {
        final long deadline = System.nanoTime() + 20_000_000_000L;
        while (!done.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "the pool's verdicts did not come back");
            engine.newTurn();
            Thread.onSpinWait();
        }
    }

    @Test
    void a_signed_line_waits_for_the_pool_with_what_its_sender_sent_after_it_while_others_lines_go_on() {
        final FakeEngine engine = relay("hybrid", 1, 100);
        final Session alice = engine.connect("10.0.0.1", 1);
        final Session bob = engine.connect("10.0.0.2", 2);
        final Session carol = engine.connect("10.0.0.3", 3);
        FakeEngine.send(bob, BOB.seal("bob binds", null) + "\n");
        turnsUntil(engine, () -> BOB.fingerprint().equals(bob.fingerprint()));

        final StringBuilder burst = new StringBuilder();
        for (int i = 0; i < 5; i++) {
            burst.append(ALICE.seal(Map.of("seq", i), BOB.publicId())).append('\n');
        }
        burst.append("plain after the signed ones\n");
        FakeEngine.send(alice, burst.toString());
        assertEquals(0, engine.dispatched.size(), "nothing of alice's is decided on this thread");
        assertFalse(FakeEngine.output(alice).reading, "its reads stop while its line waits");

        FakeEngine.send(carol, "an unsigned line goes on at once\n");
        assertEquals(1, engine.dispatched.size());
        assertTrue(engine.dispatched.get(0).envelope().contains("an unsigned line goes on at once"));

        turnsUntil(engine, () -> engine.dispatched.size() == 7);
        for (int i = 0; i < 5; i++) {
            assertTrue(engine.dispatched.get(1 + i).envelope().contains("\\\"seq\\\":" + i), "in the order sent");
            assertEquals(alice, engine.dispatched.get(1 + i).sender());
        }
        assertTrue(engine.dispatched.get(6).envelope().contains("plain after the signed ones"), "behind the signed ones");
        assertTrue(FakeEngine.output(alice).reading, "all decided: it is read again");
        assertEquals(List.of(), FakeEngine.output(alice).sent);
        assertEquals(ALICE.fingerprint(), alice.fingerprint());
        assertEquals(0, alice.identity().memo().checksComputed(), "no check computed on the engine thread");
        assertEquals(0, engine.core().inputBudget().used(), "the waiting copies were given back");
        turnsUntil(engine, () -> !engine.holding());
    }

    @Test
    void a_forgery_that_waits_gets_the_verdict_a_check_on_the_spot_gives_and_is_never_remembered_as_proved() {
        final FakeEngine engine = relay("dedicated", 2, 100);
        final Session mallory = engine.connect("10.0.0.6", 6);
        final Map<String, Object> envelope = object(ALICE.seal("hi", BOB.publicId()));
        @SuppressWarnings("unchecked") final Map<String, Object> from = new LinkedHashMap<>((Map<String, Object>) envelope.get("from"));
        from.put("sig", BOB.publicId().get("sig")); // alice's record under bob's record signature
        final Map<String, Object> forgedRecord = new LinkedHashMap<>(envelope);
        forgedRecord.put("from", from);
        final Map<String, Object> forgedEnvelope = new LinkedHashMap<>(object(ALICE.seal("hi again", BOB.publicId())));
        forgedEnvelope.put("sig", envelope.get("sig")); // another envelope's signature
        final String lines = text(forgedRecord) + "\n" + text(forgedRecord) + "\n"
                + text(forgedEnvelope) + "\n";
        FakeEngine.send(mallory, lines);
        turnsUntil(engine, () -> FakeEngine.output(mallory).sent.size() == 3);
        assertEquals(List.of(rejected(Rejection.BAD_IDENTITY_SIGNATURE), rejected(Rejection.BAD_IDENTITY_SIGNATURE),
                rejected(Rejection.BAD_ENVELOPE_SIGNATURE)), FakeEngine.output(mallory).sent);
        assertNull(mallory.fingerprint(), "bound to no one");
        assertEquals(0, engine.dispatched.size());

        final FakeEngine inline = relay("dedicated", 0, 100);
        final Session witness = inline.connect("10.0.0.6", 6);
        FakeEngine.send(witness, lines);
        for (int turn = 0; turn < 5; turn++) {
            inline.newTurn();
        }
        assertEquals(FakeEngine.output(mallory).sent, FakeEngine.output(witness).sent, "the same verdicts on the spot");
    }

    @Test
    void when_max_waiting_lines_wait_the_next_is_dropped_and_its_sender_told() {
        final FakeEngine engine = relay("dedicated", 1, 2);
        final List<String> lines = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            lines.add(AuroraSigner.generate(null).seal("hi", null) + "\n"); // signed before: sending them is fast
        }
        final List<Session> senders = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            senders.add(engine.connect("10.0.1." + i, 100 + i));
        }
        final VerificationPool pool = engine.core().verificationPool();
        pool.lock.lock(); // its thread takes no line meanwhile: two wait, the 38 others find it full
        try {
            for (int i = 0; i < 40; i++) {
                FakeEngine.send(senders.get(i), lines.get(i));
            }
        } finally {
            pool.lock.unlock();
        }
        final String busy = "Warning: Server is busy checking signatures (verification.max_waiting); the line was dropped.\n";
        final long told = senders.stream().filter(s -> FakeEngine.output(s).sent.equals(List.of(busy))).count();
        assertEquals(38, told);
        assertEquals(38, engine.core().counters().linesDropped(ServerNotice.VERIFICATION_BUSY));
        turnsUntil(engine, () -> senders.stream().filter(s -> s.fingerprint() != null).count() == 40 - told);
        senders.forEach(s -> assertTrue(FakeEngine.output(s).reading, "each is read again"));
    }

    @Test
    void lines_of_clients_with_a_recent_invalid_attempt_wait_behind_the_others_and_hold_half_the_places_at_most() {
        final FakeEngine engine = relay("dedicated", 1, 4);
        final Session bob = engine.connect("10.0.0.2", 2);
        FakeEngine.send(bob, BOB.seal("bob binds", null) + "\n");
        turnsUntil(engine, () -> bob.fingerprint() != null);
        final List<Session> suspects = new ArrayList<>();
        final List<String> suspectLines = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            final Session suspect = engine.connect("10.0.1." + i, 100 + i);
            FakeEngine.send(suspect, "junk\n"); // an invalid attempt: a suspect from now on
            suspects.add(suspect);
            suspectLines.add(AuroraSigner.generate(null).seal(Map.of("suspect", i), BOB.publicId()) + "\n");
        }
        final Session alice = engine.connect("10.0.0.1", 1);
        final String aliceLine = ALICE.seal("from alice", BOB.publicId()) + "\n";
        final VerificationPool pool = engine.core().verificationPool();
        pool.lock.lock();
        try {
            for (int i = 0; i < 4; i++) {
                FakeEngine.send(suspects.get(i), suspectLines.get(i));
            }
            FakeEngine.send(alice, aliceLine); // offered last, checked first
        } finally {
            pool.lock.unlock();
        }
        final String busy = "Warning: Server is busy checking signatures (verification.max_waiting); the line was dropped.\n";
        for (int i = 0; i < 4; i++) {
            assertEquals(i < 2 ? List.of(rejected(Rejection.NOT_JSON)) : List.of(rejected(Rejection.NOT_JSON), busy),
                    FakeEngine.output(suspects.get(i)).sent, "suspects hold two of the four places");
        }
        turnsUntil(engine, () -> engine.dispatched.size() == 3);
        assertTrue(engine.dispatched.get(0).envelope().contains("from alice"), "alice's line first");
        assertEquals(List.of(suspects.get(0), suspects.get(1)), List.of(engine.dispatched.get(1).sender(), engine.dispatched.get(2).sender()));
    }

    @Test
    void a_line_that_finds_no_room_in_the_input_budget_to_wait_is_dropped_and_told_and_the_next_waits_again() {
        final Map<String, Object> hyper = new LinkedHashMap<>(UNLIMITED);
        hyper.put("routing", "dedicated");
        hyper.put("max_line_bytes", 4096);
        hyper.put("max_buffered_input_bytes", 4600);
        final FakeEngine engine = FakeEngine.routed(hyper, Map.of("threads", 1, "max_waiting", 100));
        engines.add(engine);
        final Session hog = engine.connect("10.0.0.9", 9);
        FakeEngine.send(hog, "x".repeat(4090)); // an unfinished line holds most of the budget
        final Session alice = engine.connect("10.0.0.1", 1);
        final String line = ALICE.seal("x".repeat(1500), null) + "\n";
        final long room = engine.core().inputBudget().maxBytes() - engine.core().inputBudget().used();
        assertTrue(room < line.length(), room + " bytes of room, for a line of " + line.length());
        FakeEngine.send(alice, line);
        assertEquals(List.of("Warning: Server holds too much unfinished input (max_buffered_input_bytes); the line was dropped.\n"),
                FakeEngine.output(alice).sent);
        assertEquals(1, engine.core().counters().linesDropped(ServerNotice.INPUT_FULL));
        assertTrue(FakeEngine.output(alice).reading, "nothing waits: it is read on");
        FakeEngine.send(hog, "\n"); // its line ends: the budget is free again
        FakeEngine.send(alice, ALICE.seal("again", null) + "\n");
        turnsUntil(engine, () -> ALICE.fingerprint().equals(alice.fingerprint()));
    }

    @Test
    void a_connection_that_closes_while_its_line_waits_gives_its_copy_back_and_the_verdict_is_no_ones() {
        final FakeEngine engine = relay("dedicated", 1, 100);
        final Session alice = engine.connect("10.0.0.1", 1);
        FakeEngine.send(alice, ALICE.seal("hi", null) + "\n" + ALICE.seal("again", null) + "\n");
        assertTrue(engine.core().inputBudget().used() > 0, "a copy of the line, and what follows it, wait");
        alice.close();
        alice.closed();
        assertEquals(0, engine.core().inputBudget().used());
        final long deadline = System.currentTimeMillis() + 500;
        while (System.currentTimeMillis() < deadline) {
            engine.newTurn();
        }
        assertNull(alice.fingerprint(), "not bound after it closed");
        assertFalse(engine.holding());
    }

    @Test
    void the_end_of_the_stream_decides_the_waiting_line_then_what_followed_in_order() {
        final FakeEngine engine = relay("hybrid", 1, 100);
        final Session alice = engine.connect("10.0.0.1", 1);
        final Session bob = engine.connect("10.0.0.2", 2);
        FakeEngine.send(alice, ALICE.seal("first", null) + "\nsecond, unsigned\nthird, unfinished");
        alice.onEndOfStream();
        assertEquals(ALICE.fingerprint(), alice.fingerprint(), "the first line bound it, decided at once");
        assertEquals(2, engine.dispatched.size());
        assertTrue(engine.dispatched.get(0).envelope().contains("second, unsigned"));
        assertTrue(engine.dispatched.get(1).envelope().contains("third, unfinished"));
        assertEquals(List.of(), FakeEngine.output(bob).sent);
    }
}
