package org.summoner.relay.tck;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.summoner.relay.monitoring.RelayStats;
import org.summoner.relay.RunningServer;
import org.summoner.relay.ServerStartException;
import org.summoner.relay.SummonerServer;
import org.summoner.relay.identity.AuroraSigner;
import org.summoner.relay.wire.Rejection;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The kit's tests of SPEC 10's {@code monitoring}: {@code /metrics} is valid Prometheus text (read by the kit's own
 * strict parser) holding every counter of {@link RelayStats} under its documented name, moving as clients chat;
 * {@code /healthz} is {@code ok} until the shutdown starts and {@code 503} from then on, before the clients are
 * closed; {@code /connz} lists every client with its identity, role, counts and backlog, a page at a time; a bad
 * query and a busy port get clear answers. The attacks on the listener are {@link MonitoringListenerSection}'s. Run
 * through {@link RelayEngineCompatibilityKit}.
 */
public abstract class MonitoringSection extends MonitoringHarness {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Every {@link RelayStats} counter and gauge, under the name (and label) docs/OPERATING.md documents. */
    private static final Map<String, ToLongFunction<RelayStats>> SERIES = series();

    private static Map<String, ToLongFunction<RelayStats>> series() {
        final Map<String, ToLongFunction<RelayStats>> series = new LinkedHashMap<>();
        series.put("summoner_connections_opened_total", RelayStats::connectionsOpened);
        series.put("summoner_connections_closed_total", RelayStats::connectionsClosed);
        series.put("summoner_connections", RelayStats::connectionsOpen);
        series.put("summoner_lines_received_total", RelayStats::linesReceived);
        series.put("summoner_received_bytes_total", RelayStats::bytesReceived);
        series.put("summoner_lines_relayed_total", RelayStats::linesRelayed);
        series.put("summoner_deliveries_total", RelayStats::deliveries);
        series.put("summoner_deliveries_dropped_total", RelayStats::deliveriesDropped);
        series.put("summoner_sent_bytes_total", RelayStats::bytesSent);
        series.put("summoner_slow_consumer_disconnects_total", RelayStats::slowConsumerDisconnects);
        series.put("summoner_lines_dropped_total{reason=\"too_long\"}", RelayStats::droppedTooLong);
        series.put("summoner_lines_dropped_total{reason=\"invalid_utf8\"}", RelayStats::droppedInvalidUtf8);
        series.put("summoner_lines_dropped_total{reason=\"rate_limited\"}", RelayStats::droppedRateLimited);
        series.put("summoner_lines_dropped_total{reason=\"envelope_too_long\"}", RelayStats::droppedEnvelopeTooLong);
        series.put("summoner_lines_dropped_total{reason=\"no_host\"}", RelayStats::droppedNoHost);
        series.put("summoner_lines_dropped_total{reason=\"handshake_required\"}", RelayStats::droppedHandshakeRequired);
        series.put("summoner_lines_dropped_total{reason=\"input_full\"}", RelayStats::droppedInputFull);
        series.put("summoner_lines_dropped_total{reason=\"verification_busy\"}", RelayStats::droppedVerificationBusy);
        series.put("summoner_idle_disconnects_total", RelayStats::idleDisconnects);
        series.put("summoner_dead_peers_total", RelayStats::deadPeers);
        series.put("summoner_quarantines_total", RelayStats::quarantines);
        series.put("summoner_quarantined_addresses", RelayStats::quarantinedAddresses);
        series.put("summoner_connections_rejected_total{reason=\"quarantined\"}", RelayStats::rejectedQuarantined);
        series.put("summoner_connections_rejected_total{reason=\"server_full\"}", RelayStats::rejectedServerFull);
        series.put("summoner_connections_rejected_total{reason=\"per_ip\"}", RelayStats::rejectedPerAddress);
        series.put("summoner_connections_rejected_total{reason=\"not_allowed\"}", RelayStats::rejectedNotAllowed);
        series.put("summoner_throttles_total", RelayStats::throttles);
        series.put("summoner_flow_controls_total", RelayStats::flowControls);
        series.put("summoner_accept_errors_total", RelayStats::acceptErrors);
        series.put("summoner_hand_off_waits_total", RelayStats::handOffWaits);
        for (Rejection reason : Rejection.values()) {
            series.put("summoner_lines_rejected_total{reason=\"" + reason.code() + "\"}", stats -> stats.rejected(reason));
        }
        series.put("summoner_rejected_closed_total", RelayStats::rejectedClosed);
        series.put("summoner_undeliverable_total", RelayStats::undeliverable);
        series.put("summoner_bound_identities", RelayStats::boundIdentities);
        series.put("summoner_verification_waiting", RelayStats::verificationWaiting);
        series.put("summoner_hosts_connected", RelayStats::hostsConnected);
        series.put("summoner_handshakes_completed_total", RelayStats::handshakesCompleted);
        series.put("summoner_handshake_timeouts_total", RelayStats::handshakeTimeouts);
        series.put("summoner_tls_handshake_failures_total", RelayStats::tlsHandshakeFailures);
        series.put("summoner_tls_plaintext_refused_total", RelayStats::tlsPlaintextRefused);
        series.put("summoner_tls_renegotiations_refused_total", RelayStats::tlsRenegotiationsRefused);
        series.put("summoner_faults_total{where=\"line\"}", RelayStats::faultsLine);
        series.put("summoner_faults_total{where=\"timer\"}", RelayStats::faultsTimer);
        series.put("summoner_faults_total{where=\"cluster\"}", RelayStats::faultsCluster);
        series.put("summoner_faults_total{where=\"engine\"}", RelayStats::faultsEngine);
        series.put("summoner_config_reloads_total{result=\"applied\"}", RelayStats::configReloadsApplied);
        series.put("summoner_config_reloads_total{result=\"refused\"}", RelayStats::configReloadsRefused);
        return series;
    }


