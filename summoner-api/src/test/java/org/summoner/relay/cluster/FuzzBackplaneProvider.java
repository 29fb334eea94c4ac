package org.summoner.relay.cluster;

import org.summoner.relay.config.ServerConfig;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * {@code "backplane": "fuzz"}, for the fuzz target of the cluster's intake: a backplane that never connects. Its
 * {@link Backplane#start()} fails, so {@link Cluster#start} has taken its engine but starts no presence thread (whose
 * timing would make runs differ); the target then hands frames to {@link Cluster#onFrame} itself, as a backplane's
 * receiving thread would. Nothing it is asked to publish is sent.
 *
 * <p>Public, as {@link java.util.ServiceLoader} requires; registered in the test resources'
 * {@code META-INF/services/org.summoner.relay.cluster.BackplaneProvider}. Cheap and thread-safe.
 */
public final class FuzzBackplaneProvider implements BackplaneProvider {
    /** What {@link Backplane#start()} throws: the target expects exactly this. */
    public static final String NEVER_CONNECTS = "the fuzz backplane never connects; frames are handed to the cluster by the fuzz target";

    /**
     * @return the presence frame (unsealed) of a node named {@code node} with no clients and the settings of
     *         {@code config}: the fuzz target's node hears it first, so lines from {@code node} are taken.
     */
    public static byte[] presence(String node, ServerConfig config) {
        return ClusterFrames.presence(node.getBytes(StandardCharsets.US_ASCII), 1, 0, List.of(), List.of(),
                Agreement.of(config.hyperParameters()), 1 << 16, new int[2], null);
    }

    @Override
    public String name() {
        return "fuzz";
    }

    @Override
    public Backplane create(BackplaneContext context) {
        return new Backplane() {
            @Override
            public void start() throws IOException {
                throw new IOException(NEVER_CONNECTS);
            }

            @Override
            public boolean publish(String node, byte[] frame, int offset, int length) {
                return false;
            }

            @Override
            public int maxFrameBytes() {
                return 1 << 20;
            }

            @Override
            public String describe() {
                return "fuzz (never connects)";
            }

            @Override
            public void close() {
            }
        };
    }
}
