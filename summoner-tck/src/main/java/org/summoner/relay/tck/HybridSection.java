package org.summoner.relay.tck;

import org.junit.jupiter.api.Test;
import org.summoner.relay.RunningServer;
import org.summoner.relay.identity.AuroraSigner;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The kit's tests of SPEC section 7, {@code routing: hybrid}, as a small online game plays it: players chat in
 * broadcast, trade privately in signed envelopes, and a host sends events. A line that claims a signature is handled
 * as in {@code dedicated}, and never broadcast when it fails; a bound host's directive as in {@code hosted}; every
 * other line is broadcast, hosts included, so plain clients work unchanged.
 */
public abstract class HybridSection extends IdentityHarness {
    private RunningServer startHybrid(Object... moreKeysAndValues) {
        return startRouting("hybrid", moreKeysAndValues);
    }

    @Test
    void plain_broadcast_clients_work_unchanged() throws Exception {
        final RunningServer server = startHybrid();
        final KitClient a = connect(server);
        final KitClient b = connect(server);
        final KitClient c = connect(server);
        awaitConnections(server, 3);
        final List<String> lines = List.of("hello world", "{\"type\":\"chat\",\"text\":\"hi\"}", "  {not json", "[1,2]", "{\"to\":[\"x\"],\"content\":1}");
        for (String line : lines) {
            a.send(line + "\n");
            assertEquals(envelope(a, escaped(line)), b.readLine());
            assertEquals(envelope(a, escaped(line)), c.readLine());
        }
        a.assertNothingWithin(Duration.ofMillis(200));
        awaitStats(server, "every line relayed to both others", stats -> stats.linesRelayed() == lines.size()
                && stats.deliveries() == 2L * lines.size() && stats.linesRejected() == 0);
    }

    @Test
    void a_broadcast_client_sees_the_players_chat_and_never_a_private_trade() throws Exception {
        final RunningServer server = startHybrid();
        final Agent alice = agent(server);
        final Agent bob = agent(server);
        final KitClient carol = connect(server); // a plain client
        awaitConnections(server, 3);
        bind(server, 2, alice, bob);

        alice.client().send("anyone selling potions?\n");
        assertEquals(envelope(alice.client(), "anyone selling potions?"), bob.client().readLine());
        assertEquals(envelope(alice.client(), "anyone selling potions?"), carol.readLine());

        final String trade = alice.envelopeTo(bob, Map.of("offer", "3 potions", "price", 12));
        alice.client().send(trade + "\n");
        assertEquals(envelope(alice.client(), escaped(trade)), bob.client().readLine());
        bob.client().send("deal\n");
        assertEquals(envelope(bob.client(), "deal"), carol.readLine(), "carol's next line is bob's chat: the trade never reached her");
        assertEquals(envelope(bob.client(), "deal"), alice.client().readLine());
        carol.assertNothingWithin(Duration.ofMillis(200));
    }

    @Test
    void a_line_that_claims_a_signature_and_fails_is_rejected_never_broadcast() throws Exception {
        final RunningServer server = startHybrid("dedicated_relay", Map.of("invalid_attempts", Map.of("enabled", false)));
        final Agent alice = agent(server);
        final Agent bob = agent(server);
        final KitClient carol = connect(server);
        awaitConnections(server, 3);
        bind(server, 2, alice, bob);

        final String forged = alice.envelopeTo(bob, Map.of("gold", 10)).replace("\"gold\":10", "\"gold\":10000");
        alice.client().send(forged + "\n");
        assertEquals(rejected("bad_envelope_signature"), alice.client().readLine());
        alice.client().send("{\"from\":\"alice\",\"text\":\"hi\"}\n");
        assertEquals(rejected("missing_field"), alice.client().readLine(), "it holds the sender-identity path: it claims a signature");
        final String asBob = bob.envelopeTo(alice, "from bob");
        alice.client().send(asBob + "\n");
        assertEquals(rejected("identity_mismatch"), alice.client().readLine(), "bound to alice, it cannot speak for bob");
        carol.assertNothingWithin(Duration.ofMillis(200));
        bob.client().assertNothingWithin(Duration.ofMillis(1));
        awaitStats(server, "3 rejected, nothing relayed", stats -> stats.linesRejected() == 3 && stats.deliveries() == 0);
    }

    @Test
    void a_bound_hosts_directive_reaches_the_named_players_and_its_other_lines_are_broadcast() throws Exception {
        final AuroraSigner gameMaster = AuroraSigner.generate(Map.of("name", "game master"));
        final RunningServer server = startHybrid("hosted_relay", Map.of("host_fingerprints", List.of(gameMaster.fingerprint())));
        final Agent host = agent(server, gameMaster);
        final Agent alice = agent(server);
        final KitClient carol = connect(server);
        final KitClient dave = connect(server);
        awaitConnections(server, 4);
        bind(server, 2, host, alice);
        awaitStats(server, "the game master is a host", stats -> stats.hostsConnected() == 1);

        host.client().send("{\"to\":[\"" + carol.address() + "\",\"" + alice.fpName() + "\"],\"content\":\"a dragon appears\"}\n");
        assertEquals(envelope(host.client(), "a dragon appears"), carol.readLine());
        assertEquals(envelope(host.client(), "a dragon appears"), alice.client().readLine());
        host.client().send("the server restarts at noon\n");
        assertEquals(envelope(host.client(), "the server restarts at noon"), dave.readLine(), "dave's first line: the directive skipped him");
        assertEquals(envelope(host.client(), "the server restarts at noon"), carol.readLine());
        assertEquals(envelope(host.client(), "the server restarts at noon"), alice.client().readLine());

        final String directiveShaped = "{\"to\":[\"" + dave.address() + "\"],\"content\":\"I am no host\"}";
        carol.send(directiveShaped + "\n");
        assertEquals(envelope(carol, escaped(directiveShaped)), host.client().readLine(), "a player's line reaches hosts too");
        assertEquals(envelope(carol, escaped(directiveShaped)), dave.readLine(), "a non-host's directive is just a line");
        assertEquals(envelope(carol, escaped(directiveShaped)), alice.client().readLine());
    }
}
