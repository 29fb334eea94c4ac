package org.summoner.relay.nats;

import org.junit.jupiter.api.Test;
import org.summoner.relay.RunningServer;
import org.summoner.relay.SummonerServer;
import org.summoner.relay.tck.KitClient;
import org.summoner.relay.tck.KitHarness;
import org.summoner.relay.tck.NatsServers;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Nodes on a NATS server that asks clients to authenticate ({@code nats-server --user/--pass}, {@code --auth}): with
 * the right {@code cluster.nats} credentials they relay to each other; with wrong ones a node is kept off the bus,
 * serves its own clients, and hears no one. The NATS connection's options are the backplane's, the same for every
 * engine: nio stands for them.
 */
class NatsAuthenticationTest extends KitHarness {
    @Override
    protected String engineName() {
        return "nio";
    }

    private RunningServer node(NatsServers nats, String name, Map<String, Object> auth) {
        final Map<String, Object> section = new HashMap<>(Map.of("servers", List.of(nats.url(0)), "subject_prefix", "auth"));
        section.putAll(auth);
        final Map<String, Object> config = config(Map.of());
        config.put("cluster", Map.of("backplane", "nats", "node", name, "nats", section));
        return track(new SummonerServer("auth-test").start("127.0.0.1", 0, config));
    }

    private void relaysAndRefuses(NatsServers nats, Map<String, Object> right, Map<String, Object> wrong) throws Exception {
        final RunningServer a = node(nats, "node-a", right);
        final RunningServer b = node(nats, "node-b", right);
        final RunningServer intruder = node(nats, "node-x", wrong);
        await("a and b to hear each other", () -> a.clusterNodes().equals(Set.of("node-b"))
                && b.clusterNodes().equals(Set.of("node-a")), () -> a.clusterNodes() + " " + b.clusterNodes());
        final KitClient a1 = connect(a);
        final KitClient b1 = connect(b);
        final KitClient x1 = connect(intruder);
        final KitClient x2 = connect(intruder);
        awaitConnections(a, 1);
        awaitConnections(b, 1);
        awaitConnections(intruder, 2);
        a1.send("over nats\n");
        assertEquals(envelope(a1, "over nats"), b1.readLine());
        x1.send("alone\n");
        assertEquals(envelope(x1, "alone"), x2.readLine(), "kept off the bus, it serves its own clients");
        b1.assertNothingWithin(Duration.ofMillis(300));
        assertTrue(intruder.clusterNodes().isEmpty(), "it hears no one");
        assertTrue(a.clusterNodes().equals(Set.of("node-b")), "no one hears it");
    }

    @Test
    void aUserAndPasswordLetANodeOnTheBusAndAWrongPasswordDoesNot() throws Exception {
        try (NatsServers nats = new NatsServers(1, true, "--user", "relay", "--pass", "s3cret-of-the-bus")) {
            relaysAndRefuses(nats, Map.of("user", "relay", "password", "s3cret-of-the-bus"),
                    Map.of("user", "relay", "password", "guess"));
        }
    }

    @Test
    void aTokenLetsANodeOnTheBusAndNoneDoesNot() throws Exception {
        try (NatsServers nats = new NatsServers(1, true, "--auth", "t0ken-of-the-bus")) {
            relaysAndRefuses(nats, Map.of("token", "t0ken-of-the-bus"), Map.of());
        }
    }
}
