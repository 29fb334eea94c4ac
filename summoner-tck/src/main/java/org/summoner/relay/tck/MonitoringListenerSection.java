package org.summoner.relay.tck;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.summoner.relay.RunningServer;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The kit's attacks on the monitoring listener (SPEC 10, "Faults"): no client stalls it. A half-sent request, a head
 * over 8 KiB, more connections than the bound of 64, a client that never reads its pipelined scrapes; each attack is
 * made over a raw socket ({@link HttpProbe}) while a bystander's {@code /healthz} must be answered within 2 s. The
 * listener's deadlines (5 s) are tested with shortened values in summoner-api's {@code MonitoringServerTest}, so that
 * the kit stays fast. Run through {@link RelayEngineCompatibilityKit}.
 */
public abstract class MonitoringListenerSection extends MonitoringHarness {
    private final List<HttpProbe> probes = Collections.synchronizedList(new ArrayList<>());

    // The listener's documented bounds (docs/OPERATING.md, Monitoring): the attacks below hold them on every engine. Its
    // deadlines are tested in summoner-api's MonitoringServerTest, where they can be shortened.
    private static final int MAX_CONNECTIONS = 64;
    private static final Duration HEAD_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration WRITE_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration BYSTANDER_MAX = Duration.ofSeconds(2);

    private HttpProbe probe(RunningServer server) throws IOException {
        return probe(server, 0);
    }

    private HttpProbe probe(RunningServer server, int receiveBufferBytes) throws IOException {
        final HttpProbe probe = HttpProbe.connect(server.monitoringAddress(), receiveBufferBytes);
        probes.add(probe);
        return probe;
    }

    /** A healthy client's {@code /healthz} on a new connection: exactly {@code 200 ok}, within 2 s. */
    private void assertBystanderAnswered(RunningServer server) throws IOException {
        final long asked = System.nanoTime();
        final HttpProbe bystander = probe(server);
        bystander.send("GET /healthz HTTP/1.1\r\nHost: monitoring\r\n\r\n");
        assertOk(bystander.read());
        final Duration took = Duration.ofNanos(System.nanoTime() - asked);
        assertTrue(took.compareTo(BYSTANDER_MAX) < 0, "the bystander's /healthz took " + took.toMillis() + " ms");
        bystander.close();
    }

    private static void assertOk(HttpProbe.Response response) {
        assertEquals("HTTP/1.1 200 OK", response.statusLine());
        assertEquals("text/plain; charset=utf-8", response.header("Content-Type"));
        assertEquals("3", response.header("Content-Length"));
        assertEquals("ok\n", response.body());
    }

    @AfterEach
    void closeProbes() throws IOException {
        for (HttpProbe probe : probes) {
            probe.close();
        }
    }

