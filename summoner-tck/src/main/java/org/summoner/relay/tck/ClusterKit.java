package org.summoner.relay.tck;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.summoner.relay.RunningServer;
import org.summoner.relay.SummonerServer;
import org.summoner.relay.identity.AuroraSigner;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * SPEC section 11, the same for every backplane: three relay nodes in this JVM, each on its own port, joined by the
 * backplane under test. A backplane's test subclasses it once per engine, says how node {@code i} joins
 * ({@link #clusterSection}) and adds the failures of its own links. Every client socket and wait is bounded.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
public abstract class ClusterKit extends KitHarness {
    /**
     * @param node 0, 1 or 2: nodes {@code node-a}, {@code node-b}, {@code node-c}.
     * @param tag  a name for this test's cluster, unique in the class, so two tests' clusters never meet.
     * @return the {@code cluster} section of that node.
     */
    protected abstract Map<String, Object> clusterSection(int node, String tag);

    /** @return the node names of a three-node cluster: {@code node-a}, {@code node-b}, {@code node-c}. */
    protected static String nodeName(int node) {
        return "node-" + (char) ('a' + node);
    }

    /** Three nodes of {@link #clusterSection}; waits until each hears the other two. */
    protected RunningServer[] startNodes(String tag, Map<String, ?> hyperParameters) {
        return startNodes(hyperParameters, node -> clusterSection(node, tag));
    }

    protected RunningServer[] startNodes(Map<String, ?> hyperParameters, IntFunction<Map<String, Object>> clusterSections) {
        final RunningServer[] nodes = new RunningServer[3];
        for (int i = 0; i < 3; i++) {
            nodes[i] = startNode(hyperParameters, clusterSections.apply(i));
        }
        for (RunningServer node : nodes) {
            awaitNodes(node, 2);
        }
        return nodes;
    }

    /** One node with this {@code cluster} section, without waiting for the others. */
    protected RunningServer startNode(Map<String, ?> hyperParameters, Map<String, Object> cluster) {
        final Map<String, Object> config = config(hyperParameters);
        config.put("cluster", cluster);
        return track(new SummonerServer("cluster-test").start("127.0.0.1", 0, config));
    }

    /** Waits until {@code node} hears {@code others} other nodes. */
    protected static void awaitNodes(RunningServer node, int others) {
        await("the node to hear " + others + " other nodes", () -> node.clusterNodes().size() == others,
                () -> node.clusterNodes().toString());
    }

    @Test
    void broadcastReachesEveryClientOfEveryNodeOnceInOrderWithItsSendersAddress() throws IOException {
        final RunningServer[] nodes = startNodes("t1", Map.of());
        final KitClient a1 = connect(nodes[0]);
        final KitClient a2 = connect(nodes[0]);
        final KitClient b1 = connect(nodes[1]);
        final KitClient c1 = connect(nodes[2]);
        awaitConnections(nodes[0], 2);
        awaitConnections(nodes[1], 1);
        awaitConnections(nodes[2], 1);
        for (int i = 0; i < 3; i++) {
            a1.send("line " + i + "\n");
        }
        for (KitClient receiver : List.of(a2, b1, c1)) {
            for (int i = 0; i < 3; i++) {
                assertEquals(envelope(a1, "line " + i), receiver.readLine());
            }
            receiver.assertNothingWithin(Duration.ofMillis(300));
        }
        a1.assertNothingWithin(Duration.ofMillis(100));
        awaitStats(nodes[0], "3 lines sent to the other nodes", s -> s.clusterLinesSent() == 3);
        awaitStats(nodes[1], "3 lines received", s -> s.clusterLinesReceived() == 3 && s.deliveries() == 3);
        awaitStats(nodes[2], "3 lines received", s -> s.clusterLinesReceived() == 3 && s.deliveries() == 3);
    }

    @Test
    void thousandsOfLinesFromEveryNodeAtOnceArriveWholeAndInEachSendersOrder() throws Exception {
        final RunningServer[] nodes = startNodes("t2", Map.of());
        final int perSender = 2000;
        final List<KitClient> senders = new ArrayList<>();
        final List<KitClient> receivers = new ArrayList<>();
        for (RunningServer node : nodes) {
            senders.add(connect(node));
            receivers.add(connect(node));
        }
        for (RunningServer node : nodes) {
            awaitConnections(node, 2);
        }
        // Each sender names itself in its lines: clients of different nodes may show the same remote_addr (Linux gives one
        // local port to connections to different servers), and a broadcast shows addresses as each node saw them.
        final List<Thread> threads = new ArrayList<>();
        for (int k = 0; k < senders.size(); k++) {
            final KitClient sender = senders.get(k);
            final int id = k;
            threads.add(new Thread(() -> {
                try {
                    final StringBuilder batch = new StringBuilder();
                    for (int i = 0; i < perSender; i++) {
                        batch.append("s").append(id).append(" n ").append(i).append('\n');
                    }
                    sender.send(batch.toString());
                    sender.countLinesUntilEnd(); // reads what the others send it until the test closes it
                } catch (IOException e) {
                    // closed at the end of the test; a send that failed shows as lines missing below
                }
            }));
        }
        threads.forEach(Thread::start);
        for (KitClient receiver : receivers) {
            final int[] next = new int[senders.size()];
            for (int n = 0; n < perSender * senders.size(); n++) {
                final String line = receiver.readLine();
                final String content = line.substring(line.indexOf("\",\"content\":\"") + "\",\"content\":\"".length());
                final int k = Integer.parseInt(content.substring(1, content.indexOf(' ')));
                final KitClient from = senders.get(k);
                assertEquals(envelope(from.address(), "s" + k + " n " + next[k]), line, "from sender " + k + ", " + from.address());
                next[k]++;
            }
            receiver.assertNothingWithin(Duration.ofMillis(200));
        }
        for (RunningServer node : nodes) {
            assertEquals(0, node.stats().clusterLinesNotSent());
        }
    }

    @Test
    void dedicatedLinesReachTheReceiverOnAnotherNodeOnly() throws IOException {
        final RunningServer[] nodes = startNodes("t3", Map.of("routing", "dedicated"));
        final AuroraSigner x = AuroraSigner.generate(null);
        final AuroraSigner y = AuroraSigner.generate(null);
        final KitClient onA = connect(nodes[0]);
        final KitClient onB = connect(nodes[1]);
        final KitClient bystander = connect(nodes[2]);
        onA.send(x.seal(Map.of("hello", "relay"), null) + "\n");
        onB.send(y.seal(Map.of("hello", "relay"), null) + "\n");
        awaitStats(nodes[0], "x bound", s -> s.boundIdentities() == 1);
        awaitStats(nodes[1], "y bound", s -> s.boundIdentities() == 1);
        awaitPresence();
        final String toY = x.seal(Map.of("n", 1), y.publicId());
        onA.send(toY + "\n");
        assertEquals(envelope(onA, escaped(toY)), onB.readLine());
        bystander.assertNothingWithin(Duration.ofMillis(300));
        onA.assertNothingWithin(Duration.ofMillis(100));
        awaitStats(nodes[0], "one line sent to node b only", st -> st.clusterLinesSent() == 1);
        assertEquals(0, nodes[2].stats().clusterLinesReceived());
    }

    @Test
    void hostedParticipantsOnOtherNodesReachTheHostAndItsDirectivesReachThem() throws IOException {
        final AuroraSigner host = AuroraSigner.generate(null);
        final RunningServer[] nodes = startNodes("t4", Map.of("routing", "hosted",
                "hosted_relay", Map.of("host_fingerprints", List.of(host.fingerprint()))));
        final KitClient hostClient = connect(nodes[0]);
        final KitClient participant = connect(nodes[1]);
        final KitClient other = connect(nodes[2]);
        hostClient.send(host.seal(Map.of("hello", "relay"), null) + "\n");
        awaitStats(nodes[0], "the host bound", st -> st.hostsConnected() == 1);
        awaitConnections(nodes[1], 1);
        awaitConnections(nodes[2], 1);
        awaitPresence();
        participant.send("to the host\n");
        // a host sees the address of another node's client qualified by its node, which its directives name
        assertEquals(envelope(participant.address() + "@node-b", "to the host"), hostClient.readLine());
        other.assertNothingWithin(Duration.ofMillis(200));
        final String directive = "{\"to\":[\"" + participant.address() + "@node-b\"],\"content\":\"just you\"}";
        hostClient.send(directive + "\n");
        assertEquals(envelope(hostClient, "just you"), participant.readLine());
        other.assertNothingWithin(Duration.ofMillis(300));
        // only to the nodes that hold the recipient: node c, with neither host nor participant, got no frame
        awaitStats(nodes[1], "the participant's line sent to node a only", st -> st.clusterLinesSent() == 1);
        awaitStats(nodes[0], "the directive sent to node b only", st -> st.clusterLinesSent() == 1);
        assertEquals(0, nodes[2].stats().clusterLinesReceived());
        hostClient.send("to everyone\n");
        assertEquals(envelope(hostClient, "to everyone"), participant.readLine());
        assertEquals(envelope(hostClient, "to everyone"), other.readLine());
    }

    @Test
    void aDirectiveByAddressReachesTheClientWhoseLineTheHostGotWhenTwoNodesSeeTheSameAddress() throws IOException {
        final AuroraSigner host = AuroraSigner.generate(null);
        final RunningServer[] nodes = startNodes("t5", Map.of("routing", "hybrid",
                "hosted_relay", Map.of("host_fingerprints", List.of(host.fingerprint()))));
        final KitClient hostClient = connect(nodes[0]);
        hostClient.send(host.seal(Map.of("hello", "relay"), null) + "\n");
        awaitStats(nodes[0], "the host bound", st -> st.hostsConnected() == 1);
        // two clients behind one NAT: the same ip:port, one seen by node a, the other by node b
        final SSLContext tls = overTls() ? KitTls.client() : null;
        final KitClient onA = track(KitClient.connectFrom(nodes[0].address(), new InetSocketAddress("127.0.0.1", 0), tls));
        final KitClient onB = track(KitClient.connectFrom(nodes[1].address(),
                new InetSocketAddress("127.0.0.1", Integer.parseInt(onA.address().substring(onA.address().lastIndexOf(':') + 1))), tls));
        assertEquals(onA.address(), onB.address());
        awaitConnections(nodes[0], 2);
        awaitConnections(nodes[1], 1);
        awaitPresence();
        onA.send("from a\n");
        assertEquals(envelope(onA, "from a"), hostClient.readLine());
        onB.send("from b\n");
        assertEquals(envelope(onB.address() + "@node-b", "from b"), hostClient.readLine());
        assertEquals(envelope(onA, "from a"), onB.readLine()); // hybrid: every other line is a broadcast
        assertEquals(envelope(onB, "from b"), onA.readLine()); // others see addresses as their own node saw them

        hostClient.send("{\"to\":[\"" + onB.address() + "@node-b\"],\"content\":\"to b's\"}\n");
        assertEquals(envelope(hostClient, "to b's"), onB.readLine());
        onA.assertNothingWithin(Duration.ofMillis(300));
        hostClient.send("{\"to\":[\"" + onA.address() + "\"],\"content\":\"to a's\"}\n");
        assertEquals(envelope(hostClient, "to a's"), onA.readLine());
        hostClient.send("{\"to\":[\"" + onA.address() + "@node-a\"],\"content\":\"to a's again\"}\n");
        assertEquals(envelope(hostClient, "to a's again"), onA.readLine());
        onB.assertNothingWithin(Duration.ofMillis(300));
        hostClient.send("{\"to\":[\"" + onA.address() + "@node-c\"],\"content\":\"to nobody\"}\n");
        assertEquals("Warning: Recipient not connected: " + onA.address() + "@node-c.", hostClient.readLine());

        // a signed line from b's client to the host's identity: the host sees it qualified too
        final AuroraSigner signer = AuroraSigner.generate(null);
        final String toHost = signer.seal(Map.of("n", 1), host.publicId());
        onB.send(toHost + "\n");
        assertEquals(envelope(onB.address() + "@node-b", escaped(toHost)), hostClient.readLine());
        onA.assertNothingWithin(Duration.ofMillis(100));
        onB.assertNothingWithin(Duration.ofMillis(100));
    }

    /** Presence goes out within a tick (20 ms) of a change; half a second covers it on a loaded machine. */
    protected static void awaitPresence() {
        try {
            Thread.sleep(500);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String escaped(String line) {
        return line.replace("\\", "\\\\").replace("\"", "\\\"");
    }
}
