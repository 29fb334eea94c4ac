package org.summoner.relay.tck;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.summoner.relay.RelayStats;
import org.summoner.relay.RunningServer;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** The kit's tests of SPEC 6: fair use (hyper_parameters); run through {@link RelayEngineCompatibilityKit}. */
public abstract class FairUseSection extends KitHarness {
    /** Big enough that a few dozen fill a stalled client's socket buffers; well under max_line_bytes. */
    private static final int BIG_LINE = 32 * 1024;
    private final ExecutorService readers = Executors.newCachedThreadPool();

    @org.junit.jupiter.api.AfterEach
    void stopReaders() {
        readers.shutdownNow();
    }

    /** Keeps reading a client's lines in the background, as a healthy client does, recording when each came. */
    private List<Long> drainInBackground(KitClient client) {
        final List<Long> arrivals = Collections.synchronizedList(new ArrayList<>());
        readers.submit(() -> {
            while (true) {
                final String line = client.readLineOrEnd();
                if (line == null) {
                    return null;
                }
                if (line.endsWith("\"content\":\"mark\"}")) {
                    arrivals.add(System.nanoTime());
                }
            }
        });
        return arrivals;
    }

    /** A client that never reads, with a small receive buffer: what is sent to it backs up on the server. */
    private KitClient stalled(RunningServer server) throws IOException {
        return connect(server.address(), 4096, null);
    }

    /** Sends big lines until the counters satisfy {@code condition}; fails if 2,000 lines do not get there. */
    private void pushUntil(RunningServer server, KitClient sender, String what, Predicate<RelayStats> condition) throws Exception {
        final String line = "z".repeat(BIG_LINE) + "\n";
        for (int i = 0; i < 2_000; i++) {
            if (condition.test(server.stats())) {
                return;
            }
            sender.send(line);
            Thread.sleep(2);
        }
        awaitStats(server, what, condition);
    }

    private Map<String, Object> parameters(Object... keysAndValues) {
        final Map<String, Object> parameters = new LinkedHashMap<>();
        parameters.put("quarantine_cooldown_secs", 0);
        for (int i = 0; i < keysAndValues.length; i += 2) {
            parameters.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return parameters;
    }

    private Map<String, Object> policy(boolean throttle, int throttleAt, boolean flowControl, int flowAt, boolean disconnect, int disconnectAt) {
        return Map.of("enable_throttle", throttle, "throttle_threshold", throttleAt,
                "enable_flow_control", flowControl, "flow_control_threshold", flowAt,
                "enable_disconnect", disconnect, "disconnect_threshold", disconnectAt);
    }

    @Test
    void rate_limit_drops_lines_over_the_allowance_and_warns_the_sender() throws IOException {
        final RunningServer server = startServer(Map.of("rate_limit_msgs_per_minute", 5));
        final KitClient a = connect(server);
        final KitClient b = connect(server);
        awaitConnections(server, 2);

        a.send("1\n2\n3\n4\n5\n6\n7\n8\n");

        for (int i = 1; i <= 5; i++) {
            assertEquals(envelope(a, String.valueOf(i)), b.readLine());
        }
        for (int i = 6; i <= 8; i++) {
            assertEquals("Warning: You are sending messages too quickly. Please slow down.", a.readLine());
        }
        b.assertNothingWithin(Duration.ofMillis(200));
        awaitStats(server, "3 lines dropped by the rate limit", stats -> stats.droppedRateLimited() == 3);
    }

    @Test
    void rate_limit_allowance_refills_over_time() throws Exception {
        final RunningServer server = startServer(Map.of("rate_limit_msgs_per_minute", 60)); // one a second
        final KitClient a = connect(server);
        final KitClient b = connect(server);
        awaitConnections(server, 2);

        a.send("x\n".repeat(60) + "over\n");
        for (int i = 0; i < 60; i++) {
            assertEquals(envelope(a, "x"), b.readLine());
        }
        assertEquals("Warning: You are sending messages too quickly. Please slow down.", a.readLine());
        Thread.sleep(1_200);
        a.send("refilled\n");

        assertEquals(envelope(a, "refilled"), b.readLine());
    }

    @Test
    void an_idle_client_is_told_and_closed_after_client_timeout_secs() throws Exception {
        final RunningServer server = startServer(Map.of("client_timeout_secs", 1, "timeout_check_interval_secs", 1));
        final KitClient silent = connect(server);
        final KitClient chatty = connect(server);
        awaitConnections(server, 2);
        final long start = System.nanoTime();
        final Future<?> chatter = readers.submit(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                chatty.send("still here\n");
                Thread.sleep(200);
            }
            return null;
        });

