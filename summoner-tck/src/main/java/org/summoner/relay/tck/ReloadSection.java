package org.summoner.relay.tck;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.summoner.relay.Reload;
import org.summoner.relay.RunningServer;
import org.summoner.relay.SummonerServer;
import org.summoner.relay.config.ConfigException;
import org.summoner.relay.identity.AuroraSigner;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The kit's tests of a reload ({@code RunningServer.reload()}, what SIGHUP does in the runnable server): the server
 * is started from a file, the file is rewritten, and the server reads it again. Every key that applies live changes
 * what the relay does while the clients connected before stay connected and go on relaying; a connection the new
 * {@code peer_trust} no longer admits is told and closed, and only it; a file with an error is refused with the message
 * a start prints for it, and the running configuration goes on; keys that need a restart are named and left as they
 * were; new TLS handshakes get the new certificate while sessions under way keep theirs; a backpressure policy turned
 * on closes the recipients that stopped reading at their next judgement ({@link UnderBackpressure}).
 */
public abstract class ReloadSection extends IdentityHarness {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String RATE_LIMITED = "Warning: You are sending messages too quickly. Please slow down.";
    private static final String NOT_ALLOWED = "Warning: Your address is not allowed on this server; disconnecting.";
    private static final String IDENTITY_NOT_ALLOWED = "Warning: Your identity is no longer allowed on this server; disconnecting.";
    private static final String HANDSHAKE_REQUIRED = "Warning: Handshake required; the line was not relayed.";
    private static final String IDLE = "Warning: You have been disconnected due to inactivity.";

    @TempDir
    Path dir;

    private Path file() {
        return dir.resolve("server_config.json");
    }

    /** Writes the kit's configuration with these {@code hyper_parameters} (and more top-level keys) as the file. */
    private void write(Map<String, ?> hyperParameters, Object... topKeysAndValues) throws IOException {
        final Map<String, Object> config = new LinkedHashMap<>(config(hyperParameters));
        for (int i = 0; i < topKeysAndValues.length; i += 2) {
            config.put((String) topKeysAndValues[i], topKeysAndValues[i + 1]);
        }
        writeText(JSON.writeValueAsString(config));
    }

