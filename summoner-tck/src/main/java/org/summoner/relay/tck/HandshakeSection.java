package org.summoner.relay.tck;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.summoner.relay.RunningServer;
import org.summoner.relay.identity.AuroraSigner;
import org.summoner.relay.wire.Rejection;

import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The kit's tests of SPEC section 9, {@code handshake}: with {@code required}, in every routing mode, nothing a client
 * sends is relayed before its connection is bound (and, ours, nothing relayed reaches it before); with
 * {@code challenge} its first line is a fresh nonce its binding envelope must carry, so an answer captured on one
 * connection fails on another; a client not bound in time is told and closed.
 */
public abstract class HandshakeSection extends IdentityHarness {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String REQUIRED = "Warning: Handshake required; the line was not relayed.";

    private RunningServer startHandshake(String routing, Map<String, ?> handshake, Object... moreKeysAndValues) {
        final Object[] keysAndValues = new Object[moreKeysAndValues.length + 4];
        keysAndValues[0] = "handshake";
        keysAndValues[1] = handshake;
        keysAndValues[2] = "dedicated_relay";
        keysAndValues[3] = Map.of("invalid_attempts", Map.of("enabled", false));
        System.arraycopy(moreKeysAndValues, 0, keysAndValues, 4, moreKeysAndValues.length);
        return startRouting(routing, keysAndValues);
    }

    /** Reads the challenge, the server's first line, and checks its form. @return the nonce. */
    private static String challenge(KitClient client) throws Exception {
        final String line = client.readLine();
        assertTrue(line.matches("\\{\"handshake\":\"challenge\",\"nonce\":\"[A-Za-z0-9_-]{43}\"}"), line);
        final String nonce = JSON.readTree(line).get("nonce").textValue();
        assertEquals(32, Base64.getUrlDecoder().decode(nonce).length);
        return nonce;
    }

    private static String answer(Agent agent, String nonce) {
        return agent.envelopeTo(null, Map.of("challenge", nonce, "agent", "kit"));
    }

    @Test
    void each_connection_is_challenged_first_with_its_own_nonce_and_nothing_is_relayed_before_it_answers() throws Exception {
        final RunningServer server = startHandshake("broadcast", Map.of("required", true));
        final Agent alice = agent(server);
        final Agent bob = agent(server);
        final String aliceNonce = challenge(alice.client());
        final String bobNonce = challenge(bob.client());
        assertNotEquals(aliceNonce, bobNonce);

        alice.client().send("hello before the handshake\n");
        assertEquals(REQUIRED, alice.client().readLine());
        alice.client().send(answer(alice, aliceNonce) + "\n");
        awaitStats(server, "alice bound", stats -> stats.handshakesCompleted() == 1);
        alice.client().send("hello, bob is not bound yet\n");
        bob.client().assertNothingWithin(Duration.ofMillis(200)); // the answer was not relayed, nor a line to an unbound client

        bob.client().send(answer(bob, bobNonce) + "\n");
        awaitStats(server, "bob bound", stats -> stats.handshakesCompleted() == 2);
        alice.client().send("hello bob\n");
        assertEquals(envelope(alice.client(), "hello bob"), bob.client().readLine());
        bob.client().send("hi alice\n");
        assertEquals(envelope(bob.client(), "hi alice"), alice.client().readLine());
        awaitStats(server, "one refused, two relayed", stats -> stats.droppedHandshakeRequired() == 1 && stats.linesRelayed() == 3);
    }

    @Test
    void an_answer_replayed_on_another_connection_or_without_the_nonce_is_rejected() throws Exception {
        final RunningServer server = startHandshake("broadcast", Map.of("required", true));
        final Agent alice = agent(server);
        final Agent thief = agent(server, alice.identity()); // the same identity, even: only the nonce differs
        final KitClient watcher = connect(server);
        final String aliceNonce = challenge(alice.client());
        final String thiefNonce = challenge(thief.client());
        challenge(watcher);

        final String captured = answer(alice, aliceNonce);
        thief.client().send(captured + "\n");
        assertEquals(rejected("challenge_mismatch"), thief.client().readLine());
        for (Object payload : List.of(Map.of("agent", "kit"), List.of(thiefNonce), thiefNonce, Map.of("challenge", thiefNonce + "x"))) {
            thief.client().send(thief.envelopeTo(null, payload) + "\n");
            assertEquals(rejected("challenge_mismatch"), thief.client().readLine(), payload.toString());
        }
        final String forged = answer(thief, thiefNonce).replace("\"agent\":\"kit\"", "\"agent\":\"kid\"");
        thief.client().send(forged + "\n");
        assertEquals(rejected("bad_envelope_signature"), thief.client().readLine());
        thief.client().send("{\"not\":\"signed\"}\n");
        assertEquals(REQUIRED, thief.client().readLine());

        alice.client().send(captured + "\n");
        thief.client().send(answer(thief, thiefNonce) + "\n");
        awaitStats(server, "both bound now", stats -> stats.handshakesCompleted() == 2 && stats.rejected(Rejection.CHALLENGE_MISMATCH) == 5);
        watcher.assertNothingWithin(Duration.ofMillis(200));
    }

