package org.summoner.relay.tck;

import org.junit.jupiter.api.Test;
import org.summoner.relay.RunningServer;
import org.summoner.relay.identity.AuroraSigner;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The kit's tests of SPEC section 7, {@code routing: hosted}: hosts are the connections bound to a configured
 * identity; a participant's line reaches the hosts and no one else; a host's directive reaches the participants it
 * names, by address or fingerprint, and tells the host of each name not connected; any other host line reaches every
 * participant.
 */
public abstract class HostedSection extends IdentityHarness {
    private static final String NO_HOST = "Warning: No host is connected; the line was not relayed.";

    /** A hosted server whose one host is {@code host}. */
    private RunningServer startHosted(AuroraSigner host, Object... moreKeysAndValues) {
        final Object[] keysAndValues = new Object[moreKeysAndValues.length + 2];
        keysAndValues[0] = "hosted_relay";
        keysAndValues[1] = Map.of("host_fingerprints", List.of(host.fingerprint()));
        System.arraycopy(moreKeysAndValues, 0, keysAndValues, 2, moreKeysAndValues.length);
        return startRouting("hosted", keysAndValues);
    }

    /** The host binds with an envelope to no one: not relayed, and counted as a host. */
    private Agent host(RunningServer server, AuroraSigner identity, long hostsConnected) throws Exception {
        final Agent host = agent(server, identity);
        host.client().send(host.envelopeTo(null, Map.of("role", "host")) + "\n");
        awaitStats(server, hostsConnected + " host(s) bound", stats -> stats.hostsConnected() == hostsConnected);
        return host;
    }

    private static String directive(List<String> to, String contentJson) {
        final StringBuilder names = new StringBuilder();
        for (String name : to) {
            names.append(names.length() == 0 ? "" : ",").append('"').append(name).append('"');
        }
        return "{\"to\":[" + names + "],\"content\":" + contentJson + "}";
    }

    @Test
    void a_participants_line_reaches_only_the_hosts_and_never_another_participant() throws Exception {
        final AuroraSigner hostIdentity = AuroraSigner.generate(Map.of("name", "arena"));
        final RunningServer server = startHosted(hostIdentity);
        final KitClient alice = connect(server);
        final KitClient bob = connect(server);
        final Agent host = host(server, hostIdentity, 1);
        final Agent secondHost = host(server, hostIdentity, 2); // the same host on a second connection
        awaitConnections(server, 4);
        alice.assertNothingWithin(Duration.ofMillis(150)); // the hosts' binding lines were not relayed
        bob.assertNothingWithin(Duration.ofMillis(1));

        alice.send("answer: 42\n");
        bob.send("answer: 41\n");
        for (KitClient hostClient : List.of(host.client(), secondHost.client())) {
            final List<String> got = List.of(hostClient.readLine(), hostClient.readLine());
            assertEquals(true, got.contains(envelope(alice, "answer: 42")), got.toString());
            assertEquals(true, got.contains(envelope(bob, "answer: 41")), got.toString());
        }
        alice.assertNothingWithin(Duration.ofMillis(200));
        bob.assertNothingWithin(Duration.ofMillis(1));
        awaitStats(server, "2 lines to 2 hosts", stats -> stats.linesRelayed() == 2 && stats.deliveries() == 4);
    }

    @Test
    void without_a_host_a_participants_line_is_refused_and_counted() throws Exception {
        final AuroraSigner hostIdentity = AuroraSigner.generate(null);
        final RunningServer server = startHosted(hostIdentity);
        final KitClient alice = connect(server);
        final KitClient bob = connect(server);
        awaitConnections(server, 2);

        alice.send("anyone there?\n");
        assertEquals(NO_HOST, alice.readLine());
        bob.assertNothingWithin(Duration.ofMillis(200));

        final Agent host = host(server, hostIdentity, 1);
        alice.send("now?\n");
        assertEquals(envelope(alice, "now?"), host.client().readLine());
        host.client().close();
        awaitStats(server, "the host gone", stats -> stats.hostsConnected() == 0);
        alice.send("hello?\n");
        assertEquals(NO_HOST, alice.readLine());
        awaitStats(server, "2 lines refused for no host", stats -> stats.droppedNoHost() == 2 && stats.linesRelayed() == 1);
    }