    /** Replaces the file at once, as an editor that saves through a temporary file does. */
    private void writeText(String text) throws IOException {
        final Path next = dir.resolve("next.json");
        Files.writeString(next, text, StandardCharsets.UTF_8);
        Files.move(next, file(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private RunningServer startFromFile(Map<String, ?> hyperParameters, Object... topKeysAndValues) throws IOException {
        write(hyperParameters, topKeysAndValues);
        return track(new SummonerServer("tck").start("127.0.0.1", 0, file().toString()));
    }

    /** A server started from the file with these {@code hyper_parameters}, and two clients it has registered. */
    private Pair startPairFromFile(Map<String, ?> hyperParameters) throws IOException {
        return pairOn(startFromFile(hyperParameters));
    }

    private KitClient connectFrom(RunningServer server, String localAddress) throws IOException {
        return connect(server.address(), 0, InetAddress.getByName(localAddress));
    }

    /** @return the first line {@code client} reads that is not {@code skipped}. */
    private static String firstOtherThan(KitClient client, String skipped) throws IOException {
        String line;
        while ((line = client.readLine()).equals(skipped)) {
            // one more of those
        }
        return line;
    }

    private static void assertApplied(Reload reload, String... changed) {
        assertEquals(new Reload(true, List.of(changed), List.of(), null), reload);
    }

    @Test
    void the_rate_limit_and_max_connections_apply_to_the_clients_already_connected_which_stay() throws Exception {
        final Pair pair = startPairFromFile(Map.of());
        final RunningServer server = pair.server();
        final KitClient a = pair.a();
        final KitClient b = pair.b();

        write(Map.of("rate_limit_msgs_per_minute", 2, "max_connections", 2));
        assertApplied(server.reload(), "hyper_parameters.max_connections", "hyper_parameters.rate_limit_msgs_per_minute");
        a.send("one\ntwo\nthree\n");
        assertEquals(envelope(a, "one"), b.readLine());
        assertEquals(envelope(a, "two"), b.readLine());
        assertEquals(RATE_LIMITED, a.readLine(), "a full bucket of a billion is cut to the new two");
        final KitClient third = connect(server);
        assertEquals("Warning: Server is full (max_connections 2); disconnecting.", third.readLine());
        third.assertEndOfStream();

        write(Map.of());
        assertApplied(server.reload(), "hyper_parameters.max_connections", "hyper_parameters.rate_limit_msgs_per_minute");
        b.send("both still here\n");
        assertEquals(envelope(b, "both still here"), a.readLine());
        a.send("and a may send again\n");
        assertEquals(envelope(a, "and a may send again"), b.readLine());
        awaitStats(server, "two reloads, no connection closed", stats -> stats.configReloadsApplied() == 2
                && stats.connectionsClosed() == 0 && stats.connectionsOpen() == 2);
    }

    @Test
    void a_connection_the_new_peer_trust_no_longer_admits_is_told_and_closed_and_no_other() throws Exception {
        final AuroraSigner aliceId = AuroraSigner.generate(null);
        final AuroraSigner bobId = AuroraSigner.generate(null);
        final AuroraSigner carolId = AuroraSigner.generate(null);
        final AuroraSigner daveId = AuroraSigner.generate(null);
        final Map<String, Object> dedicated = Map.of("routing", "dedicated",
                "dedicated_relay", Map.of("invalid_attempts", Map.of("enabled", false)));
        final RunningServer server = startFromFile(dedicated);
        final Agent alice = agent(server, aliceId);
        final Agent bob = new Agent(connectFrom(server, "127.0.0.2"), bobId);
        final Agent carol = new Agent(connectFrom(server, "127.0.0.3"), carolId);
        final Agent dave = agent(server, daveId);
        awaitConnections(server, 4);
        bind(server, 4, alice, bob, carol, dave);

        final Map<String, Object> narrower = new LinkedHashMap<>(dedicated);
        narrower.put("peer_trust", Map.of("deny_networks", List.of("127.0.0.2/32"),
                "allowed_fingerprints", List.of(aliceId.fingerprint(), bobId.fingerprint(), carolId.fingerprint())));
        write(narrower);
        assertApplied(server.reload(), "hyper_parameters.peer_trust.allowed_fingerprints", "hyper_parameters.peer_trust.deny_networks");

        assertEquals(NOT_ALLOWED, bob.client().readLine(), "its network is denied now: what a new connection from it is told");
        bob.client().assertEndOfStream();
        bob.client().close(); // its server closes it now rather than at the goodbye's deadline
        assertEquals(IDENTITY_NOT_ALLOWED, dave.client().readLine(), "its identity left the allow-list");
        dave.client().assertEndOfStream();
        dave.client().close();
        final String toCarol = alice.envelopeTo(carol, "still here");
        alice.client().send(toCarol + "\n");
        assertEquals(envelope(alice.client(), escaped(toCarol)), carol.client().readLine());
        final KitClient again = connectFrom(server, "127.0.0.2");
        assertEquals(NOT_ALLOWED, again.readLine());
        again.assertEndOfStream();
        awaitStats(server, "alice and carol alone open", stats -> stats.connectionsOpen() == 2 && stats.boundIdentities() == 2
                && stats.rejectedNotAllowed() == 1);
    }

    @Test
    void handshake_and_idle_settings_apply_to_new_connections_and_lifting_the_handshake_releases_those_waiting() throws Exception {
        final Pair pair = startPairFromFile(Map.of());
        final RunningServer server = pair.server();
        final KitClient before = pair.a();
        final KitClient listener = pair.b();

        write(Map.of("handshake", Map.of("required", true, "challenge", false, "timeout_secs", 60)));
        assertApplied(server.reload(), "hyper_parameters.handshake.challenge", "hyper_parameters.handshake.required",
                "hyper_parameters.handshake.timeout_secs");
        final KitClient after = connect(server);
        awaitConnections(server, 3);
        after.send("let me talk\n");
        assertEquals(HANDSHAKE_REQUIRED, after.readLine(), "a new connection must bind");
        before.send("connected before\n");
        assertEquals(envelope(before, "connected before"), listener.readLine(), "one connected before keeps its terms");
        after.assertNothingWithin(Duration.ofMillis(100)); // it receives nothing before it is bound

        write(Map.of("client_timeout_secs", 1, "timeout_check_interval_secs", 1));
        assertApplied(server.reload(), "hyper_parameters.client_timeout_secs", "hyper_parameters.handshake.challenge",
                "hyper_parameters.handshake.required",
                "hyper_parameters.handshake.timeout_secs", "hyper_parameters.timeout_check_interval_secs");
        final long deadline = System.nanoTime() + AWAIT.toNanos();
        while (true) { // each engine thread applies the reload at its next turn, a moment after it was published
            after.send("now?\n");
            final String answer = after.readLineWithin(Duration.ofMillis(500));
            if (answer == null) {
                break; // relayed, and no notice for it
            }
            assertEquals(HANDSHAKE_REQUIRED, answer);
            assertTrue(System.nanoTime() < deadline, "the waiting connection was never released");
        }
        assertEquals(IDLE, firstOtherThan(listener, envelope(after, "now?")), "an idle client is now closed after a second");
        assertEquals(IDLE, firstOtherThan(before, envelope(after, "now?")));
        awaitStats(server, "every client closed as idle", stats -> stats.idleDisconnects() == 3);
    }

    @Test
    void the_communication_graph_changes_and_a_reload_forgets_no_envelope_already_used() throws Exception {
        final AuroraSigner aliceId = AuroraSigner.generate(null);
        final AuroraSigner bobId = AuroraSigner.generate(null);
        final Map<String, Object> invalidAttemptsOff = Map.of("enabled", false);
        final RunningServer server = startFromFile(Map.of("routing", "dedicated", "dedicated_relay", Map.of(
                "invalid_attempts", invalidAttemptsOff)));
        final Agent alice = agent(server, aliceId);
        final Agent bob = agent(server, bobId);
        awaitConnections(server, 2);
        bind(server, 2, alice, bob);
        final String first = alice.envelopeTo(bob, "first");
        alice.client().send(first + "\n");
        assertEquals(envelope(alice.client(), escaped(first)), bob.client().readLine());

        write(Map.of("routing", "dedicated", "dedicated_relay", Map.of("invalid_attempts", invalidAttemptsOff,
                "communication_graph", Map.of(bobId.fingerprint(), List.of(aliceId.fingerprint())))));
        assertApplied(server.reload(), "hyper_parameters.dedicated_relay.communication_graph");
        final String second = alice.envelopeTo(bob, "second");
        alice.client().send(second + "\n");
        assertEquals(rejected("edge_not_allowed"), alice.client().readLine());
        final String back = bob.envelopeTo(alice, "back");
        bob.client().send(back + "\n");
        assertEquals(envelope(bob.client(), escaped(back)), alice.client().readLine());
        bob.client().send(back + "\n");
        assertEquals(rejected("replayed"), bob.client().readLine(), "the new router shares the replay window's memory");
        awaitStats(server, "both still connected", stats -> stats.connectionsOpen() == 2);
    }

    @Test
    void a_file_with_an_error_is_refused_with_the_message_a_start_prints_and_the_running_config_goes_on() throws Exception {
        final Pair pair = startPairFromFile(Map.of("peer_trust", Map.of("deny_networks", List.of("127.0.0.2/32"))));
        final RunningServer server = pair.server();
        final KitClient a = pair.a();
        final KitClient b = pair.b();
        final String valid = Files.readString(file());
        final List<String> broken = List.of(
                valid.substring(0, valid.length() / 2), // half written
                "",
                "{\"hyper_parameters\": {\"rate_limit_msgs_per_minute\": 0}}",
                "{\"hyper_parameters\": {\"peer_trust\": {\"deny_networks\": [\"127.0.0.300/32\"]}}}",
                "{\"hyper_parameters\": {\"peer_trust\": {\"allow_networks\": []}}}", // valid JSON, refused as a whole
                "{\"port\": 1, \"port\": 2}",
                "[]");
        int refused = 0;
        for (String text : broken) {
            writeText(text);
            final ConfigException atStart = assertThrows(ConfigException.class,
                    () -> new SummonerServer("tck").start("127.0.0.1", 0, file().toString()));
            assertEquals(new Reload(false, List.of(), List.of(), atStart.getMessage()), server.reload(), text);
            refused++;
        }
        Files.delete(file());
        final Reload missing = server.reload();
        assertTrue(missing.error().startsWith(file() + ": cannot read: "), "a missing file is no fallback to the defaults: " + missing);

        a.send("the old rules hold\n");
        assertEquals(envelope(a, "the old rules hold"), b.readLine());
        final KitClient denied = connectFrom(server, "127.0.0.2");
        assertEquals(NOT_ALLOWED, denied.readLine());
        final int expected = refused + 1;
        awaitStats(server, "every reload refused", stats -> stats.configReloadsRefused() == expected && stats.configReloadsApplied() == 0
                && stats.connectionsOpen() == 2);
    }

    @Test
    void keys_that_need_a_restart_are_named_and_left_as_they_were() throws Exception {
        final Pair pair = startPairFromFile(Map.of());
        final RunningServer server = pair.server();
        final KitClient a = pair.a();
        final KitClient b = pair.b();

        write(Map.of("worker_threads", 7, "routing", "hosted", "hosted_relay", Map.of("host_fingerprints",
                List.of(AuroraSigner.generate(null).fingerprint())), "max_line_bytes", 10, "rate_limit_msgs_per_minute", 500),
                "port", 1, "monitoring", Map.of("port", 0));
        assertEquals(new Reload(true, List.of("hyper_parameters.rate_limit_msgs_per_minute"), List.of("hyper_parameters.hosted_relay.host_fingerprints",
                "hyper_parameters.max_line_bytes", "hyper_parameters.routing", "hyper_parameters.worker_threads", "monitoring", "port"), null),
                server.reload());
        a.send("still broadcast, and longer than ten bytes\n");
        assertEquals(envelope(a, "still broadcast, and longer than ten bytes"), b.readLine());
        assertEquals(500, server.config().hyperParameters().rateLimitMsgsPerMinute());
        assertEquals(65536, server.config().hyperParameters().maxLineBytes());
        assertTrue(server.config().port().isEmpty(), "the port it was started with, unset in the file");
    }

    @Test
    void new_tls_handshakes_get_the_new_certificate_while_a_session_under_way_keeps_its_own() throws Exception {
        final Path cert = dir.resolve("cert.pem");
        final Path key = dir.resolve("key.pem");
        Files.copy(KitTls.file("server.crt"), cert);
        Files.copy(KitTls.file("server.key"), key);
        final RunningServer server = startFromFile(Map.of(), "tls", Map.of("cert", cert.toString(), "key", key.toString()));
        final CertificateRecorder first = new CertificateRecorder();
        final KitClient old = track(KitClient.connect(server.address(), 0, null, first.context()));
        old.startHandshake();
        awaitConnections(server, 1);

        Files.copy(KitTls.file("stranger.crt"), cert, StandardCopyOption.REPLACE_EXISTING); // renewed where it was
        Files.copy(KitTls.file("stranger.key"), key, StandardCopyOption.REPLACE_EXISTING);
        assertApplied(server.reload(), "tls.cert", "tls.key");
        final CertificateRecorder second = new CertificateRecorder();
        final KitClient renewed = track(KitClient.connect(server.address(), 0, null, second.context()));
        renewed.startHandshake();
        awaitConnections(server, 2);

        assertEquals("CN=localhost", first.subject);
        assertEquals("CN=stranger", second.subject);
        old.send("over the old session\n");
        assertEquals(envelope(old, "over the old session"), renewed.readLine());
        renewed.send("over the new one\n");
        assertEquals(envelope(renewed, "over the new one"), old.readLine());
    }

    @Test
    void reloads_in_a_storm_under_load_lose_no_line_and_close_no_connection() throws Exception {
        final Pair pair = startPairFromFile(Map.of());
        final RunningServer server = pair.server();
        final KitClient a = pair.a();
        final KitClient b = pair.b();
        final int lines = 1_000;
        final Thread reloads = new Thread(() -> {
            for (int i = 0; i < 20; i++) {
                try {
                    write(Map.of("rate_limit_msgs_per_minute", 1_000_000_000 - i % 2, "client_timeout_secs", 3_600 + i));
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
                server.reload();
            }
        }, "kit-reloads");
        reloads.start();
        final StringBuilder burst = new StringBuilder();
        for (int i = 0; i < lines; i++) {
            burst.append("line ").append(i).append('\n');
        }
        a.send(burst.toString());
        for (int i = 0; i < lines; i++) {
            assertEquals(envelope(a, "line " + i), b.readLine());
        }
        reloads.join(AWAIT.toMillis());
        awaitStats(server, "twenty reloads applied, both connected", stats -> stats.configReloadsApplied() == 20
                && stats.configReloadsRefused() == 0 && stats.connectionsOpen() == 2 && stats.connectionsClosed() == 0);
    }

    @Nested
    @DisplayName("under backpressure")
    class UnderBackpressure extends FairUseHarness {
        @Override
        protected String engineName() {
            return ReloadSection.this.engineName();
        }

        @Override
        protected Map<String, ?> engineSections() {
            return ReloadSection.this.engineSections();
        }

        @Test
        void a_disconnect_threshold_turned_on_closes_the_recipients_that_stopped_reading_and_no_other() throws Exception {
            final RunningServer server = startFromFile(parameters("throttle_delay_ms", 1,
                    "backpressure_policy", policy(true, 10, false, 1_000_000, false, 10)));
            final KitClient sender = connect(server);
            final List<Long> marks = drainInBackground(connect(server));
            for (int i = 0; i < 3; i++) {
                stalled(server); // 3 of 5: the room is behind, so a real backlog of 10 shows as a throttle
            }
            awaitConnections(server, 5);
            pushUntil(server, sender, "a backlog of at least 10 (a throttle)", stats -> stats.throttles() >= 1);
            assertEquals(0, server.stats().slowConsumerDisconnects(), "enable_disconnect is off");

            write(parameters("throttle_delay_ms", 1, "backpressure_policy", policy(true, 10, false, 1_000_000, true, 10)));
            assertApplied(server.reload(), "hyper_parameters.backpressure_policy.enable_disconnect");
            pushUntil(server, sender, "the stalled clients closed at the new threshold", stats -> stats.slowConsumerDisconnects() == 3);
            awaitConnections(server, 2);
            for (int i = 0; i < 5; i++) {
                sender.send("mark\n");
            }
            await("the healthy reader's 5 marks", () -> marks.size() == 5, marks::toString);
        }
    }
}