    @Test
    void metrics_hold_every_counter_of_the_relay_stats_in_valid_prometheus_text() throws Exception {
        final RunningServer server = startMonitored(Map.of());
        final KitClient a = connect(server);
        final KitClient b = connect(server);
        awaitConnections(server, 2);
        for (int i = 0; i < 3; i++) {
            a.send("line " + i + "\n");
        }
        a.send(bytes(0xff, 0xfe, '\n'));
        for (int i = 0; i < 3; i++) {
            assertEquals(envelope(a, "line " + i), b.readLine());
        }
        assertEquals("Warning: Line is not valid UTF-8 and was dropped.", a.readLine());
        long written = "Warning: Line is not valid UTF-8 and was dropped.\n".length();
        for (int i = 0; i < 3; i++) {
            written += envelope(a, "line " + i).getBytes(StandardCharsets.UTF_8).length + 1;
        }
        final long sent = written; // a write is counted once it is done, which may be after the client read it
        awaitStats(server, "3 deliveries and 1 line dropped", stats -> stats.deliveries() == 3 && stats.droppedInvalidUtf8() == 1
                && stats.linesReceived() == 4 && stats.bytesSent() == sent);
        final RelayStats before = server.stats();
        final PrometheusText metrics = scrape(server);
        assertEquals(before, server.stats(), "the server was quiet during the scrape");

        for (Map.Entry<String, ToLongFunction<RelayStats>> series : SERIES.entrySet()) {
            assertEquals((double) series.getValue().applyAsLong(before), metrics.value(series.getKey()), series.getKey());
        }
        assertEquals(2.0, metrics.value("summoner_connections"));
        assertEquals(4.0, metrics.value("summoner_lines_received_total"));
        assertEquals(1.0, metrics.value("summoner_lines_dropped_total{reason=\"invalid_utf8\"}"));
        assertEquals(1.0, metrics.value("summoner_relay_info{engine=\"" + engineName() + "\",routing=\"broadcast\",tls=\""
                + overTls() + "\"}"));
        assertEquals(0.0, metrics.value("summoner_queued_bytes"), "nothing waits for the clients");
        assertEquals("counter", metrics.types.get("summoner_deliveries_total"));
        assertEquals("gauge", metrics.types.get("summoner_connections"));
        assertTrue(metrics.value("jvm_memory_used_bytes{area=\"heap\"}") > 0, "the JVM's memory is shown");
        for (String family : metrics.types.keySet()) {
            if (family.startsWith("summoner_" + engineName() + "_")) {
                return; // the engine's own gauges are there too
            }
        }
        fail("no gauge of the engine's own (summoner_" + engineName() + "_*) in " + metrics.types.keySet());
    }

