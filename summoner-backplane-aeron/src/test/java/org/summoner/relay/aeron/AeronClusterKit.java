package org.summoner.relay.aeron;

import org.junit.jupiter.api.Test;
import org.summoner.relay.RunningServer;
import org.summoner.relay.tck.ClusterKit;
import org.summoner.relay.tck.FreePorts;
import org.summoner.relay.tck.KitClient;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The kit's cluster tests ({@link ClusterKit}) on the Aeron backplane: each node an embedded media driver and a UDP
 * endpoint on 127.0.0.1, the two others its peers; and a node that stops and comes back on its endpoint. Run on the
 * default engine ({@link NioAeronClusterTest}): what an engine does with a cluster's lines
 * ({@code RelayEngine.relayFromCluster}) does not depend on the backplane, and the NATS backplane's tests run the same
 * kit on every engine.
 */
abstract class AeronClusterKit extends ClusterKit {
    /** Each test's cluster has its own three free UDP ports. */
    private final Map<String, int[]> ports = new HashMap<>();

    @Override
    protected Map<String, Object> clusterSection(int node, String tag) {
        final int[] endpoints = ports.computeIfAbsent(tag, t -> new int[]{FreePorts.udp(), FreePorts.udp(), FreePorts.udp()});
        final List<String> peers = new ArrayList<>();
        for (int j = 0; j < endpoints.length; j++) {
            if (j != node) {
                peers.add("127.0.0.1:" + endpoints[j]);
            }
        }
        return Map.of("backplane", "aeron", "node", nodeName(node),
                "aeron", Map.of("endpoint", "127.0.0.1:" + endpoints[node], "peers", peers));
    }

    @Test
    void aNodeThatStopsTakesOnlyItsClientsAndComesBackOnItsEndpoint() throws Exception {
        final RunningServer[] nodes = startNodes("t5", Map.of());
        final KitClient a1 = connect(nodes[0]);
        final KitClient c1 = connect(nodes[2]);
        final KitClient b1 = connect(nodes[1]);
        awaitConnections(nodes[1], 1);
        nodes[1].close();
        awaitNodes(nodes[0], 1);
        awaitNodes(nodes[2], 1);
        a1.send("without b\n");
        assertEquals(envelope(a1, "without b"), c1.readLine());
        b1.countLinesUntilEnd(); // its own clients went with it (a notice, then the end)

        final RunningServer b = startNode(Map.of(), clusterSection(1, "t5"));
        for (RunningServer node : new RunningServer[]{nodes[0], b, nodes[2]}) {
            awaitNodes(node, 2);
        }
        final KitClient b2 = connect(b);
        awaitConnections(b, 1);
        a1.send("with b again\n");
        assertEquals(envelope(a1, "with b again"), c1.readLine());
        assertEquals(envelope(a1, "with b again"), b2.readLine());
        b2.send("from the new b\n");
        assertEquals(envelope(b2, "from the new b"), a1.readLine());
        assertEquals(envelope(b2, "from the new b"), c1.readLine());
    }
}
