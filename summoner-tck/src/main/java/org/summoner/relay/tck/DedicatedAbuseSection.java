package org.summoner.relay.tck;

import org.junit.jupiter.api.Test;
import org.summoner.relay.monitoring.RelayStats;
import org.summoner.relay.RunningServer;
import org.summoner.relay.identity.AuroraSigner;
import org.summoner.relay.wire.Rejection;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The kit's tests of SPEC section 8's defences under {@code routing: dedicated}: invalid attempts delay, pause, close
 * and quarantine (never a trusted address, never an honest neighbour), replayed and stale envelopes are refused, and
 * a flood of signed or forged lines costs valid traffic nothing.
 */
public abstract class DedicatedAbuseSection extends IdentityHarness {
    /**
     * {@code invalid_attempts}, counted per IP across connections: at 2 reading is delayed, at 3 paused for longer, at
     * 4 the client is closed, at 5 it is closed and its IP quarantined; a trusted address is never quarantined.
     */
    @Test
    void invalid_attempts_delay_then_pause_then_close_then_quarantine_but_never_a_trusted_address() throws Exception {
        final Map<String, Object> attempts = Map.of("invalid_attempts", Map.of("throttle_threshold", 2, "flow_control_threshold", 3,
                "disconnect_threshold", 4, "quarantine_threshold", 5, "quarantine_secs", 60));
        final RunningServer server = startDedicated(attempts, "throttle_delay_ms", 400, "flow_control_delay_ms", 800,
                "peer_trust", Map.of("trusted_networks", List.of()));
        final KitClient offender = connect(server);
        awaitConnections(server, 1);
        final long[] warnedAt = new long[4];
        for (int i = 0; i < 4; i++) {
            offender.send("not an envelope " + i + "\n");
            assertEquals(rejected("not_json"), offender.readLine());
            warnedAt[i] = System.nanoTime();
        }
        offender.assertEndOfStream();
        final long afterThrottle = TimeUnit.NANOSECONDS.toMillis(warnedAt[2] - warnedAt[1]);
        final long afterPause = TimeUnit.NANOSECONDS.toMillis(warnedAt[3] - warnedAt[2]);
        assertTrue(afterThrottle >= 300, "the 3rd line was read after the 400 ms delay: " + afterThrottle + " ms");
        assertTrue(afterPause >= 650, "the 4th line was read after the 800 ms pause: " + afterPause + " ms");
        assertTrue(TimeUnit.NANOSECONDS.toMillis(warnedAt[1] - warnedAt[0]) < 300, "no delay before the threshold");

        final KitClient again = connect(server);
        again.send("still not an envelope\n");
        assertEquals(rejected("not_json"), again.readLine());
        again.assertEndOfStream();
        final KitClient refused = connect(server);
        assertTrue(refused.readLine().startsWith("Warning: Your address is quarantined for "), "the 5th rejection quarantined the IP");
        awaitStats(server, "2 closed after rejections, 1 quarantine", stats -> stats.rejectedClosed() == 2 && stats.quarantines() == 1);

        final RunningServer trusting = startDedicated(attempts); // loopback trusted, as by default
        for (int i = 0; i < 5; i++) {
            final KitClient client = connect(trusting);
            client.send("junk\n");
            assertEquals(rejected("not_json"), client.readLine());
            client.close();
        }
        final Agent welcome = agent(trusting, AuroraSigner.generate(null));
        bind(trusting, 1, welcome);
        assertEquals(0, trusting.stats().quarantines());
    }