    @Test
    void metrics_move_while_clients_chat() throws Exception {
        final RunningServer server = startMonitored(Map.of());
        final KitClient a = connect(server);
        final KitClient b = connect(server);
        final KitClient c = connect(server);
        awaitConnections(server, 3);
        final PrometheusText first = scrape(server);
        for (int i = 0; i < 50; i++) {
            a.send("chat " + i + "\n");
        }
        for (int i = 0; i < 50; i++) {
            assertEquals(envelope(a, "chat " + i), b.readLine());
            assertEquals(envelope(a, "chat " + i), c.readLine());
        }
        awaitStats(server, "100 deliveries", stats -> stats.deliveries() == 100);
        final PrometheusText second = scrape(server);
        assertEquals(50.0, second.value("summoner_lines_received_total") - first.value("summoner_lines_received_total"));
        assertEquals(50.0, second.value("summoner_lines_relayed_total") - first.value("summoner_lines_relayed_total"));
        assertEquals(100.0, second.value("summoner_deliveries_total") - first.value("summoner_deliveries_total"));
        assertTrue(second.value("summoner_sent_bytes_total") > first.value("summoner_sent_bytes_total"));
    }

    @Test
    void healthz_is_ok_while_serving_and_503_from_the_start_of_shutdown() throws Exception {
        final RunningServer server = startMonitored(Map.of());
        final KitClient lingering = connect(server);
        awaitConnections(server, 1);
        final HttpResponse<String> ok = get(server, "/healthz");
        assertEquals(200, ok.statusCode());
        assertEquals("ok\n", ok.body());
        final int port = server.monitoringAddress().getPort();

        final Thread closer = new Thread(server::close, "tck-closer");
        closer.start();
        HttpResponse<String> health = get(server, "/healthz");
        final long deadline = System.nanoTime() + AWAIT.toNanos();
        while (health.statusCode() == 200 && System.nanoTime() < deadline) {
            Thread.sleep(5);
            health = get(server, "/healthz");
        }
        assertEquals(503, health.statusCode());
        assertEquals("shutting down\n", health.body());
        assertTrue(closer.isAlive(), "503 came while the relay was still closing: its client had not gone yet");
        assertEquals(200, get(server, "/metrics").statusCode(), "metrics are served until the relay is closed");

        assertEquals("Warning: Server is shutting down.", lingering.readLine());
        lingering.close();
        closer.join(AWAIT.toMillis());
        assertFalse(closer.isAlive(), "close() returned");
        assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", port).close(), "the listener is closed");
    }