    @Test
    void a_directive_reaches_the_participants_it_names_by_address_and_by_fingerprint_with_the_hosts_address() throws Exception {
        final AuroraSigner hostIdentity = AuroraSigner.generate(null);
        final RunningServer server = startHosted(hostIdentity);
        final Agent host = host(server, hostIdentity, 1);
        final KitClient alice = connect(server);
        final Agent bob = agent(server);
        final Agent bobAgain = agent(server, bob.identity());
        final KitClient carol = connect(server);
        awaitConnections(server, 5);
        final String bobsHello = bob.envelopeTo(null, "bob here");
        bob.client().send(bobsHello + "\n"); // binds bob, and is forwarded to the host like any line
        assertEquals(envelope(bob.client(), escaped(bobsHello)), host.client().readLine());
        bobAgain.client().send(bobAgain.envelopeTo(null, "bob again") + "\n");
        host.client().readLine();
        awaitStats(server, "bob and the host bound", stats -> stats.boundIdentities() == 2);

        host.client().send(directive(List.of(alice.address(), bob.fpName()), "\"your turn\"") + "\n");
        assertEquals(envelope(host.client(), "your turn"), alice.readLine());
        assertEquals(envelope(host.client(), "your turn"), bob.client().readLine());
        assertEquals(envelope(host.client(), "your turn"), bobAgain.client().readLine());

        host.client().send(directive(List.of(alice.address()), "{\"score\": 3, \"ok\": true, \"tags\": [\"fast\", null]}") + "\n");
        assertEquals(envelope(host.client(), escaped("{\"score\":3,\"ok\":true,\"tags\":[\"fast\",null]}")), alice.readLine(),
                "content that is not a string arrives as its compact JSON");
        carol.assertNothingWithin(Duration.ofMillis(200));
        bob.client().assertNothingWithin(Duration.ofMillis(1));
        host.client().assertNothingWithin(Duration.ofMillis(1));
    }

    @Test
    void a_directive_naming_no_connected_participant_tells_the_host_once_per_name() throws Exception {
        final AuroraSigner hostIdentity = AuroraSigner.generate(null);
        final RunningServer server = startHosted(hostIdentity);
        final Agent host = host(server, hostIdentity, 1);
        final Agent otherHost = host(server, hostIdentity, 2);
        final KitClient alice = connect(server);
        awaitConnections(server, 3);
        final String gone = "fp:" + AuroraSigner.generate(null).fingerprint();

        host.client().send(directive(List.of("127.0.0.1:1", gone, alice.address(), "127.0.0.1:1", otherHost.client().address(),
                host.fpName(), "line\\nbreak"), "\"score: 7\"") + "\n");
        assertEquals(envelope(host.client(), "score: 7"), alice.readLine());
        assertEquals("Warning: Recipient not connected: 127.0.0.1:1.", host.client().readLine());
        assertEquals("Warning: Recipient not connected: " + gone + ".", host.client().readLine());
        assertEquals("Warning: Recipient not connected: " + otherHost.client().address() + ".", host.client().readLine(),
                "a host is no participant");
        assertEquals("Warning: Recipient not connected: " + host.fpName() + ".", host.client().readLine());
        assertEquals("Warning: Recipient not connected: line\uFFFDbreak.", host.client().readLine(), "one line, whatever the name");
        host.client().assertNothingWithin(Duration.ofMillis(200));
        otherHost.client().assertNothingWithin(Duration.ofMillis(1));
        awaitStats(server, "5 names undeliverable", stats -> stats.undeliverable() == 5);
    }

