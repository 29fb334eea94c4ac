package org.summoner.relay.cluster;

import java.io.IOException;

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
