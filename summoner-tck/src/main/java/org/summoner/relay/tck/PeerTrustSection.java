package org.summoner.relay.tck;

import org.junit.jupiter.api.Test;
import org.summoner.relay.RunningServer;
import org.summoner.relay.identity.AuroraSigner;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The kit's tests of SPEC section 9, {@code peer_trust}: {@code allow_networks} and {@code deny_networks} are checked
 * at accept, before anything is read, in the acceptor every engine shares (an address refused is told in one line and
 * closed, and nothing it sends is relayed, nothing relayed reaches it); {@code allowed_fingerprints} decides who may
 * bind at all, in every mode. Clients connect from other loopback addresses (127.0.0.2, ...) to be another network.
 */
public abstract class PeerTrustSection extends IdentityHarness {
    private static final String NOT_ALLOWED = "Warning: Your address is not allowed on this server; disconnecting.";

    private KitClient connectFrom(RunningServer server, String localAddress) throws Exception {
        return connect(server.address(), 0, InetAddress.getByName(localAddress));
    }

    @Test
    void a_denied_address_is_told_and_closed_and_nothing_it_sends_is_relayed() throws Exception {
        final RunningServer server = startServer(Map.of("peer_trust", Map.of("deny_networks", List.of("127.0.0.2/32", "10.0.0.0/8"))));
        final KitClient alice = connect(server);
        final KitClient bob = connectFrom(server, "127.0.0.3");
        awaitConnections(server, 2);

        final KitClient denied = connectFrom(server, "127.0.0.2");
        denied.send("let me in\n");
        alice.send("members only\n");
        assertEquals(envelope(alice, "members only"), bob.readLine());
        assertEquals(NOT_ALLOWED, denied.readLine());
        denied.assertEndOfStream();
        alice.assertNothingWithin(Duration.ofMillis(200));
        bob.assertNothingWithin(Duration.ofMillis(1));
        awaitStats(server, "one refusal, never opened", stats -> stats.rejectedNotAllowed() == 1 && stats.connectionsOpened() == 2
                && stats.linesReceived() == 1);
    }

    @Test
    void allow_networks_admit_only_their_addresses_and_deny_networks_win_over_them() throws Exception {
        final RunningServer server = startServer(Map.of("peer_trust", Map.of(
                "allow_networks", List.of("127.0.0.1/32", "127.0.1.0/24"), "deny_networks", List.of("127.0.1.66"))));
        final KitClient alice = connect(server);
        final KitClient bob = connectFrom(server, "127.0.1.7");
        awaitConnections(server, 2);
        for (String outside : List.of("127.0.0.2", "127.0.1.66")) {
            final KitClient refused = connectFrom(server, outside);
            assertEquals(NOT_ALLOWED, refused.readLine(), outside);
            refused.assertEndOfStream();
        }
        bob.send("still here\n");
        assertEquals(envelope(bob, "still here"), alice.readLine());
        awaitStats(server, "two refusals", stats -> stats.rejectedNotAllowed() == 2 && stats.connectionsOpen() == 2);
    }

    @Test
    void an_ipv6_client_is_checked_against_ipv6_networks() throws Exception {
        assumeTrue(ipv6LoopbackWorks(), "no IPv6 loopback here");
        final RunningServer ipv4Only = startServer("::1", Map.of("peer_trust", Map.of("allow_networks", List.of("127.0.0.0/8"))));
        final KitClient refused = connect(ipv4Only);
        assertEquals(NOT_ALLOWED, refused.readLine());
        refused.assertEndOfStream();

        final RunningServer ipv6 = startServer("::1", Map.of("peer_trust", Map.of("allow_networks", List.of("::1/128"))));
        final KitClient a = connect(ipv6);
        final KitClient b = connect(ipv6);
        awaitConnections(ipv6, 2);
        a.send("over ipv6\n");
        assertEquals(envelope(a, "over ipv6"), b.readLine());
    }

    @Test
    void allowed_fingerprints_decide_who_may_bind_in_every_mode() throws Exception {
        final AuroraSigner alice = AuroraSigner.generate(null);
        final Map<String, Object> trust = Map.of("allowed_fingerprints", List.of(alice.fingerprint()));
        final Map<String, Object> noInvalidAttempts = Map.of("invalid_attempts", Map.of("enabled", false));
        for (String routing : List.of("dedicated", "hybrid")) {
            final RunningServer server = startRouting(routing, "peer_trust", trust, "dedicated_relay", noInvalidAttempts);
            final Agent allowed = agent(server, alice);
            final Agent stranger = agent(server);
            awaitConnections(server, 2);
            bind(server, 1, allowed);
            stranger.client().send(stranger.envelopeTo(allowed, "hello") + "\n");
            assertEquals(rejected("sender_not_allowed"), stranger.client().readLine(), routing);
            allowed.client().assertNothingWithin(Duration.ofMillis(150));
            awaitStats(server, routing + ": only alice bound", stats -> stats.boundIdentities() == 1);
        }
    }
}
