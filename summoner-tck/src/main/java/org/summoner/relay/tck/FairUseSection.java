package org.summoner.relay.tck;

import org.junit.jupiter.api.Test;
import org.summoner.relay.RunningServer;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The kit's tests of SPEC 6, fair use (hyper_parameters): the rate limit, idle clients, connection limits and the
 * bound on unfinished lines; backpressure and slow consumers are {@link BackpressureSection}'s. Run through
 * {@link RelayEngineCompatibilityKit}.
 */
public abstract class FairUseSection extends FairUseHarness {

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