    @Test
    void any_other_host_line_reaches_every_participant_even_one_that_came_late() throws Exception {
        final AuroraSigner hostIdentity = AuroraSigner.generate(null);
        final RunningServer server = startHosted(hostIdentity);
        final Agent host = host(server, hostIdentity, 1);
        final Agent otherHost = host(server, hostIdentity, 2);
        final KitClient alice = connect(server);
        awaitConnections(server, 3);
        host.client().send("round 1 begins\n");
        assertEquals(envelope(host.client(), "round 1 begins"), alice.readLine());

        final KitClient late = connect(server);
        awaitConnections(server, 4);
        final List<String> notDirectives = List.of(
                "{\"to\":[],\"content\":\"nobody\"}",
                "{\"to\":[\"" + alice.address() + "\"],\"content\":\"x\",\"round\":2}",
                "{\"to\":\"" + alice.address() + "\",\"content\":\"x\"}",
                "{\"to\":[1],\"content\":\"x\"}",
                "{\"to\":[\"" + alice.address() + "\"]}",
                "[\"to\",\"content\"]");
        for (String line : notDirectives) {
            host.client().send(line + "\n");
            assertEquals(envelope(host.client(), escaped(line)), alice.readLine());
            assertEquals(envelope(host.client(), escaped(line)), late.readLine());
        }
        otherHost.client().assertNothingWithin(Duration.ofMillis(200)); // a host's line goes to participants only
    }

    @Test
    void a_forged_host_envelope_is_rejected_and_makes_no_host() throws Exception {
        final AuroraSigner hostIdentity = AuroraSigner.generate(null);
        final RunningServer server = startHosted(hostIdentity, "dedicated_relay", Map.of("invalid_attempts", Map.of("enabled", false)));
        final Agent impostor = agent(server, hostIdentity);
        final KitClient alice = connect(server);
        awaitConnections(server, 2);
        final String forged = impostor.envelopeTo(null, "I am the host").replace("I am the host", "I am the boss");
        impostor.client().send(forged + "\n");
        assertEquals(rejected("bad_envelope_signature"), impostor.client().readLine());
        impostor.client().send(directive(List.of(alice.address()), "\"obey\"") + "\n");
        assertEquals(NO_HOST, impostor.client().readLine(), "still a participant, and no host is connected");
        alice.assertNothingWithin(Duration.ofMillis(200));
        awaitStats(server, "no host, one rejection", stats -> stats.hostsConnected() == 0 && stats.linesRejected() == 1);
    }

    @Test
    void a_participant_cannot_bind_a_second_identity_or_an_identity_peer_trust_does_not_allow() throws Exception {
        final AuroraSigner hostIdentity = AuroraSigner.generate(null);
        final AuroraSigner aliceIdentity = AuroraSigner.generate(null);
        final AuroraSigner bobIdentity = AuroraSigner.generate(null);
        final RunningServer server = startHosted(hostIdentity, "peer_trust",
                Map.of("allowed_fingerprints", List.of(hostIdentity.fingerprint(), aliceIdentity.fingerprint(), bobIdentity.fingerprint())),
                "dedicated_relay", Map.of("invalid_attempts", Map.of("enabled", false)));
        final Agent host = host(server, hostIdentity, 1);
        final Agent alice = agent(server, aliceIdentity);
        final Agent stranger = agent(server);
        awaitConnections(server, 3);
        final String hello = alice.envelopeTo(null, "hi");
        alice.client().send(hello + "\n");
        assertEquals(envelope(alice.client(), escaped(hello)), host.client().readLine());

        alice.client().send(new Agent(alice.client(), bobIdentity).envelopeTo(null, "I am bob now") + "\n");
        assertEquals(rejected("identity_mismatch"), alice.client().readLine());
        stranger.client().send(stranger.envelopeTo(null, "let me in") + "\n");
        assertEquals(rejected("sender_not_allowed"), stranger.client().readLine());
        host.client().assertNothingWithin(Duration.ofMillis(200));
        awaitStats(server, "the host and alice bound", stats -> stats.boundIdentities() == 2);
    }
}
