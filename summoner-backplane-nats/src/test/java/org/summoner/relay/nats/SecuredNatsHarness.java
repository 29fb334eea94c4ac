package org.summoner.relay.nats;

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
 * Nodes on a NATS server that asks something of its clients (credentials, TLS): the ones it lets in relay to each
 * other; one it refuses is kept off the bus, serves its own clients, counts its lines for others as not sent, and
 * hears no one. The NATS connection's options are the backplane's, the same for every engine: nio stands for them.
 */
abstract class SecuredNatsHarness extends KitHarness {
    @Override
    protected String engineName() {
        return "nio";
    }

    /** A node on server 0 of {@code nats}; {@code nats} keys of {@code settings} ("servers" among them) win. */
    protected RunningServer node(NatsServers nats, String name, Map<String, Object> settings) {
        final Map<String, Object> section = new HashMap<>(Map.of("servers", List.of(nats.url(0))));
        section.putAll(settings);
        return node(name, section);
    }

    /** A node with these {@code cluster.nats} settings, "servers" among them. */
    protected RunningServer node(String name, Map<String, Object> settings) {
        final Map<String, Object> section = new HashMap<>(Map.of("subject_prefix", "auth"));
        section.putAll(settings);
        final Map<String, Object> config = config(Map.of());
        config.put("cluster", Map.of("backplane", "nats", "node", name, "nats", section));
        return track(new SummonerServer("auth-test").start("127.0.0.1", 0, config));
    }

    /** Nodes a and b with {@code right} relay a line; node x with {@code wrong} does not. @return node x. */
    protected RunningServer relaysAndRefuses(NatsServers nats, Map<String, Object> right, Map<String, Object> wrong) throws Exception {
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
        assertEquals(Set.of("node-b"), a.clusterNodes(), "no one hears it");
        awaitStats(intruder, "its line for other nodes counted as not sent", s -> s.clusterLinesNotSent() == 1);
        return intruder;
    }
}
