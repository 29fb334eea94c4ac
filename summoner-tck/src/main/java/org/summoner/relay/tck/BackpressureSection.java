package org.summoner.relay.tck;

import org.junit.jupiter.api.Test;
import org.summoner.relay.monitoring.RelayStats;
import org.summoner.relay.RunningServer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The kit's tests of SPEC 4 and 6 on backpressure: throttle and flow control pause reading only while more than half
 * of the room is behind, slow consumers are closed at {@code disconnect_threshold} or {@code max_queued_bytes} (and
 * quarantined unless trusted), a client that floods refused lines and never reads is closed. Run through
 * {@link RelayEngineCompatibilityKit}.
 */
public abstract class BackpressureSection extends FairUseHarness {
    /** Connects {@code count} clients that never read; see {@link #stalled}. */
    private void stalledClients(RunningServer server, int count) throws IOException {
        for (int i = 0; i < count; i++) {
            stalled(server);
        }
    }

    @Test
    void throttle_pauses_reading_while_more_than_half_of_the_clients_are_backed_up() throws Exception {
        final RunningServer server = startServer(parameters("throttle_delay_ms", 800,
                "backpressure_policy", policy(true, 20, false, 1_000_000, false, 1_000_000)));
        final KitClient sender = connect(server);
        final KitClient healthy = connect(server);
        stalledClients(server, 3); // 3 of 5: the room cannot absorb what the sender sends
        awaitConnections(server, 5);
        final List<Long> marks = drainInBackground(healthy);

        pushUntil(server, sender, "a throttle", stats -> stats.throttles() >= 1);
        sender.send("mark\n");
        await("the first mark", () -> marks.size() == 1, marks::toString);
        sender.send("mark\n");
        await("the second mark", () -> marks.size() == 2, marks::toString);

        final long gapMillis = TimeUnit.NANOSECONDS.toMillis(marks.get(1) - marks.get(0));
        assertTrue(gapMillis >= 400, "the second line waited for the throttle (800 ms), not " + gapMillis + " ms");
        assertEquals(0, server.stats().flowControls());
        assertEquals(0, server.stats().slowConsumerDisconnects());
    }

    @Test
    void flow_control_pauses_reading_for_longer_while_more_than_half_are_past_its_threshold() throws Exception {
        final RunningServer server = startServer(parameters("flow_control_delay_ms", 1_200,
                "backpressure_policy", policy(false, 1_000_000, true, 20, false, 1_000_000)));
        final KitClient sender = connect(server);
        final KitClient healthy = connect(server);
        stalledClients(server, 3);
        awaitConnections(server, 5);
        final List<Long> marks = drainInBackground(healthy);

        pushUntil(server, sender, "a flow-control pause", stats -> stats.flowControls() >= 1);
        sender.send("mark\n");
        await("the first mark", () -> marks.size() == 1, marks::toString);
        sender.send("mark\n");
        await("the second mark", () -> marks.size() == 2, marks::toString);

        final long gapMillis = TimeUnit.NANOSECONDS.toMillis(marks.get(1) - marks.get(0));
        assertTrue(gapMillis >= 600, "the second line waited for flow control (1,200 ms), not " + gapMillis + " ms");
        assertEquals(0, server.stats().throttles());
    }

    @Test
    void half_of_the_room_backed_up_is_not_more_than_half_and_pauses_no_one() throws Exception {
        final RunningServer server = startServer(parameters("throttle_delay_ms", 800, "flow_control_delay_ms", 800,
                "backpressure_policy", policy(true, 20, true, 40, true, 200)));
        final KitClient sender = connect(server);
        drainInBackground(connect(server));
        stalledClients(server, 2); // 2 of 4: exactly half
        awaitConnections(server, 4);

        pushUntil(server, sender, "both stalled clients closed at disconnect_threshold",
                stats -> stats.slowConsumerDisconnects() == 2);

        assertEquals(0, server.stats().throttles() + server.stats().flowControls(), server.stats().summary());
    }

    @Test
    void disabled_throttle_and_flow_control_never_pause_reading() throws Exception {
        final RunningServer server = startServer(parameters("max_queued_bytes", 2 * 1024 * 1024,
                "backpressure_policy", policy(false, 5, false, 10, true, 1_000_000)));
        final KitClient sender = connect(server);
        drainInBackground(connect(server));
        stalled(server);
        awaitConnections(server, 3);

        pushUntil(server, sender, "the stalled client closed at max_queued_bytes", stats -> stats.slowConsumerDisconnects() == 1);

        assertEquals(0, server.stats().throttles());
        assertEquals(0, server.stats().flowControls());
    }

    @Test
    void disconnect_threshold_closes_the_recipients_that_cannot_keep_up_and_pauses_end_with_them() throws Exception {
        // Far apart, so the throttle comes first even when a busy machine lets a backlog grow between two judgements
        // (an engine judges what waits when the socket is full, and a writer kept off the CPU judges late).
        final RunningServer server = startServer(parameters("throttle_delay_ms", 50,
                "backpressure_policy", policy(true, 10, false, 1_000_000, true, 150)));
        final KitClient sender = connect(server);
        final KitClient healthy = connect(server);
        final List<KitClient> stalled = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            stalled.add(stalled(server));
        }
        awaitConnections(server, 5);
        final List<Long> marks = drainInBackground(healthy);