    @Test
    void connz_lists_every_client_with_identity_counts_and_backlog_a_page_at_a_time() throws Exception {
        final RunningServer server = startMonitored(Map.of("routing", "dedicated"));
        final Agent a = agent(server);
        final Agent b = agent(server);
        final KitClient unbound = connect(server);
        awaitConnections(server, 3);
        final Instant connected = Instant.now();
        bind(server, 2, a, b);
        a.client().send(a.envelopeTo(b, Map.of("n", 1)) + "\n");
        a.client().send(a.envelopeTo(b, Map.of("n", 2)) + "\n");
        b.client().readLine();
        b.client().readLine();
        awaitStats(server, "2 deliveries", stats -> stats.deliveries() == 2);

        final HttpResponse<String> response = get(server, "/connz");
        assertEquals(200, response.statusCode());
        assertEquals("application/json", response.headers().firstValue("Content-Type").orElse(null));
        final JsonNode page = JSON.readTree(response.body());
        assertEquals(3, page.get("total").asInt());
        assertEquals(0, page.get("offset").asInt());
        assertEquals(1024, page.get("limit").asInt());
        final JsonNode connections = page.get("connections");
        assertEquals(3, connections.size());
        assertConnection(connections.get(0), a.client().address(), a.identity().fingerprint(), "client", 3, 0);
        assertConnection(connections.get(1), b.client().address(), b.identity().fingerprint(), "client", 1, 2);
        assertConnection(connections.get(2), unbound.address(), null, "client", 0, 0);
        final Instant since = Instant.parse(connections.get(0).get("connected_since").asText());
        assertTrue(Math.abs(Duration.between(since, connected).toMillis()) < 60_000, "connected_since is when it connected: " + since);

        final JsonNode second = JSON.readTree(get(server, "/connz?limit=1&offset=1").body());
        assertEquals(3, second.get("total").asInt());
        assertEquals(1, second.get("connections").size());
        assertEquals(b.client().address(), second.get("connections").get(0).get("remote_addr").asText());
        assertEquals(0, JSON.readTree(get(server, "/connz?offset=3").body()).get("connections").size());

        final HttpResponse<String> badLimit = get(server, "/connz?limit=0");
        assertEquals(400, badLimit.statusCode());
        assertEquals("limit: expected an integer from 1 to 10000, found \"0\"\n", badLimit.body());
        final HttpResponse<String> badOffset = get(server, "/connz?offset=-1");
        assertEquals(400, badOffset.statusCode());
        assertEquals("offset: expected an integer from 0 to 2147483647, found \"-1\"\n", badOffset.body());
        final HttpResponse<String> unknown = get(server, "/varz");
        assertEquals(404, unknown.statusCode());
        assertEquals("not found: /varz (this server serves /metrics, /healthz, /connz)\n", unknown.body());
    }

    @Test
    void connz_names_hosts_participants_and_connections_whose_handshake_is_pending() throws Exception {
        final AuroraSigner hostIdentity = AuroraSigner.generate(null);
        final RunningServer server = startMonitored(Map.of("routing", "hosted",
                "hosted_relay", Map.of("host_fingerprints", List.of(hostIdentity.fingerprint())),
                "handshake", Map.of("required", true, "challenge", false)));
        final Agent host = agent(server, hostIdentity);
        final Agent participant = agent(server);
        final KitClient pending = connect(server);
        awaitConnections(server, 3);
        bind(server, 2, host, participant);
        awaitStats(server, "a host", stats -> stats.hostsConnected() == 1);

        final JsonNode connections = JSON.readTree(get(server, "/connz").body()).get("connections");
        assertEquals(3, connections.size());
        assertEquals("host", connections.get(0).get("role").asText());
        assertEquals(hostIdentity.fingerprint(), connections.get(0).get("fp").asText());
        assertEquals("participant", connections.get(1).get("role").asText());
        assertEquals("pending", connections.get(2).get("role").asText());
        assertEquals(pending.address(), connections.get(2).get("remote_addr").asText());
    }

    @Test
    void a_busy_monitoring_port_stops_start_up_naming_the_key() throws IOException {
        try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            final Map<String, Object> config = config(Map.of());
            config.put("monitoring", Map.of("port", busy.getLocalPort()));
            final ServerStartException e = assertThrows(ServerStartException.class,
                    () -> track(new SummonerServer("tck").start("127.0.0.1", 0, config)));
            assertEquals("cannot start monitoring on 127.0.0.1:" + busy.getLocalPort() + " (\"monitoring.port\"): Address already in use",
                    e.getMessage());
        }
    }

    private static void assertConnection(JsonNode connection, String remoteAddr, String fingerprint, String role,
                                         long linesIn, long linesOut) {
        assertEquals(List.of("remote_addr", "fp", "role", "lines_in", "lines_out", "backlog_bytes", "connected_since"),
                fieldNames(connection));
        assertEquals(remoteAddr, connection.get("remote_addr").asText());
        assertEquals(fingerprint, connection.get("fp").isNull() ? null : connection.get("fp").asText(), remoteAddr + " fp");
        assertEquals(role, connection.get("role").asText(), remoteAddr + " role");
        assertEquals(linesIn, connection.get("lines_in").asLong(), remoteAddr + " lines_in");
        assertEquals(linesOut, connection.get("lines_out").asLong(), remoteAddr + " lines_out");
        assertEquals(0, connection.get("backlog_bytes").asLong(), remoteAddr + " backlog_bytes");
    }

    private static List<String> fieldNames(JsonNode node) {
        final List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
