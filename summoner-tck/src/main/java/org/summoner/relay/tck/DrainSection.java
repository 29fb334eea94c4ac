package org.summoner.relay.tck;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.summoner.relay.RunningServer;
import org.summoner.relay.ServerStartException;
import org.summoner.relay.SummonerServer;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.net.http.HttpResponse;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The kit's tests of the drain for rolling upgrades ({@code RunningServer.drain}, what {@code kill -USR2} does to the
 * program): the listener closes, {@code /healthz} answers 503, every client is told
 * {@code Warning: Server is draining; reconnect.} then closed, the closes spread over the period, and the server
 * closes once the last client has gone; run through {@link RelayEngineCompatibilityKit}. Margins are wide: the
 * schedule is checked to be spread, not to the millisecond.
 */
public abstract class DrainSection extends MonitoringHarness {
    static final String DRAINING = "Warning: Server is draining; reconnect.";

    private RunningServer startDraining(long periodSecs, Map<String, ?> hyperParameters) {
        final Map<String, Object> config = config(hyperParameters);
        config.put("monitoring", Map.of("port", 0));
        config.put("drain", Map.of("period_secs", periodSecs));
        return track(new SummonerServer("tck").start("127.0.0.1", 0, config));
    }

    private RunningServer startOn(int port, boolean reusePort) {
        final Map<String, Object> config = config(Map.of("worker_threads", 1));
        config.put("drain", Map.of("period_secs", 30, "reuse_port", reusePort));
        return track(new SummonerServer("tck").start("127.0.0.1", port, config));
    }

    private static boolean reusePortSupported() throws IOException {
        try (ServerSocketChannel probe = ServerSocketChannel.open()) {
            return probe.supportedOptions().contains(StandardSocketOptions.SO_REUSEPORT);
        }
    }

    @Test
    @DisplayName("with drain.reuse_port the next server binds the port while the first listens, and takes the new clients once it drains")
    void with_reuse_port_the_next_server_binds_the_same_port_and_takes_over() throws Exception {
        assumeTrue(reusePortSupported(), "this system has no SO_REUSEPORT");
        final RunningServer old = startOn(0, true);
        final int port = old.address().getPort();
        final KitClient staying = connect(old);
        awaitConnections(old, 1);
        final RunningServer next = startOn(port, true);
        assertEquals(port, next.address().getPort());
        assertTrue(old.drain(Duration.ofSeconds(30)));
        assertEquals(DRAINING, staying.readLine());
        final KitClient moved = track(KitClient.connect(new InetSocketAddress("127.0.0.1", port)));
        awaitConnections(next, 1);
        moved.send("on the new one\n");
        awaitStats(next, "the line received by the new server", stats -> stats.linesReceived() == 1);
    }

    @Test
    @DisplayName("without drain.reuse_port a second server on the port fails with Address already in use, and binds once the first drains")
    void without_reuse_port_a_second_server_binds_only_once_the_first_stopped_accepting() throws Exception {
        final RunningServer old = startOn(0, false);
        final int port = old.address().getPort();
        connect(old);
        connect(old);
        awaitConnections(old, 2); // one thread's schedule over 30 s: the second is told at 15 s, so the old one stays
        final ServerStartException busy = assertThrows(ServerStartException.class, () -> startOn(port, false));
        assertEquals("cannot bind 127.0.0.1:" + port + ": Address already in use", busy.getMessage());
        assertTrue(old.drain(Duration.ofSeconds(30)));
        assertEquals(port, startOn(port, false).address().getPort());
        assertFalse(old.awaitTermination(Duration.ZERO), "the old one is still draining: its listener alone was closed");
    }

    @Test
    @DisplayName("a close during a drain tells the clients not yet told that the server is shutting down; a drain after close does nothing")
    void a_close_during_a_drain_tells_the_rest_it_is_shutting_down() throws Exception {
        final RunningServer server = startDraining(60, Map.of("worker_threads", 1)); // the second is due at 30 s
        final KitClient a = connect(server);
        final KitClient b = connect(server);
        awaitConnections(server, 2);
        assertTrue(server.drain(Duration.ofSeconds(60)));
        final ExecutorService readers = Executors.newFixedThreadPool(2);
        try {
            final Future<String> fromA = readers.submit(a::readLine);
            final Future<String> fromB = readers.submit(b::readLine);
            await("one told", () -> fromA.isDone() || fromB.isDone(), () -> "neither was told");
            server.close();
            final List<String> lines = List.of(fromA.get(AWAIT.toSeconds(), TimeUnit.SECONDS), fromB.get(AWAIT.toSeconds(), TimeUnit.SECONDS));
            assertTrue(lines.contains(DRAINING) && lines.contains("Warning: Server is shutting down."), lines.toString());
        } finally {
            readers.shutdownNow();
        }
        assertFalse(server.drain(Duration.ofSeconds(1)), "closed: nothing to drain");
    }