        pushUntil(server, sender, "the stalled clients closed", stats -> stats.slowConsumerDisconnects() == 3);
        for (KitClient client : stalled) {
            client.countLinesUntilEnd(); // fails unless the server really closed it
        }
        awaitConnections(server, 2);
        assertTrue(server.stats().throttles() >= 1, "the room was behind for a while: " + server.stats().summary());
        final long throttlesBefore = server.stats().throttles();
        for (int i = 0; i < 20; i++) {
            sender.send("mark\n");
        }
        await("20 marks", () -> marks.size() == 20, marks::toString);

        assertEquals(throttlesBefore, server.stats().throttles(), "no recipient is backed up any more");
    }

    @Test
    void without_enable_disconnect_only_max_queued_bytes_closes_a_slow_consumer() throws Exception {
        final RunningServer server = startServer(parameters("max_queued_bytes", 4 * 1024 * 1024, "throttle_delay_ms", 1,
                "backpressure_policy", policy(true, 10, false, 1_000_000, false, 10)));
        final KitClient sender = connect(server);
        drainInBackground(connect(server));
        stalledClients(server, 3);
        awaitConnections(server, 5);

        pushUntil(server, sender, "a backlog of at least 10 (a throttle)", stats -> stats.throttles() >= 1);
        assertEquals(0, server.stats().slowConsumerDisconnects(), "not closed at disconnect_threshold");
        pushUntil(server, sender, "the stalled clients closed at max_queued_bytes", stats -> stats.slowConsumerDisconnects() == 3);
    }

    @Test
    void a_client_that_floods_refused_lines_and_never_reads_is_closed_not_buffered_without_bound() throws Exception {
        final RunningServer server = startServer(parameters("rate_limit_msgs_per_minute", 1, "max_queued_bytes", 64 * 1024,
                "backpressure_policy", policy(false, 1_000_000, false, 1_000_000, false, 1_000_000)));
        final KitClient flooder = stalled(server);
        awaitConnections(server, 1);
        final byte[] burst = "x\n".repeat(1_000).getBytes(StandardCharsets.UTF_8);

        // Each refused line earns a notice; the flooder reads none of them.
        try {
            for (int i = 0; i < 500 && server.stats().slowConsumerDisconnects() == 0; i++) {
                flooder.send(burst);
            }
        } catch (IOException closedMidBurst) {
            // the server closed it while it was still sending: what this test waits for
        }
        awaitStats(server, "the flooder closed at max_queued_bytes", stats -> stats.slowConsumerDisconnects() == 1);
        assertTrue(server.stats().droppedRateLimited() > 1_000, server.stats().summary());
        awaitConnections(server, 0);
    }

    @Test
    void a_slow_consumer_on_a_trusted_loopback_address_is_closed_but_its_address_stays_welcome() throws Exception {
        final RunningServer server = startServer(Map.of("backpressure_policy", policy(false, 1, false, 1, true, 20)));
        final KitClient sender = connect(server);
        drainInBackground(connect(server));
        stalled(server);
        awaitConnections(server, 3);

        pushUntil(server, sender, "the stalled client closed", stats -> stats.slowConsumerDisconnects() == 1);
        awaitConnections(server, 2); // counted as a slow consumer a moment before it is gone
        final KitClient next = connect(server);
        awaitConnections(server, 3);
        sender.send("still welcome\n");
        // the push's last lines may still be on their way when next joins: they reach it first, whole and in order
        final String pushed = envelope(sender, "z".repeat(BIG_LINE));
        String line = next.readLine();
        while (line.equals(pushed)) {
            line = next.readLine();
        }
        assertEquals(envelope(sender, "still welcome"), line);
        final RelayStats stats = server.stats();
        assertEquals(0, stats.quarantines() + stats.quarantinedAddresses() + stats.rejectedQuarantined(), stats.summary());
    }

    @Test
    void a_slow_consumers_address_is_quarantined_for_the_cooldown_then_admitted_again() throws Exception {
        final RunningServer server = startServer(parameters("quarantine_cooldown_secs", 2, "quarantine_cleanup_interval_secs", 1,
                "backpressure_policy", policy(false, 1, false, 1, true, 20),
                "peer_trust", Map.of("trusted_networks", List.of())));
        final KitClient sender = connect(server);
        drainInBackground(connect(server));
        stalled(server);
        awaitConnections(server, 3);

        pushUntil(server, sender, "the stalled client closed and quarantined", stats -> stats.quarantines() == 1);
        final KitClient refused = connect(server);
        final String notice = refused.readLine();
        assertTrue(notice.matches("Warning: Your address is quarantined for [12] more seconds after falling too far behind; disconnecting\\."),
                notice);
        refused.assertEndOfStream();
        awaitStats(server, "a refusal counted", stats -> stats.rejectedQuarantined() == 1 && stats.quarantinedAddresses() == 1);

        awaitStats(server, "the expired entry removed by the cleanup", stats -> stats.quarantinedAddresses() == 0);
        final KitClient welcome = connect(server);
        awaitConnections(server, 3);
        sender.send("welcome back\n");
        assertEquals(envelope(sender, "welcome back"), welcome.readLine());
    }
}
