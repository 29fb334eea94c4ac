package org.summoner.relay.tck;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.summoner.relay.RunningServer;
import org.summoner.relay.identity.AuroraSigner;
import org.summoner.relay.wire.Rejection;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The kit's tests of SPEC section 7, {@code routing: dedicated}, and 8, the Aurora adapter: signed envelopes bind
 * their connections and reach only the connections bound to their receiver; everything else is rejected with its
 * reason; invalid attempts are bounded per IP. Identities are made here with the API's {@link AuroraSigner}, and the
 * Aurora library's own lines come from its vectors ({@code aurora-v1.json}).
 */
public abstract class DedicatedSection extends IdentityHarness {
    private static final JsonNode VECTORS = vectors();

    private static JsonNode vectors() {
        try (InputStream in = DedicatedSection.class.getResourceAsStream("/aurora/aurora-v1.json")) {
            return new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String vectorLine(String name) {
        for (JsonNode testCase : VECTORS.get("cases")) {
            if (testCase.get("name").textValue().equals(name)) {
                return testCase.get("line").textValue();
            }
        }
        throw new IllegalArgumentException(name);
    }

    private static Map<String, Object> noInvalidAttempts() {
        return Map.of("invalid_attempts", Map.of("enabled", false));
    }

    /**
     * A replay window of ten years: the vectors' envelopes were sealed on 2026-02-26 and are long stale under the
     * default five minutes; the kit replays them to check what the Aurora library itself sends.
     */
    private static final Map<String, Object> VECTORS_STAY_FRESH = Map.of("window_secs", 315_360_000);

    @Test
    void a_directed_envelope_reaches_every_connection_bound_to_its_receiver_and_no_one_else() throws Exception {
        final RunningServer server = startDedicated(Map.of());
        final AuroraSigner bobIdentity = AuroraSigner.generate(null);
        final Agent alice = agent(server, AuroraSigner.generate(Map.of("name", "alice")));
        final Agent bob = agent(server, bobIdentity);
        final Agent bobAgain = agent(server, bobIdentity); // an agent may reconnect before its old socket is gone
        final Agent carol = agent(server, AuroraSigner.generate(null));
        awaitConnections(server, 4);
        bind(server, 3, alice, bob, bobAgain, carol);
        // Three identities are bound once bob's connection is: bobAgain's own binding shows in its answer to a second one.
        bobAgain.client().send(bobAgain.envelopeTo(null, "bound?") + "\n");
        assertEquals(rejected("already_bound"), bobAgain.client().readLine());

        final String line = alice.envelopeTo(bob, Map.of("offer", 12.5));
        alice.client().send(line + "\n");

        assertEquals(envelope(alice.client(), escaped(line)), bob.client().readLine());
        assertEquals(envelope(alice.client(), escaped(line)), bobAgain.client().readLine());
        final String forCarol = bob.envelopeTo(carol, "just for carol");
        bob.client().send(forCarol + "\n");
        assertEquals(envelope(bob.client(), escaped(forCarol)), carol.client().readLine(), "carol got nothing before her own line");
        alice.client().assertNothingWithin(Duration.ofMillis(200));
        awaitStats(server, "2 relayed, 3 deliveries", stats -> stats.linesRelayed() == 2 && stats.deliveries() == 3);
    }

    @Test
    void an_envelope_to_no_one_binds_its_connection_and_is_not_relayed() throws Exception {
        final RunningServer server = startDedicated(Map.of());
        final Agent alice = agent(server, AuroraSigner.generate(null));
        final Agent bob = agent(server, AuroraSigner.generate(null));
        awaitConnections(server, 2);
        bind(server, 1, alice);
        bob.client().assertNothingWithin(Duration.ofMillis(200));
        alice.client().assertNothingWithin(Duration.ofMillis(1));

        final String toAlice = bob.envelopeTo(alice, "hi alice");
        bob.client().send(toAlice + "\n");
        assertEquals(envelope(bob.client(), escaped(toAlice)), alice.client().readLine());
        awaitStats(server, "both bound", stats -> stats.boundIdentities() == 2);
    }

    @Test
    void the_aurora_librarys_own_lines_are_routed_and_every_rejection_of_its_vectors_is_told_with_its_reason() throws Exception {
        final RunningServer server = startDedicated(Map.of("invalid_attempts", Map.of("enabled", false), "replay", VECTORS_STAY_FRESH));
        final KitClient bob = connect(server);
        final KitClient alice = connect(server);
        awaitConnections(server, 2);
        bob.send(vectorLine("directed_reply_bob_to_alice") + "\n"); // binds this connection to bob (alice is not bound yet)
        awaitStats(server, "bob bound", stats -> stats.boundIdentities() == 1);
        final String toBob = vectorLine("directed_alice_to_bob");
        alice.send(toBob + "\n");
        assertEquals(envelope(alice, escaped(toBob)), bob.readLine(), "Aurora's directed envelope reached bob's connection");

        int rejections = 0;
        for (JsonNode testCase : VECTORS.get("cases")) {
            if (testCase.get("expect").textValue().equals("valid") || !testCase.get("envelope_root").isNull()) {
                continue;
            }
            final KitClient client = connect(server);
            client.send(testCase.get("line").textValue().getBytes(StandardCharsets.UTF_8));
            client.send("\n");
            assertEquals(rejected(testCase.get("reason").textValue()), client.readLine(), testCase.get("name").textValue());
            client.close();
            rejections++;
        }
        bob.assertNothingWithin(Duration.ofMillis(200));
        final int expected = rejections;
        awaitStats(server, expected + " rejections", stats -> stats.linesRejected() == expected && stats.linesRelayed() == 1);
    }

    @Test
    void envelopes_the_summoner_sdk_wraps_in_its_typed_payload_are_found_with_envelope_root() throws Exception {
        final RunningServer server = startDedicated(Map.of("paths", Map.of("envelope_root", "_payload"), "replay", VECTORS_STAY_FRESH));
        final KitClient sender = connect(server);
        awaitConnections(server, 1);
        String wrapped = null;
        for (JsonNode testCase : VECTORS.get("cases")) {
            if (testCase.get("name").textValue().equals("sdk_wrapped_discovery")) {
                wrapped = testCase.get("line").textValue();
            }
        }
        sender.send(wrapped + "\n");
        awaitStats(server, "the wrapped envelope bound its sender", stats -> stats.boundIdentities() == 1);
        sender.send(vectorLine("discovery_plain_alice") + "\n"); // not wrapped: no _payload
        assertEquals(rejected("missing_field"), sender.readLine());
    }

    @Test
    void lines_that_are_not_signed_envelopes_are_rejected() throws Exception {
        final RunningServer server = startDedicated(noInvalidAttempts());
        final KitClient plain = connect(server);
        final KitClient other = connect(server);
        awaitConnections(server, 2);
        plain.send("hello everyone\n[1, 2]\n{\"v\": \"env.v1\"}\n\n");
        assertEquals(rejected("not_json"), plain.readLine());
        assertEquals(rejected("not_object"), plain.readLine());
        assertEquals(rejected("missing_field"), plain.readLine());
        assertEquals(rejected("not_json"), plain.readLine(), "an empty line is not JSON");
        other.assertNothingWithin(Duration.ofMillis(200));
        awaitStats(server, "4 rejected", stats -> stats.rejected(Rejection.NOT_JSON) == 2
                && stats.linesRejected() == 4);
    }

    @Test
    void a_connection_bound_to_one_identity_cannot_speak_for_another() throws Exception {
        final RunningServer server = startDedicated(noInvalidAttempts());
        final Agent alice = agent(server, AuroraSigner.generate(null));
        final Agent bob = agent(server, AuroraSigner.generate(null));
        awaitConnections(server, 2);
        bind(server, 2, alice, bob);
        final AuroraSigner mallory = AuroraSigner.generate(Map.of("name", "alice"));
        alice.client().send(mallory.seal("as mallory", bob.identity().publicId()) + "\n");
        assertEquals(rejected("identity_mismatch"), alice.client().readLine());
        bob.client().assertNothingWithin(Duration.ofMillis(200));
    }

    @Test
    void the_communication_graph_allows_each_edge_one_way_only() throws Exception {
        final AuroraSigner aliceIdentity = AuroraSigner.generate(null);
        final AuroraSigner bobIdentity = AuroraSigner.generate(null);
        final AuroraSigner carolIdentity = AuroraSigner.generate(null);
        final RunningServer server = startDedicated(Map.of("invalid_attempts", Map.of("enabled", false),
                "communication_graph", Map.of(aliceIdentity.fingerprint(), List.of(bobIdentity.fingerprint()))));
        final Agent alice = agent(server, aliceIdentity);
        final Agent bob = agent(server, bobIdentity);
        final Agent carol = agent(server, carolIdentity);
        awaitConnections(server, 3);
        bind(server, 3, alice, bob, carol);

        final String allowed = alice.envelopeTo(bob, "alice may write to bob");
        alice.client().send(allowed + "\n");
        assertEquals(envelope(alice.client(), escaped(allowed)), bob.client().readLine());
        bob.client().send(bob.envelopeTo(alice, "bob may not write back") + "\n");
        assertEquals(rejected("edge_not_allowed"), bob.client().readLine());
        alice.client().send(alice.envelopeTo(carol, "nor may alice write to carol") + "\n");
        assertEquals(rejected("edge_not_allowed"), alice.client().readLine());
        carol.client().send(carol.envelopeTo(alice, "carol has no edges") + "\n");
        assertEquals(rejected("edge_not_allowed"), carol.client().readLine());
        alice.client().assertNothingWithin(Duration.ofMillis(200));
    }

    @Test
    void allowed_fingerprints_refuse_unknown_senders_and_unknown_receivers_unless_told_otherwise() throws Exception {
        final AuroraSigner aliceIdentity = AuroraSigner.generate(null);
        final AuroraSigner bobIdentity = AuroraSigner.generate(null);
        final List<String> allowed = List.of(aliceIdentity.fingerprint(), bobIdentity.fingerprint());
        final AuroraSigner stranger = AuroraSigner.generate(null);

        final RunningServer strict = startDedicated(Map.of("invalid_attempts", Map.of("enabled", false), "allowed_fingerprints", allowed));
        final Agent alice = agent(strict, aliceIdentity);
        final Agent outsider = agent(strict, stranger);
        awaitConnections(strict, 2);
        outsider.client().send(outsider.envelopeTo(null, "let me in") + "\n");
        assertEquals(rejected("sender_not_allowed"), outsider.client().readLine());
        alice.client().send(alice.envelopeTo(outsider, "to a stranger") + "\n");
        assertEquals(rejected("receiver_not_allowed"), alice.client().readLine());

        final RunningServer lenient = startDedicated(Map.of("invalid_attempts", Map.of("enabled", false), "allowed_fingerprints", allowed,
                "policy", Map.of("reject_unknown_receiver", false)));
        final Agent alice2 = agent(lenient, aliceIdentity);
        awaitConnections(lenient, 1);
        alice2.client().send(alice2.envelopeTo(outsider, "to a stranger, who cannot be bound here") + "\n");
        awaitStats(lenient, "one undeliverable line, no rejection", stats -> stats.undeliverable() == 1 && stats.linesRejected() == 0);
        alice2.client().assertNothingWithin(Duration.ofMillis(200));
    }

    @Test
    void a_receiver_not_connected_is_rejected_only_with_reject_when_receiver_disconnected() throws Exception {
        final AuroraSigner absent = AuroraSigner.generate(null);
        final RunningServer quiet = startDedicated(Map.of());
        final Agent alice = agent(quiet, AuroraSigner.generate(null));
        awaitConnections(quiet, 1);
        alice.client().send(alice.identity().seal("anyone there?", absent.publicId()) + "\n");
        awaitStats(quiet, "one undeliverable line", stats -> stats.undeliverable() == 1);
        alice.client().assertNothingWithin(Duration.ofMillis(200));

        final RunningServer told = startDedicated(Map.of("policy", Map.of("reject_when_receiver_disconnected", true)));
        final Agent alice2 = agent(told, alice.identity());
        awaitConnections(told, 1);
        alice2.client().send(alice2.identity().seal("anyone there?", absent.publicId()) + "\n");
        assertEquals(rejected("receiver_not_connected"), alice2.client().readLine());
    }

    @Test
    void a_null_receiver_is_refused_when_it_may_not_bind() throws Exception {
        final RunningServer server = startDedicated(Map.of("policy", Map.of("allow_null_receiver_binding", false)));
        final Agent alice = agent(server, AuroraSigner.generate(null));
        awaitConnections(server, 1);
        alice.client().send(alice.envelopeTo(null, "hello") + "\n");
        assertEquals(rejected("receiver_not_allowed"), alice.client().readLine());
        assertEquals(0, server.stats().boundIdentities());
    }

    @Test
    void directed_lines_keep_each_senders_order_under_load() throws Exception {
        final int lines = 1_000;
        final RunningServer server = startDedicated(Map.of());
        final Agent alice = agent(server, AuroraSigner.generate(null));
        final Agent bob = agent(server, AuroraSigner.generate(null));
        awaitConnections(server, 2);
        bind(server, 2, alice, bob);
        final List<String> sent = new ArrayList<>();
        for (int i = 0; i < lines; i++) {
            sent.add(alice.envelopeTo(bob, Map.of("seq", i)));
        }
        final OutputStream out = new BufferedOutputStream(socketOutput(alice.client()), 64 * 1024);
        for (String line : sent) {
            out.write((line + "\n").getBytes(StandardCharsets.US_ASCII));
        }
        out.flush();
        for (String line : sent) {
            assertEquals(envelope(alice.client(), escaped(line)), bob.client().readLine());
        }
    }

    /** {@code dedicated_relay.paths} naming the identities and the signature otherwise than Aurora's {@code from}, {@code to}, {@code sig}. */
    private static Map<String, Object> renamedPaths() {
        return Map.of("paths", Map.of("sender_identity", "sender", "receiver_identity", "recipient", "envelope_signature", "signature"));
    }

    /** @return {@code line} (an Aurora envelope) with {@code from}, {@code to} and {@code sig} renamed as {@link #renamedPaths()} says. */
    private static String renamed(String line) throws IOException {
        final ObjectMapper json = new ObjectMapper();
        @SuppressWarnings("unchecked")
        final Map<String, Object> envelope = json.readValue(line, LinkedHashMap.class);
        final Map<String, Object> renamed = new LinkedHashMap<>();
        for (Map.Entry<String, Object> field : envelope.entrySet()) {
            final String name = switch (field.getKey()) {
                case "from" -> "sender";
                case "to" -> "recipient";
                case "sig" -> "signature";
                default -> field.getKey();
            };
            renamed.put(name, field.getValue());
        }
        return json.writeValueAsString(renamed);
    }

    @Test
    void configured_paths_are_honoured_end_to_end_the_identities_they_name_are_what_the_signature_covers() throws Exception {
        final RunningServer server = startDedicated(renamedPaths());
        final Agent alice = agent(server);
        final Agent bob = agent(server);
        awaitConnections(server, 2);
        bob.client().send(renamed(bob.envelopeTo(null, "bob here")) + "\n");
        awaitStats(server, "bob bound", stats -> stats.boundIdentities() == 1);

        final String line = renamed(alice.envelopeTo(bob, Map.of("offer", 3)));
        alice.client().send(line + "\n");
        assertEquals(envelope(alice.client(), escaped(line)), bob.client().readLine());
        final String forged = line.replace("\"offer\":3", "\"offer\":4");
        alice.client().send(forged + "\n");
        assertEquals(rejected("bad_envelope_signature"), alice.client().readLine());
        alice.client().send(alice.envelopeTo(bob, "with Aurora's own names") + "\n");
        assertEquals(rejected("missing_field"), alice.client().readLine());
    }

    @Test
    void an_envelope_without_aurora_field_names_under_configured_paths_never_stops_the_relay() throws Exception {
        final Map<String, Object> dedicated = new LinkedHashMap<>(renamedPaths());
        dedicated.putAll(noInvalidAttempts());
        final RunningServer server = startDedicated(dedicated, "worker_threads", 4);
        final Agent alice = agent(server);
        final Agent bob = agent(server);
        awaitConnections(server, 2);
        bob.client().send(renamed(bob.envelopeTo(null, "bob here")) + "\n");
        awaitStats(server, "bob bound", stats -> stats.boundIdentities() == 1);
        // What once killed an I/O thread per line: no "from" or "to" key, and a signature to check.
        final String attack = renamed(AuroraSigner.generate(null).seal("x", null))
                .replaceAll("\"signature\":\"[^\"]*\"", "\"signature\":\"" + "A".repeat(86) + "==\"");
        final List<KitClient> attackers = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            attackers.add(connect(server));
        }
        awaitConnections(server, 10);
        for (KitClient attacker : attackers) {
            attacker.send(attack + "\n");
        }
        for (KitClient attacker : attackers) {
            assertEquals(rejected("bad_envelope_signature"), attacker.readLine());
        }
        final String line = renamed(alice.envelopeTo(bob, "still served"));
        alice.client().send(line + "\n");
        assertEquals(envelope(alice.client(), escaped(line)), bob.client().readLine());
        awaitStats(server, "no fault, 10 clients", stats -> stats.faults() == 0 && stats.connectionsOpen() == 10);
    }

}
