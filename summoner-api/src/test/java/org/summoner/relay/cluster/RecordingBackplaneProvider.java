package org.summoner.relay.cluster;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code "backplane": "recording"}, for the tests of what a node sends: every frame published is kept, by the node
 * that published it, in order, with its destination. Like the fuzz backplane, its {@link Backplane#start()} fails (no
 * presence thread: the test hands frames to {@link Cluster#onFrame} itself); a node's frames are refused while
 * {@link #refusing} holds its name (a backplane under back pressure, or without a link).
 *
 * <p>Public, as {@link java.util.ServiceLoader} requires; registered in the test resources.
 */
public final class RecordingBackplaneProvider implements BackplaneProvider {
    /** A frame published: to one node ({@code to}), or to every node (null). */
    record Published(String to, byte[] frame) {
    }

    static final Map<String, List<Published>> PUBLISHED = new ConcurrentHashMap<>();
    static final Map<String, Boolean> refusing = new ConcurrentHashMap<>();

    /** @return what {@code node} published, and forgets it. */
    static List<Published> take(String node) {
        final List<Published> taken = PUBLISHED.remove(node);
        return taken == null ? List.of() : taken;
    }

    @Override
    public String name() {
        return "recording";
    }

    @Override
    public Backplane create(BackplaneContext context) {
        final String node = context.node();
        return new Backplane() {
            @Override
            public void start() throws IOException {
                throw new IOException("the recording backplane connects nowhere");
            }

            @Override
            public boolean publish(String to, byte[] frame, int offset, int length) {
                if (refusing.containsKey(node)) {
                    return false;
                }
                PUBLISHED.computeIfAbsent(node, n -> new ArrayList<>()).add(new Published(to, Arrays.copyOfRange(frame, offset, offset + length)));
                return true;
            }

            @Override
            public int maxFrameBytes() {
                return 1 << 20;
            }

            @Override
            public String describe() {
                return "recording";
            }

            @Override
            public void close() {
            }
        };
    }
}
