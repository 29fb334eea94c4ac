package org.summoner.relay.nats;

import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Nats;
import io.nats.client.Options;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.summoner.relay.RunningServer;
import org.summoner.relay.counters.RelayCounters.FrameRejection;
import org.summoner.relay.tck.ClusterKit;
import org.summoner.relay.tck.KitClient;
import org.summoner.relay.tck.NatsServers;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

    /**
     * With {@code cluster.secret_file}, a client of the NATS bus that is no node can inject nothing: a frame without a
     * MAC, one sealed with another secret, and a genuine frame it captured and publishes again are each refused,
     * counted by reason and delivered to no client; the nodes go on relaying to each other.
     */
    @Test
    void framesForgedOrReplayedOnTheBusAreRefusedWithASecret() throws Exception {
        final Path secret = secretFile();
        final RunningServer[] nodes = new RunningServer[2];
        for (int i = 0; i < 2; i++) {
            final Map<String, Object> section = new HashMap<>(section(nats, i, "t7"));
            section.put("secret_file", secret.toString());
            nodes[i] = startNode(Map.of(), section);
        }
        awaitNodes(nodes[0], 1);
        awaitNodes(nodes[1], 1);
        final KitClient a1 = connect(nodes[0]);
        final KitClient b1 = connect(nodes[1]);
        awaitConnections(nodes[0], 1);
        awaitConnections(nodes[1], 1);
        final BlockingQueue<byte[]> captured = new LinkedBlockingQueue<>();
        final Connection bus = Nats.connect(new Options.Builder().server(nats.url(0)).build());
        try {
            final Dispatcher spy = bus.createDispatcher(message -> captured.add(message.getData()));
            spy.subscribe("t7.all");
            bus.flush(Duration.ofSeconds(5));
            // the spy's interest reaches the NATS server node a is on (another of the cluster, maybe) when a's
            // presence (every 500 ms) reaches the spy: only then is a's line sure to reach it too
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            byte[] frame;
            do {
                frame = captured.poll(1, TimeUnit.SECONDS);
                assertTrue(System.nanoTime() < deadline, "the spy heard node a's presence on the bus");
            } while (frame == null || frame[2] != 2 || frame[4] != 'n' || frame[3] != 6 || frame[9] != 'a');
            a1.send("genuine\n");
            assertEquals(envelope(a1, "genuine"), b1.readLine());
            byte[] genuine;
            do {
                genuine = captured.poll(5, TimeUnit.SECONDS);
                assertNotNull(genuine, "the spy saw node a's line on the bus");
                assertTrue(System.nanoTime() < deadline, "the spy saw node a's line on the bus");
            } while (genuine[2] != 1); // a LINE frame, not a presence

            final byte[] envelope = (envelope("10.9.9.9:1", "forged") + "\n").getBytes(StandardCharsets.UTF_8);
            bus.publish("t7.all", lineFrame(false, envelope)); // as a node without a secret sends
            final byte[] sealed = lineFrame(true, envelope);
            final byte[] withMac = Arrays.copyOf(sealed, sealed.length + 32);
            final Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(new SecureRandom().generateSeed(32), "HmacSHA256")); // not the cluster's secret
            mac.update(sealed);
            mac.doFinal(withMac, sealed.length);
            bus.publish("t7.all", withMac);
            bus.publish("t7.all", genuine); // node a's own frame, sent again
            bus.flush(Duration.ofSeconds(5));
        } finally {
            bus.close();
        }
        for (RunningServer node : nodes) { // node a hears its own frame sent again too: a copy, not a twin of the same name
            awaitStats(node, "the node to refuse the three frames", s -> s.clusterFramesRejected(FrameRejection.UNAUTHENTICATED) == 1
                    && s.clusterFramesRejected(FrameRejection.BAD_MAC) == 1 && s.clusterFramesRejected(FrameRejection.REPLAYED) == 1);
        }
        a1.send("after\n");
        assertEquals(envelope(a1, "after"), b1.readLine(), "nothing forged or replayed reached b's client");
        b1.send("back\n");
        assertEquals(envelope(b1, "back"), a1.readLine(), "nor a's");
    }

    /**
     * Two nodes whose settings differ (here max_envelope_bytes: b's client could not read what a lets through) refuse
     * each other, both sides count it, and a line from a's client reaches no client of b.
     */
    @Test
    void nodesWhoseSettingsDifferRefuseEachOther() throws Exception {
        final RunningServer a = startNode(Map.of("max_envelope_bytes", 200_000), section(nats, 0, "t8"));
        final RunningServer b = startNode(Map.of(), section(nats, 1, "t8"));
        for (RunningServer node : List.of(a, b)) {
            awaitStats(node, "the node to refuse the other's presence", s -> s.clusterFramesRejected(FrameRejection.SETTINGS_DIFFER) >= 1);
            assertEquals(Set.of(), node.clusterNodes());
        }
        final KitClient a1 = connect(a);
        final KitClient b1 = connect(b);
        awaitConnections(a, 1);
        awaitConnections(b, 1);
        a1.send("from a\n");
        b1.assertNothingWithin(Duration.ofMillis(300));
        assertEquals(0, b.stats().clusterLinesReceived(), "refused before it is read as a line");
    }

    /** A secret file of 32 random bytes that only its owner may read, as an operator makes one. */
    private static Path secretFile() throws Exception {
        final Path file = Files.createTempFile("cluster", ".secret", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        file.toFile().deleteOnExit();
        Files.write(file, new SecureRandom().generateSeed(32));
        return file;
    }

    /**
     * A LINE frame of one line from "node-a" to every node, as ClusterFrames and LineBatch write one: version 3, or
     * version 4 with a stamp (incarnation, stream, sequence, now) whose MAC the caller appends.
     */
    private static byte[] lineFrame(boolean sealed, byte[] envelope) {
        final ByteBuffer frame = ByteBuffer.allocate(64 + envelope.length);
        frame.put((byte) 'S').put((byte) (sealed ? 4 : 3)).put((byte) 1);
        frame.put((byte) 6).put("node-a".getBytes(StandardCharsets.US_ASCII)).put((byte) 0);
        if (sealed) {
            frame.putLong(System.currentTimeMillis()).putInt(0).putLong(1_000_000).putLong(System.currentTimeMillis());
        }
        frame.putInt(7).putLong(0); // the sending thread's stream, its first line's number
        frame.put((byte) 1).putShort((short) 0).putInt(envelope.length).put(envelope); // one broadcast line: no route name
        return Arrays.copyOf(frame.array(), frame.position());
    }
}
