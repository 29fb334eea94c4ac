package org.summoner.relay.core;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.summoner.relay.identity.AuroraSigner;
import org.summoner.relay.identity.Json;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The pool decides as the engine thread does: random mixes of valid envelopes, replays, forged records and
 * signatures, another identity's lines and junk, written by several clients in random chunks, get the same notices,
 * bindings and deliveries (each sender's in the same order) with the checks computed on the engine thread
 * ({@code verification.threads: 0}) and on a pool of two. Lines depend on no other client's still undecided line (the
 * receivers are bound first, and no envelope is sent by two clients), so both runs must agree exactly.
 */
@Timeout(120)
class VerifiedOffThreadDifferentialTest {
    private static final int CLIENTS = 4;
    private static final int LINES = 10;
    private static final AuroraSigner[] RECEIVERS = {AuroraSigner.generate(null), AuroraSigner.generate(null)};
    private static final AuroraSigner NEVER_CONNECTED = AuroraSigner.generate(null);
    private static final AuroraSigner[] SENDERS = new AuroraSigner[CLIENTS];
    /** Per client, the lines it may send: its own envelopes, forgeries of them, another sender's, junk. */
    private static final List<List<String>> CHOICES = new ArrayList<>();

    static {
        for (int c = 0; c < CLIENTS; c++) {
            SENDERS[c] = AuroraSigner.generate(null);
        }
        for (int c = 0; c < CLIENTS; c++) {
            final List<String> choices = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                final AuroraSigner to = i == 5 ? NEVER_CONNECTED : RECEIVERS[i % 2];
                final String valid = SENDERS[c].seal(Map.of("c", c, "i", i), i == 4 ? null : to.publicId());
                choices.add(valid);
                choices.add(i % 2 == 0 ? forged(valid, false) : forged(valid, true));
            }
            final String other = SENDERS[(c + 1) % CLIENTS].seal(Map.of("other", c), RECEIVERS[0].publicId());
            choices.add(other.replace("\"c\"", "\"C\"")); // another sender's line, never sent by that sender: refused or mismatched
            choices.add("junk " + c);
            choices.add("{\"v\":\"env.v1\",\"payload\":1}");
            CHOICES.add(choices);
        }
    }

    /** @return {@code line} with its envelope signature, or its sender record's, changed in one character. */
    @SuppressWarnings("unchecked")
    private static String forged(String line, boolean record) {
        final byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
        final Map<String, Object> envelope;
        try {
            envelope = new LinkedHashMap<>((Map<String, Object>) Json.parse(bytes, 0, bytes.length));
        } catch (Json.NotJson e) {
            throw new AssertionError(e);
        }
        final Map<String, Object> target = record ? new LinkedHashMap<>((Map<String, Object>) envelope.get("from")) : envelope;
        final String sig = (String) target.get("sig");
        target.put("sig", (sig.charAt(0) == 'A' ? "B" : "A") + sig.substring(1));
        if (record) {
            envelope.put("from", target);
        }
        return new String(Json.compact(envelope), StandardCharsets.UTF_8);
    }

    @Test
    void random_mixes_of_signed_lines_get_the_same_decisions_on_the_pool_as_on_the_engine_thread() {
        for (long seed = 1; seed <= 12; seed++) {
            final Random random = new Random(seed);
            final List<List<String>> sent = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                final List<String> lines = new ArrayList<>();
                for (int i = 0; i < LINES; i++) {
                    final List<String> choices = CHOICES.get(c);
                    lines.add(choices.get(random.nextInt(choices.size())));
                }
                sent.add(lines);
            }
            final long chunking = random.nextLong();
            final Outcome inline = run(Map.of("threads", 0), sent, chunking);
            final Outcome pooled = run(Map.of("threads", 2), sent, chunking);
            assertEquals(inline, pooled, "seed " + seed);
        }
    }

    /** What each client was told, who it is bound to, and what each sender had delivered, in order. */
    record Outcome(List<List<String>> told, List<String> bound, Map<String, List<String>> delivered) {
    }

    private static Outcome run(Map<String, ?> verification, List<List<String>> sent, long chunking) {
        final FakeEngine engine = FakeEngine.routed(Map.of("routing", "dedicated", "rate_limit_msgs_per_minute", 1_000_000,
                "dedicated_relay", Map.of("invalid_attempts", Map.of("throttle_threshold", 1000, "flow_control_threshold", 1000,
                        "disconnect_threshold", 1000, "quarantine_threshold", 1000))), verification);
        try {
            for (int r = 0; r < RECEIVERS.length; r++) {
                final Session receiver = engine.connect("10.0.9." + r, 900 + r);
                FakeEngine.send(receiver, RECEIVERS[r].seal("binds", null) + "\n");
            }
            settle(engine);
            final List<Session> clients = new ArrayList<>();
            final List<String> streams = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                clients.add(engine.connect("10.0.0." + c, 100 + c));
                streams.add(String.join("\n", sent.get(c)) + "\n");
            }
            final Random random = new Random(chunking);
            final int[] at = new int[CLIENTS];
            while (true) {
                final List<Integer> left = new ArrayList<>();
                for (int c = 0; c < CLIENTS; c++) {
                    if (at[c] < streams.get(c).length()) {
                        left.add(c);
                    }
                }
                if (left.isEmpty()) {
                    break;
                }
                final int c = left.get(random.nextInt(left.size()));
                final int end = Math.min(streams.get(c).length(), at[c] + 1 + random.nextInt(3000));
                FakeEngine.send(clients.get(c), streams.get(c).substring(at[c], end));
                at[c] = end;
                if (random.nextInt(4) == 0) {
                    engine.newTurn();
                }
            }
            settle(engine);
            final List<List<String>> told = new ArrayList<>();
            final List<String> bound = new ArrayList<>();
            final Map<String, List<String>> delivered = new LinkedHashMap<>();
            for (Session client : clients) {
                told.add(List.copyOf(FakeEngine.output(client).sent));
                bound.add(String.valueOf(client.fingerprint()));
                delivered.put(client.remoteAddr(), new ArrayList<>());
            }
            for (FakeEngine.Dispatched dispatched : engine.dispatched) {
                if (dispatched.sender() != null && delivered.containsKey(dispatched.sender().remoteAddr())) {
                    // the receiver by name: its binding number depends on which binding line was decided first
                    delivered.get(dispatched.sender().remoteAddr()).add(dispatched.route().name() + " " + dispatched.envelope());
                }
            }
            return new Outcome(told, bound, delivered);
        } finally {
            engine.core().close();
        }
    }

    /** Turns until every line is decided: nothing held, nothing back from the pool, every client read again. */
    private static void settle(FakeEngine engine) {
        final long deadline = System.nanoTime() + 60_000_000_000L;
        while (true) {
            engine.newTurn();
            boolean reading = true;
            for (int i = 0; i < engine.sessionCount(); i++) {
                reading &= FakeEngine.output(engine.session(i)).reading;
            }
            if (reading && !engine.holding()) {
                return;
            }
            assertTrue(System.nanoTime() < deadline, "lines still undecided");
            Thread.onSpinWait();
        }
    }
}