        // Receiving is not activity: the silent client gets chatty's lines and is still idle.
        assertEquals("Warning: You have been disconnected due to inactivity.", firstNotice(silent));
        assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(900), "not before client_timeout_secs");
        silent.assertEndOfStream();
        awaitStats(server, "the silent client closed, the chatty one kept", stats -> stats.idleDisconnects() == 1
                && stats.connectionsOpen() == 1);
        final KitClient fresh = connect(server);
        assertEquals(envelope(chatty, "still here"), fresh.readLine());
        chatter.cancel(true);
        assertEquals(1, server.stats().idleDisconnects());
    }

    /** @return the first line that is not an envelope; fails if none comes within the kit's read deadline. */
    private String firstNotice(KitClient client) throws IOException {
        final long deadline = System.nanoTime() + KitClient.READ_TIMEOUT.toNanos();
        String line;
        do {
            if (System.nanoTime() > deadline) {
                return fail("no notice within " + KitClient.READ_TIMEOUT + ", only envelopes, on " + client.address());
            }
            line = client.readLine();
        } while (line.startsWith("{"));
        return line;
    }

    @Test
    void idle_clients_are_found_only_at_each_timeout_check_interval() throws Exception {
        final RunningServer server = startServer(Map.of("client_timeout_secs", 1, "timeout_check_interval_secs", 3));
        final KitClient silent = connect(server);
        awaitConnections(server, 1);

        silent.assertNothingWithin(Duration.ofMillis(1_800)); // idle for longer than the timeout, not yet checked
        assertEquals("Warning: You have been disconnected due to inactivity.", silent.readLine());
    }

    @Test
    void a_null_client_timeout_never_closes_an_idle_client() throws Exception {
        final Map<String, Object> parameters = new LinkedHashMap<>();
        parameters.put("client_timeout_secs", null);
        parameters.put("timeout_check_interval_secs", 1);
        final RunningServer server = startServer(parameters);
        final KitClient silent = connect(server);
        final KitClient other = connect(server);
        awaitConnections(server, 2);

        silent.assertNothingWithin(Duration.ofMillis(2_500));
        other.send("hello\n");
        assertEquals(envelope(other, "hello"), silent.readLine());
    }

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
        final RunningServer server = startServer(parameters("throttle_delay_ms", 50,
                "backpressure_policy", policy(true, 10, false, 1_000_000, true, 30)));
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
        assertEquals(envelope(sender, "still welcome"), next.readLine());
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

    @Test
    void max_connections_refuses_clients_past_the_limit_with_a_reason() throws Exception {
        final RunningServer server = startServer(Map.of("max_connections", 2));
        final KitClient a = connect(server);
        final KitClient b = connect(server);
        awaitConnections(server, 2);

        final KitClient third = connect(server);
        assertEquals("Warning: Server is full (max_connections 2); disconnecting.", third.readLine());
        third.assertEndOfStream();
        awaitStats(server, "one refusal", stats -> stats.rejectedServerFull() == 1);

        b.close();
        awaitConnections(server, 1);
        final KitClient fourth = connect(server);
        awaitConnections(server, 2);
        a.send("room again\n");
        assertEquals(envelope(a, "room again"), fourth.readLine());
    }

    @Test
    void unfinished_lines_of_all_clients_together_are_bounded_by_max_buffered_input_bytes() throws Exception {
        final RunningServer server = startServer(Map.of("max_buffered_input_bytes", 200_000, "max_envelope_bytes", 1 << 20));
        final KitClient reader = connect(server);
        final KitClient[] parked = new KitClient[4];
        for (int i = 0; i < parked.length; i++) {
            parked[i] = connect(server);
        }
        awaitConnections(server, 5);
        final String unfinished = "x".repeat(60_000);
        for (int i = 0; i < 3; i++) {
            parked[i].send(unfinished.substring(0, 100));
            parked[i].send(unfinished); // each holds up to 64 KiB of the 200,000 bytes, gathering its line
        }
        awaitStats(server, "three lines parked", stats -> stats.bytesReceived() == 3 * 60_100);
        parked[3].send(unfinished.substring(0, 100));
        parked[3].send(unfinished);
        assertEquals("Warning: Server holds too much unfinished input (max_buffered_input_bytes); the line was dropped.",
                parked[3].readLine());
        parked[3].send("rest of the dropped line\nnext\n");
        assertEquals(envelope(parked[3], "next"), reader.readLine(), "the dropped line is discarded to its end, the next relayed");
        parked[0].send("\n");
        assertEquals(envelope(parked[0], "x".repeat(60_100)), reader.readLine(), "a parked line completes whole");
        awaitStats(server, "one line dropped", stats -> stats.droppedInputFull() == 1);
    }

    @Test
    void max_connections_per_ip_counts_each_address_alone() throws Exception {
        final RunningServer server = startServer(Map.of("max_connections_per_ip", 1));
        final KitClient first = connect(server);
        awaitConnections(server, 1);

        final KitClient second = connect(server);
        assertEquals("Warning: Too many connections from your address (max_connections_per_ip 1); disconnecting.", second.readLine());
        second.assertEndOfStream();
        final KitClient other = connect(server.address(), 0, InetAddress.getByName("127.0.0.2"));
        awaitConnections(server, 2);
        first.send("hi\n");
        assertEquals(envelope(first, "hi"), other.readLine());
        awaitStats(server, "one refusal", stats -> stats.rejectedPerAddress() == 1);
    }

    @Test
    void the_rust_servers_internal_queue_sizes_are_accepted_and_change_nothing() throws IOException {
        final RunningServer server = startServer(Map.of("connection_buffer_size", 1, "command_buffer_size", 1,
                "control_channel_capacity", 1, "queue_monitor_capacity", 1));
        assertEquals(List.of(), server.config().warningsExcept(engineSections().keySet()));
        final KitClient a = connect(server);
        final KitClient b = connect(server);
        awaitConnections(server, 2);
        a.send("1\n2\n3\n");
        assertEquals(envelope(a, "1"), b.readLine());
        assertEquals(envelope(a, "2"), b.readLine());
        assertEquals(envelope(a, "3"), b.readLine());
    }
}
