package org.summoner.relay.cluster;

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
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * A node of a cluster in a unit test: its core and its side of the cluster made from a config whose backplane never
 * connects (the fuzz or the recording one), the frames it is given ({@link #receive}), and what it hands its engine
 * ({@link #delivered}).
 */
class TestNode {
    /** The secret of the tests' clusters: 32 bytes. */
    static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    final RelayCounters counters = new RelayCounters();
    final List<String> delivered = new ArrayList<>();
    final Cluster cluster;
    /** Its settings that must agree, as its presence carries them. */
    final String agreement;

    TestNode(Map<String, ?> map) {
        final ServerConfig config = ServerConfig.fromMap(map);
        agreement = Agreement.of(config.hyperParameters());
        final ClusterSettings settings = config.cluster().orElseThrow();
        final Cluster[] made = new Cluster[1];
        new RelayCore(config, counters, FairUsePolicy.of(config), Routers::of, relay -> made[0] = Cluster.of(relay, settings));
        cluster = made[0];
        assertThrows(IOException.class, () -> cluster.start((envelope, offset, length, route) ->
                delivered.add(new String(envelope, offset, length, StandardCharsets.UTF_8))), "the test's backplane never connects");
    }

    long refused(FrameRejection reason) {
        return counters.clusterFramesRejected(reason);
    }

    void receive(byte[] frame) {
        cluster.onFrame(frame, 0, frame.length);
    }

    /** @return {@code dir}'s file holding {@link #SECRET}, readable by its owner only: made the first time. */
    static Path secretFile(Path dir) throws IOException {
        final Path file = dir.resolve("cluster.secret");
        if (!Files.exists(file)) {
            Files.write(file, SECRET);
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        }
        return file;
    }
}
