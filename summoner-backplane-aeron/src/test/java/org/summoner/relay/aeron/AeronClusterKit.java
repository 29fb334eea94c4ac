package org.summoner.relay.aeron;

import io.aeron.Aeron;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.summoner.relay.RunningServer;
import org.summoner.relay.counters.RelayCounters.FrameRejection;
import org.summoner.relay.tck.ClusterKit;
import org.summoner.relay.tck.FreePorts;
import org.summoner.relay.tck.KitClient;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

    /**
     * With {@code cluster.secret_file}, whoever can send UDP to a node's endpoint can inject nothing: a spy that node a
     * takes for a peer (on the path, as it were) captures a's genuine frames and sends them to node b again, as they
     * are and with a byte changed; b refuses both (replayed, bad_mac), counts them, and its client gets neither.
     */
    @Test
    void framesForgedOrReplayedOnTheWireAreRefusedWithASecret() throws Exception {
        final Path secret = Files.createTempFile("cluster", ".secret", PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rw-------")));
        secret.toFile().deleteOnExit();
        Files.write(secret, new SecureRandom().generateSeed(32));
        final int a = FreePorts.udp();
        final int b = FreePorts.udp();
        final int spyPort = FreePorts.udp();
        final RunningServer nodeA = startNode(Map.of(), Map.of("backplane", "aeron", "node", "node-a", "secret_file", secret.toString(),
                "aeron", Map.of("endpoint", "127.0.0.1:" + a, "peers", List.of("127.0.0.1:" + b, "127.0.0.1:" + spyPort))));
        final RunningServer nodeB = startNode(Map.of(), Map.of("backplane", "aeron", "node", "node-b", "secret_file", secret.toString(),
                "aeron", Map.of("endpoint", "127.0.0.1:" + b, "peers", List.of("127.0.0.1:" + a))));
        awaitNodes(nodeA, 1);
        awaitNodes(nodeB, 1);
        final KitClient a1 = connect(nodeA);
        final KitClient b1 = connect(nodeB);
        awaitConnections(nodeA, 1);
        awaitConnections(nodeB, 1);
        final byte[] marker = "genuine".getBytes(StandardCharsets.US_ASCII);
        final String dir = Files.createTempDirectory("aeron-spy").toString();
        try (MediaDriver driver = MediaDriver.launch(new MediaDriver.Context().aeronDirectoryName(dir)
                .threadingMode(ThreadingMode.SHARED).dirDeleteOnStart(true).dirDeleteOnShutdown(true));
             Aeron spy = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
             Subscription wire = spy.addSubscription("aeron:udp?endpoint=127.0.0.1:" + spyPort, AeronBackplane.STREAM_ID);
             Publication toB = spy.addPublication("aeron:udp?endpoint=127.0.0.1:" + b, AeronBackplane.STREAM_ID)) {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!wire.isConnected() || !toB.isConnected()) { // node a's stream reaches the spy, the spy's reaches b
                assertTrue(System.nanoTime() < deadline, "the spy joined neither node a's stream nor b's endpoint");
                Thread.sleep(10);
            }
            a1.send("genuine\n");
            assertEquals(envelope(a1, "genuine"), b1.readLine());
            final byte[][] captured = new byte[1][];
            while (captured[0] == null && System.nanoTime() < deadline) {
                wire.poll((buffer, offset, length, header) -> {
                    final byte[] frame = new byte[length];
                    buffer.getBytes(offset, frame);
                    if (indexOf(frame, marker) >= 0) {
                        captured[0] = frame;
                    }
                }, 16);
                Thread.onSpinWait();
            }
            assertNotNull(captured[0], "the spy saw node a's line on the wire");
            final byte[] changed = captured[0].clone();
            changed[indexOf(changed, marker)] = 'G';
            for (byte[] frame : new byte[][]{captured[0], changed}) {
                final UnsafeBuffer buffer = new UnsafeBuffer(frame);
                while (toB.offer(buffer, 0, frame.length) < 0) {
                    assertTrue(System.nanoTime() < deadline, "the spy could not send to node b");
                    Thread.sleep(1);
                }
            }
            awaitStats(nodeB, "node b to refuse the two frames", s -> s.clusterFramesRejected(FrameRejection.REPLAYED) == 1
                    && s.clusterFramesRejected(FrameRejection.BAD_MAC) == 1);
        }
        a1.send("after\n");
        assertEquals(envelope(a1, "after"), b1.readLine(), "nothing forged or replayed reached b's client");
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            if (Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
                return i;
            }
        }
        return -1;
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
