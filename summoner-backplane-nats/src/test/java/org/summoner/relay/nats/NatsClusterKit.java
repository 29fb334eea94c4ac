package org.summoner.relay.nats;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.summoner.relay.RunningServer;
import org.summoner.relay.tck.ClusterKit;
import org.summoner.relay.tck.KitClient;
import org.summoner.relay.tck.NatsServers;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The kit's cluster tests ({@link ClusterKit}) on the NATS backplane: the nodes on a three-server NATS cluster
 * (Debian {@code nats-server} processes routed to each other on 127.0.0.1), node i connected to NATS server i first;
 * and a NATS server that dies. One subclass per engine.
 */
abstract class NatsClusterKit extends ClusterKit {
    private static NatsServers nats;

    @BeforeAll
    static void startNats() throws Exception {
        nats = new NatsServers(3);
    }

    @AfterAll
    static void stopNats() throws Exception {
        if (nats != null) {
            nats.close();
        }
    }

    @Override
    protected Map<String, Object> clusterSection(int node, String tag) {
        return section(nats, node, tag);
    }

    /** Node {@code node} on {@code nats}, its own server first; {@code tag} is the subject prefix. */
    private static Map<String, Object> section(NatsServers nats, int node, String tag) {
        final List<String> servers = new ArrayList<>();
        for (int j = 0; j < nats.size(); j++) {
            servers.add(nats.url((node + j) % nats.size()));
        }
        return Map.of("backplane", "nats", "node", nodeName(node), "nats", Map.of("servers", servers, "subject_prefix", tag));
    }

    @Test
    void aNatsServerThatDiesDoesNotStopTheRelayCluster() throws Exception {
        try (NatsServers own = new NatsServers(3)) {
            final RunningServer[] nodes = startNodes(Map.of(), node -> section(own, node, "t5"));
            final KitClient a1 = connect(nodes[0]);
            final KitClient b1 = connect(nodes[1]);
            final KitClient c1 = connect(nodes[2]);
            awaitConnections(nodes[1], 1);
            own.kill(1); // node b's NATS server dies: b reconnects to another of its list
            Thread.sleep(2500); // longer than a node may be silent (2 s): if b stayed cut off, a and c would forget it
            await("every node to hear the two others again", () -> nodes[0].clusterNodes().size() == 2
                    && nodes[1].clusterNodes().size() == 2 && nodes[2].clusterNodes().size() == 2, () -> nodes[1].stats().toString());
            a1.send("after\n");
            assertEquals(envelope(a1, "after"), b1.readLine());
            assertEquals(envelope(a1, "after"), c1.readLine());
            b1.send("from b\n");
            assertEquals(envelope(b1, "from b"), a1.readLine());
            assertEquals(envelope(b1, "from b"), c1.readLine());
        }
    }

    @Test
    void aNodeWhoseNatsIsOutOfReachAtStartServesItsOwnClientsAndJoinsWhenNatsComesUp() throws Exception {
        try (NatsServers later = new NatsServers(1, false)) {
            final RunningServer a = startNode(Map.of(), section(later, 0, "t6"));
            final RunningServer b = startNode(Map.of(), section(later, 1, "t6"));
            final KitClient a1 = connect(a);
            final KitClient a2 = connect(a);
            final KitClient b1 = connect(b);
            awaitConnections(a, 2);
            awaitConnections(b, 1);
            a1.send("alone\n");
            assertEquals(envelope(a1, "alone"), a2.readLine());
            b1.assertNothingWithin(Duration.ofMillis(200));
            awaitStats(a, "the line for other nodes counted as not sent", s -> s.clusterLinesNotSent() == 1);

            later.start(0);
            awaitNodes(a, 1);
            awaitNodes(b, 1);
            a1.send("together\n");
            assertEquals(envelope(a1, "together"), a2.readLine());
            assertEquals(envelope(a1, "together"), b1.readLine());
            b1.send("back\n");
            assertEquals(envelope(b1, "back"), a1.readLine());
            assertEquals(envelope(b1, "back"), a2.readLine());
        }
    }
}