    /**
     * One client flooding forged signatures, next to two agents exchanging valid ones: every valid line arrives, in
     * order, and the flooder is closed at {@code disconnect_threshold}.
     */
    @Test
    void a_flood_of_forged_signatures_costs_valid_traffic_no_line() throws Exception {
        final RunningServer server = startDedicated(Map.of());
        final Agent alice = agent(server, AuroraSigner.generate(null));
        final Agent bob = agent(server, AuroraSigner.generate(null));
        final KitClient flooder = connect(server);
        awaitConnections(server, 3);
        bind(server, 2, alice, bob);
        final AuroraSigner mallory = AuroraSigner.generate(null);
        final String genuine = mallory.seal("forged", bob.identity().publicId());
        final String forged = genuine.replace("\"forged\"", "\"Forged\""); // the signature no longer covers the payload

        final ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            final Future<?> flood = pool.submit(() -> {
                final byte[] line = (forged + "\n").getBytes(StandardCharsets.US_ASCII);
                for (int i = 0; i < 200; i++) {
                    flooder.send(line);
                }
                return null;
            });
            final List<String> sent = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                sent.add(alice.envelopeTo(bob, Map.of("seq", i)));
            }
            for (String line : sent) {
                alice.client().send(line + "\n");
            }
            for (String line : sent) {
                assertEquals(envelope(alice.client(), escaped(line)), bob.client().readLine());
            }
            try {
                flood.get(30, TimeUnit.SECONDS);
            } catch (ExecutionException closedWhileSending) {
                // the server closed the flooder while it was still sending: what this test waits for
            }
        } finally {
            pool.shutdownNow();
        }
        flooder.countLinesUntilEnd();
        final RelayStats stats = server.stats();
        assertTrue(stats.rejectedClosed() >= 1, stats.summary());
        assertTrue(stats.rejected(Rejection.BAD_ENVELOPE_SIGNATURE) <= 20,
                "the flooder was cut off after a few forgeries: " + stats.summary());
    }

    @Test
    void inside_trusted_networks_invalid_attempts_are_counted_per_connection_so_a_hostile_local_agent_never_gets_an_honest_one_closed()
            throws Exception {
        final RunningServer server = startDedicated(Map.of("invalid_attempts", Map.of("throttle_threshold", 100,
                "flow_control_threshold", 100)));
        final Agent alice = agent(server);
        final Agent bob = agent(server);
        final KitClient mallory = connect(server);
        awaitConnections(server, 3);
        bind(server, 2, alice, bob);

        mallory.send("junk\n".repeat(12));
        for (int i = 0; i < 10; i++) {
            assertEquals(rejected("not_json"), mallory.readLine());
        }
        mallory.assertEndOfStream(); // closed at its own 10th
        mallory.close();
        alice.client().send("an honest mistake\n");
        assertEquals(rejected("not_json"), alice.client().readLine());
        final String line = alice.envelopeTo(bob, "still here");
        alice.client().send(line + "\n");
        assertEquals(envelope(alice.client(), escaped(line)), bob.client().readLine());
        awaitStats(server, "one client closed after rejections, none quarantined",
                stats -> stats.rejectedClosed() == 1 && stats.quarantines() == 0 && stats.connectionsOpen() == 2);
    }

    @Test
    void outside_trusted_networks_an_address_that_reaches_the_quarantine_threshold_over_several_connections_is_quarantined()
            throws Exception {
        final RunningServer server = startDedicated(Map.of("invalid_attempts", Map.of("quarantine_threshold", 12)),
                "throttle_delay_ms", 1, "flow_control_delay_ms", 1, "peer_trust", Map.of("trusted_networks", List.of()));
        final KitClient first = connect(server);
        awaitConnections(server, 1);
        first.send("junk\n".repeat(10));
        for (int i = 0; i < 10; i++) {
            assertEquals(rejected("not_json"), first.readLine());
        }
        first.assertEndOfStream(); // its address's 10th: closed
        final KitClient second = connect(server);
        second.send("junk\n".repeat(3)); // the 11th closes it; the 12th and 13th, sent on its way out, count too
        assertEquals(rejected("not_json"), second.readLine());
        second.assertEndOfStream();
        awaitStats(server, "the address quarantined", stats -> stats.quarantines() == 1);

        final KitClient third = connect(server);
        final String told = third.readLine();
        assertTrue(told.matches("Warning: Your address is quarantined for (600|599) more seconds after falling too far behind; disconnecting\\."),
                told);
        third.assertEndOfStream();
        awaitStats(server, "13 rejections counted, 1 refusal", stats -> stats.rejectedQuarantined() == 1 && stats.rejectedClosed() == 2);
    }

    @Test
    void a_line_replayed_on_a_new_connection_binds_no_stranger_and_draws_no_traffic() throws Exception {
        final RunningServer server = startDedicated(Map.of());
        final Agent alice = agent(server);
        final Agent bob = agent(server);
        final Agent carol = agent(server);
        awaitConnections(server, 3);
        bind(server, 3, alice, bob, carol);
        final String fromAlice = alice.envelopeTo(bob, "for bob only");
        alice.client().send(fromAlice + "\n");
        assertEquals(envelope(alice.client(), escaped(fromAlice)), bob.client().readLine());

        final KitClient impostor = connect(server); // bob, on a new connection, sends what alice sent him
        awaitConnections(server, 4);
        impostor.send(fromAlice + "\n");
        assertEquals(rejected("replayed"), impostor.readLine());
        final String toAlice = carol.envelopeTo(alice, "for alice only");
        carol.client().send(toAlice + "\n");
        assertEquals(envelope(carol.client(), escaped(toAlice)), alice.client().readLine());
        impostor.assertNothingWithin(Duration.ofMillis(200));
        bob.client().assertNothingWithin(Duration.ofMillis(1));
        awaitStats(server, "one replay, three identities", stats -> stats.rejected(Rejection.REPLAYED) == 1
                && stats.boundIdentities() == 3);
    }

    @Test
    void a_message_line_sent_again_is_refused_as_replayed_and_delivered_once() throws Exception {
        final RunningServer server = startDedicated(Map.of());
        final Agent alice = agent(server);
        final Agent bob = agent(server);
        awaitConnections(server, 2);
        bind(server, 2, alice, bob);
        final String line = alice.envelopeTo(bob, "once");
        alice.client().send(line + "\n" + line + "\n");
        assertEquals(envelope(alice.client(), escaped(line)), bob.client().readLine());
        assertEquals(rejected("replayed"), alice.client().readLine());
        bob.client().assertNothingWithin(Duration.ofMillis(200));
    }

    @Test
    void an_envelope_whose_session_proof_is_outside_the_replay_window_is_refused_as_stale() throws Exception {
        final RunningServer server = startDedicated(Map.of("replay", Map.of("window_secs", 60)));
        final Agent alice = agent(server);
        final Agent bob = agent(server);
        awaitConnections(server, 2);
        bind(server, 2, alice, bob);
        final long now = System.currentTimeMillis() / 1000;
        for (long ts : new long[]{now - 3600, now + 3600}) {
            alice.client().send(alice.identity().seal("then", Map.of("ts", ts), bob.identity().publicId()) + "\n");
            assertEquals(rejected("stale"), alice.client().readLine());
        }
        final String fresh = alice.envelopeTo(bob, "now");
        alice.client().send(fresh + "\n");
        assertEquals(envelope(alice.client(), escaped(fresh)), bob.client().readLine());
    }

    @Test
    void signed_lines_sent_in_one_burst_reach_their_receiver_whole_and_in_order_one_signature_check_per_turn() throws Exception {
        final RunningServer server = startDedicated(Map.of());
        final Agent alice = agent(server);
        final Agent bob = agent(server);
        awaitConnections(server, 2);
        bind(server, 2, alice, bob);
        final List<String> lines = new ArrayList<>();
        final StringBuilder burst = new StringBuilder();
        for (int i = 0; i < 60; i++) {
            lines.add(alice.envelopeTo(bob, Map.of("seq", i)));
            burst.append(lines.get(i)).append('\n');
        }
        alice.client().send(burst.toString()); // one write: most of it waits, held, for later turns
        for (String line : lines) {
            assertEquals(envelope(alice.client(), escaped(line)), bob.client().readLine());
        }
        alice.client().send(alice.envelopeTo(bob, "and after") + "\n");
        assertTrue(bob.client().readLine().contains("and after"), "reading went on once the held input was handled");
    }

    @Test
    void envelopes_that_do_nothing_are_invalid_attempts_so_a_signed_flood_is_cut_off() throws Exception {
        final RunningServer server = startDedicated(Map.of("invalid_attempts", Map.of("throttle_threshold", 100,
                "flow_control_threshold", 100)));
        final Agent flooder = agent(server);
        awaitConnections(server, 1);
        bind(server, 1, flooder);
        final String again = flooder.envelopeTo(null, "me again"); // distinct from the binding one: verifies, does nothing
        flooder.client().send(again + "\n");
        assertEquals(rejected("already_bound"), flooder.client().readLine());
        final StringBuilder flood = new StringBuilder();
        for (int i = 0; i < 300; i++) {
            flood.append(again).append('\n'); // the audit's flood: one pre-signed envelope, again and again
        }
        flooder.client().send(flood.toString());
        for (int i = 0; i < 9; i++) {
            assertEquals(rejected("already_bound"), flooder.client().readLine());
        }
        flooder.client().assertEndOfStream();
        awaitStats(server, "10 rejections, closed", stats -> stats.rejected(Rejection.ALREADY_BOUND) == 10
                && stats.rejectedClosed() == 1);
    }
}
