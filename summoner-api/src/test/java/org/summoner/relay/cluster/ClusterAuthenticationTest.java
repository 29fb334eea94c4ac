package org.summoner.relay.cluster;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.summoner.relay.config.ClusterSettings;
import org.summoner.relay.config.ServerConfig;
import org.summoner.relay.core.RelayCore;
import org.summoner.relay.counters.RelayCounters;
import org.summoner.relay.counters.RelayCounters.FrameRejection;
import org.summoner.relay.policy.FairUsePolicy;
import org.summoner.relay.routing.Routers;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * A node's intake with and without {@code cluster.secret_file}: what reaches the engine and what is refused, counted by
 * reason; a node of each kind refuses the other's frames (their security settings differ).
 */
class ClusterAuthenticationTest {
    private static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ENVELOPE = "{\"remote_addr\":\"10.0.0.1:1\",\"content\":\"hi\"}\n".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path dir;

    /** Node b, with or without the secret, and what its engine is handed. */
    private final class NodeB {
        final RelayCounters counters = new RelayCounters();
        final List<String> delivered = new ArrayList<>();
        final Cluster cluster;

        NodeB(boolean secret) throws Exception {
            final ServerConfig config = ServerConfig.fromMap(secret
                    ? Map.of("cluster", Map.of("backplane", "fuzz", "node", "node-b", "secret_file", secretFile().toString()))
                    : Map.of("cluster", Map.of("backplane", "fuzz", "node", "node-b")));
            final ClusterSettings settings = config.cluster().orElseThrow();
            final Cluster[] made = new Cluster[1];
            new RelayCore(config, counters, FairUsePolicy.of(config), Routers::of, relay -> made[0] = Cluster.of(relay, settings));
            cluster = made[0];
            assertThrows(IOException.class, () -> cluster.start((envelope, offset, length, route) ->
                    delivered.add(new String(envelope, offset, length, StandardCharsets.UTF_8))), "the fuzz backplane never connects");
        }

        long refused(FrameRejection reason) {
            return counters.clusterFramesRejected(reason);
        }

        void receive(byte[] frame) {
            cluster.onFrame(frame, 0, frame.length);
        }
    }

    private Path secretFile() throws IOException {
        final Path file = dir.resolve("cluster.secret");
        if (!Files.exists(file)) {
            Files.write(file, SECRET);
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        }
        return file;
    }

    /** A broadcast LINE frame from node a, sealed by {@code seal} (null: unsealed). */
    private static byte[] lineFromA(FrameSeal seal) {
        final byte[] a = "node-a".getBytes(StandardCharsets.US_ASCII);
        final byte[] buffer = new byte[ENVELOPE.length + ClusterFrames.lineOverhead(a, 0, seal)];
        return Arrays.copyOf(buffer, ClusterFrames.writeLine(buffer, a, new byte[0], 1, new byte[0], ENVELOPE, ENVELOPE.length, seal));
    }

    @Test
    void with_a_secret_only_sealed_fresh_new_frames_reach_the_engine() throws Exception {
        final NodeB b = new NodeB(true);
        final FrameSeal a = new FrameSeal(SECRET, "node-a", System.currentTimeMillis());
        b.receive(lineFromA(null));
        assertEquals(1, b.refused(FrameRejection.UNAUTHENTICATED), "anyone on the bus sends such a frame");
        final byte[] sealed = lineFromA(a);
        b.receive(sealed);
        assertEquals(List.of(new String(ENVELOPE, StandardCharsets.UTF_8)), b.delivered);
        b.receive(sealed);
        assertEquals(1, b.refused(FrameRejection.REPLAYED));
        b.receive(new byte[]{'S', 2, 1, 0});
        assertEquals(1, b.refused(FrameRejection.MALFORMED));
        assertEquals(1, b.delivered.size(), "nothing but the one sealed line");
        b.cluster.close();
    }

    @Test
    void without_a_secret_a_sealed_frame_is_refused_as_settings_that_differ() throws Exception {
        final NodeB b = new NodeB(false);
        b.receive(lineFromA(new FrameSeal(SECRET, "node-a", System.currentTimeMillis())));
        assertEquals(1, b.refused(FrameRejection.SETTINGS_DIFFER));
        b.receive(lineFromA(null));
        assertEquals(1, b.delivered.size(), "an unauthenticated cluster takes unsealed frames, as before");
        b.cluster.close();
    }
}
