package org.summoner.relay.cluster;

import java.util.Map;

/**
 * The lines other nodes sent this one and it never got, counted from the gaps in their line sequence numbers
 * ({@link LineBatch}): each sending thread numbers the lines it sends to every node, and to each node, from 0 without a
 * gap (a frame it could not send takes no numbers: it is counted as not sent there). A frame whose first number is past
 * the next one expected on its stream says how many were lost on the way: dropped with a backplane link that went
 * down with frames in flight, or sent to a node a partition kept them from. Nothing else can show that loss: NATS is
 * at-most-once, and Aeron passes over a peer that stops answering.
 *
 * <p>The last {@link #MAX_STREAMS} streams heard are kept; a stream forgotten starts again without a count. One
 * receiving thread; not thread-safe.
 */
final class LineGaps {
    /** Streams kept: 64 nodes, each with tens of sending threads, to every node and to this one. */
    static final int MAX_STREAMS = 8192;

    private record Stream(String origin, int stream, boolean toAll) {
    }

    private final Map<Stream, long[]> next = new Recent<>(MAX_STREAMS);

    /**
     * A frame of {@code lines} lines from {@code origin}'s {@code stream}, to every node or to this one, its first line
     * numbered {@code first}.
     *
     * @return the lines of that stream never received before it (0 when none, or when the stream is new).
     */
    long received(String origin, int stream, boolean toAll, long first, int lines) {
        final long[] expected = next.computeIfAbsent(new Stream(origin, stream, toAll), k -> new long[]{first});
        final long lost = first > expected[0] ? first - expected[0] : 0; // earlier: sent again, nothing lost
        expected[0] = Math.max(expected[0], first + lines);
        return lost;
    }

    /** {@code origin} stopped (its BYE): its streams end with it. */
    void ended(String origin) {
        next.keySet().removeIf(stream -> stream.origin.equals(origin));
    }
}