    @Test
    void a_client_not_bound_in_time_is_told_and_closed_at_the_deadline() throws Exception {
        final RunningServer server = startHandshake("broadcast", Map.of("required", true, "timeout_secs", 1));
        final Agent late = agent(server);
        final long connected = System.nanoTime();
        final Agent prompt = agent(server);
        challenge(late.client());
        prompt.client().send(answer(prompt, challenge(prompt.client())) + "\n");
        late.client().send("a line is no handshake\n");
        assertEquals(REQUIRED, late.client().readLine());

        assertEquals("Warning: Handshake not completed within 1 seconds; disconnecting.", late.client().readLine());
        final long elapsedMillis = (System.nanoTime() - connected) / 1_000_000;
        late.client().assertEndOfStream();
        assertTrue(elapsedMillis >= 950 && elapsedMillis < 2_500, "closed after " + elapsedMillis + " ms, not about 1000");
        prompt.client().assertNothingWithin(Duration.ofMillis(600)); // past its own deadline: bound, so still open
        awaitStats(server, "one timeout, one handshake", stats -> stats.handshakeTimeouts() == 1 && stats.handshakesCompleted() == 1
                && stats.connectionsOpen() == 1);
    }

    @Test
    void without_challenge_any_valid_envelope_of_an_allowed_identity_binds_and_others_are_refused() throws Exception {
        final AuroraSigner alice = AuroraSigner.generate(null);
        final RunningServer server = startHandshake("broadcast", Map.of("required", true, "challenge", false),
                "peer_trust", Map.of("allowed_fingerprints", List.of(alice.fingerprint())));
        final Agent allowed = agent(server, alice);
        final Agent stranger = agent(server);
        awaitConnections(server, 2);
        stranger.client().send(stranger.envelopeTo(null, "hi") + "\n");
        assertEquals(rejected("sender_not_allowed"), stranger.client().readLine(), "its first line is this answer: no challenge was sent");
        allowed.client().send(allowed.envelopeTo(null, "hi") + "\n");
        awaitStats(server, "alice bound", stats -> stats.handshakesCompleted() == 1);
        allowed.client().send("hello\n");
        stranger.client().assertNothingWithin(Duration.ofMillis(200));
        allowed.client().assertNothingWithin(Duration.ofMillis(1));
    }

    @Test
    void the_handshake_binds_a_host_in_hosted_mode_and_a_sender_in_dedicated_mode() throws Exception {
        final AuroraSigner hostIdentity = AuroraSigner.generate(null);
        final RunningServer hosted = startHandshake("hosted", Map.of("required", true),
                "hosted_relay", Map.of("host_fingerprints", List.of(hostIdentity.fingerprint())));
        final Agent host = agent(hosted, hostIdentity);
        final Agent player = agent(hosted);
        host.client().send(answer(host, challenge(host.client())) + "\n");
        player.client().send(answer(player, challenge(player.client())) + "\n");
        awaitStats(hosted, "a host and a player bound", stats -> stats.hostsConnected() == 1 && stats.handshakesCompleted() == 2);
        player.client().send("ready\n");
        assertEquals(envelope(player.client(), "ready"), host.client().readLine(), "the player's answer was not relayed");

        final RunningServer dedicated = startHandshake("dedicated", Map.of("required", true));
        final Agent alice = agent(dedicated);
        final Agent bob = agent(dedicated);
        final String aliceNonce = challenge(alice.client());
        bob.client().send(answer(bob, challenge(bob.client())) + "\n");
        awaitStats(dedicated, "bob bound", stats -> stats.handshakesCompleted() == 1);
        alice.client().send(alice.envelopeTo(bob, "before my handshake") + "\n");
        assertEquals(rejected("challenge_mismatch"), alice.client().readLine(), "a directed envelope is no answer");
        alice.client().send(answer(alice, aliceNonce) + "\n");
        awaitStats(dedicated, "alice bound", stats -> stats.handshakesCompleted() == 2);
        final String line = alice.envelopeTo(bob, "after it");
        alice.client().send(line + "\n");
        assertEquals(envelope(alice.client(), escaped(line)), bob.client().readLine());
    }
}