    @Test
    @DisplayName("once a drain begins, a new connection is refused or accepted by no one, and /healthz answers 503 draining")
    void a_drain_stops_accepting_and_healthz_answers_503() throws Exception {
        final RunningServer server = startDraining(30, Map.of());
        final KitClient stays = connect(server);
        awaitConnections(server, 1);
        assertEquals(200, get(server, "/healthz").statusCode());

        assertTrue(server.drain(Duration.ofSeconds(30)));
        assertFalse(server.drain(Duration.ofSeconds(30)), "only the first call begins a drain");
        final HttpResponse<String> health = get(server, "/healthz");
        assertEquals(503, health.statusCode());
        assertEquals("draining\n", health.body());
        assertEquals(1.0, scrape(server).value("summoner_draining"));
        assertRefusedOrUnserved(server.address());
        assertEquals(DRAINING, stays.readLine());
        stays.assertEndOfStream();
    }

    @Test
    @DisplayName("ten clients over 3 s: each gets the notice then end of stream, not all in the first second, all by the end")
    void every_client_is_told_and_closed_spread_over_the_period() throws Exception {
        final int clients = 10;
        final RunningServer server = startDraining(3, Map.of());
        final List<KitClient> all = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            all.add(connect(server));
        }
        awaitConnections(server, clients);
        final ExecutorService readers = Executors.newFixedThreadPool(clients);
        try {
            final long start = System.nanoTime();
            final List<Future<Long>> told = new ArrayList<>();
            for (KitClient client : all) {
                told.add(readers.submit(() -> {
                    assertEquals(DRAINING, client.readLine());
                    final long at = System.nanoTime() - start;
                    client.assertEndOfStream();
                    client.close();
                    return at;
                }));
            }
            assertTrue(server.drain(Duration.ofSeconds(3)));
            long first = Long.MAX_VALUE;
            long last = 0;
            int inFirstSecond = 0;
            for (Future<Long> at : told) {
                final long nanos = at.get(AWAIT.toSeconds(), TimeUnit.SECONDS);
                first = Math.min(first, nanos);
                last = Math.max(last, nanos);
                inFirstSecond += nanos < TimeUnit.SECONDS.toNanos(1) ? 1 : 0;
            }
            assertTrue(inFirstSecond < clients, "all " + clients + " were told within the first second: not spread");
            assertTrue(last - first >= TimeUnit.MILLISECONDS.toNanos(1_500),
                    "the first and last were told " + TimeUnit.NANOSECONDS.toMillis(last - first) + " ms apart; the schedule spreads them over 2.7 s");
            assertTrue(last <= TimeUnit.SECONDS.toNanos(3 + 8), "the last was told after " + TimeUnit.NANOSECONDS.toMillis(last) + " ms");
            assertTrue(server.awaitTermination(AWAIT), "the server closes once the last client is gone");
        } finally {
            readers.shutdownNow();
        }
    }

    @Test
    @DisplayName("the server closes as soon as every client has gone, long before the period ends")
    void the_drain_ends_when_the_last_client_is_gone() throws Exception {
        final RunningServer server = startDraining(600, Map.of());
        final KitClient a = connect(server);
        final KitClient b = connect(server);
        awaitConnections(server, 2);
        assertTrue(server.drain(Duration.ofSeconds(600)));
        a.close();
        b.close();
        assertTrue(server.awaitTermination(AWAIT), "closed once its clients left, not at the end of a 600 s period");
    }

    @Test
    @DisplayName("lines a client sends after it was told to go are not relayed, and counted (summoner_lines_after_goodbye_total)")
    void lines_sent_after_the_notice_are_counted() throws Exception {
        final RunningServer server = startDraining(30, Map.of("worker_threads", 1)); // one schedule: 0 s, then 15 s
        final KitClient a = connect(server);
        final KitClient b = connect(server);
        awaitConnections(server, 2);
        final CompletableFuture<KitClient> firstTold = new CompletableFuture<>();
        for (KitClient client : List.of(a, b)) {
            final Thread reader = new Thread(() -> {
                try {
                    if (DRAINING.equals(client.readLine())) {
                        firstTold.complete(client);
                    }
                } catch (IOException | RuntimeException | AssertionError e) {
                    firstTold.completeExceptionally(e);
                }
            }, "tck-drain-reader");
            reader.setDaemon(true);
            reader.start();
        }
        assertTrue(server.drain(Duration.ofSeconds(30)));
        final KitClient told = firstTold.get(AWAIT.toSeconds(), TimeUnit.SECONDS);
        told.send("too late 1\ntoo late 2\n");
        await("both late lines counted", () -> {
            try {
                return scrape(server).value("summoner_lines_after_goodbye_total") == 2.0;
            } catch (IOException | InterruptedException e) {
                return false;
            }
        }, () -> "count: " + scrape(server).value("summoner_lines_after_goodbye_total"));
        assertEquals(1.0, scrape(server).value("summoner_drain_clients_told_total"), "the other is told at 15 s");
        assertEquals(0.0, scrape(server).value("summoner_lines_relayed_total"));
    }

    /** After the listener closed: the connection is refused, or reset, or accepted and never answered nor served. */
    private static void assertRefusedOrUnserved(InetSocketAddress address) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(address, 5_000);
            socket.setSoTimeout(3_000);
            socket.getOutputStream().write("anyone?\n".getBytes());
            final InputStream in = socket.getInputStream();
            final int b = in.read();
            if (b >= 0) {
                fail("a connection made after the drain began was served: read byte " + b);
            }
        } catch (ConnectException refused) {
            // what Linux does once the listening socket is closed
        } catch (SocketTimeoutException | SocketException unserved) {
            // accepted by no one (a backlog no process takes), or reset
        }
    }
}