    @Test
    void a_half_sent_request_does_not_delay_healthz_from_another_client() throws Exception {
        final RunningServer server = startMonitored(Map.of());
        final long connected = System.nanoTime();
        final HttpProbe half = probe(server);
        half.send("GET /healthz HTTP/1.1\r\nHost: monitoring\r\n");
        await("the listener to count the half request and a scraper", () -> {
            try {
                return scrape(server).value("summoner_monitoring_connections") == 2.0;
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }, () -> "");

        assertBystanderAnswered(server);
        assumeTrue(Duration.ofNanos(System.nanoTime() - connected).compareTo(HEAD_TIMEOUT.minusSeconds(1)) < 0,
                "the machine took nearly the head timeout to get here: the half request may be timed out by now");
        half.assertSilentFor(100);
        half.send("\r\n");
        assertOk(half.read());
    }

    @Test
    void a_request_head_over_8_kib_gets_431_and_is_closed() throws Exception {
        final RunningServer server = startMonitored(Map.of());
        final HttpProbe large = probe(server);
        large.send("GET /metrics HTTP/1.1\r\nHost: monitoring\r\nCookie: " + "c".repeat(9_000) + "\r\n\r\n");
        final HttpProbe.Response response = large.read();
        assertEquals("HTTP/1.1 431 Request Header Fields Too Large", response.statusLine());
        assertEquals("close", response.header("Connection"));
        assertEquals("request head over 8192 bytes\n", response.body());
        large.assertClosed();
        assertBystanderAnswered(server);
    }

    @Test
    void connections_over_the_bound_get_503_and_a_scrape_is_served_once_the_attackers_are_gone() throws Exception {
        final RunningServer server = startMonitored(Map.of());
        final long attackStarted = System.nanoTime();
        final List<HttpProbe> holders = new ArrayList<>();
        for (int i = 0; i < MAX_CONNECTIONS; i++) {
            holders.add(probe(server).send("GET /healthz HTTP/1.1\r\n"));
        }
        final HttpProbe refused = probe(server);
        refused.send("GET /healthz HTTP/1.1\r\nHost: monitoring\r\n\r\n");
        final HttpProbe.Response answer = refused.read();
        assumeTrue(Duration.ofNanos(System.nanoTime() - attackStarted).compareTo(HEAD_TIMEOUT.minusSeconds(1)) < 0,
                "the machine took longer than the head timeout to open the connections: the bound was not tested");
        assertEquals("HTTP/1.1 503 Service Unavailable", answer.statusLine());
        assertEquals("text/plain; charset=utf-8", answer.header("Content-Type"));
        assertEquals("close", answer.header("Connection"));
        assertEquals("too many connections: the monitoring listener serves 64 at once\n", answer.body());
        refused.assertClosed();

        for (HttpProbe holder : holders) {
            holder.close();
        }
        int refusedMore = 0;
        final long deadline = System.nanoTime() + AWAIT.toNanos();
        while (true) {
            final HttpProbe scraper = probe(server);
            scraper.send("GET /metrics HTTP/1.1\r\nHost: monitoring\r\n\r\n");
            final HttpProbe.Response scrape = scraper.read();
            scraper.close();
            if (scrape.statusLine().equals("HTTP/1.1 200 OK")) {
                assertEquals("text/plain; version=0.0.4; charset=utf-8", scrape.header("Content-Type"));
                final PrometheusText metrics = PrometheusText.parse(scrape.body());
                assertEquals(1.0 + refusedMore, metrics.value("summoner_monitoring_closed_total{reason=\"refused\"}"));
                break;
            }
            assertEquals("HTTP/1.1 503 Service Unavailable", scrape.statusLine(), "the holders' connections are closing");
            assertEquals("too many connections: the monitoring listener serves 64 at once\n", scrape.body());
            refusedMore++;
            assertTrue(System.nanoTime() - deadline < 0, "no scrape served " + AWAIT + " after the attackers left");
        }
    }

    @Test
    void a_client_that_never_reads_its_pipelined_scrapes_does_not_stop_healthz() throws Exception {
        final RunningServer server = startMonitored(Map.of());
        final HttpProbe greedy = probe(server, 4096);
        greedy.send("GET /metrics HTTP/1.1\r\nHost: monitoring\r\n\r\n".repeat(1_000));
        await("the greedy client's socket to be full", () -> {
            try {
                return scrape(server).value("summoner_monitoring_blocked_connections") == 1.0;
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }, () -> "");
        final long blockedSeen = System.nanoTime();

        assertBystanderAnswered(server);
        final PrometheusText after = scrape(server);
        assumeTrue(Duration.ofNanos(System.nanoTime() - blockedSeen).compareTo(WRITE_TIMEOUT.minusSeconds(2)) < 0,
                "the machine took nearly the write timeout to get here: the greedy client may be dropped by now");
        assertEquals(0.0, after.value("summoner_monitoring_closed_total{reason=\"write_timeout\"}"),
                "the attack held while the bystander was served");
        assertEquals(1.0, after.value("summoner_monitoring_blocked_connections"), "the greedy client is still blocked");
    }
}
