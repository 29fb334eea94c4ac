package org.summoner.relay.cluster;

import java.util.Arrays;

/** LINE frames as a node writes them ({@link ClusterOutbox}), made by hand for the tests of what a node receives. */
final class LineFrames {
    private LineFrames() {
    }

    /**
     * @return a LINE frame from {@code origin} to every node, each envelope a broadcast line, sealed by {@code seal}
     *         (null: unsealed).
     */
    static byte[] broadcast(byte[] origin, FrameSeal seal, byte[]... envelopes) {
        return of(origin, new byte[0], seal, 1, new byte[0], envelopes);
    }

    /** @return a LINE frame of {@code envelopes}, each along the route {@code kind} and {@code name}. */
    static byte[] of(byte[] origin, byte[] destination, FrameSeal seal, int kind, byte[] name, byte[]... envelopes) {
        final long first = next;
        next += envelopes.length;
        return of(origin, destination, seal, 7, first, kind, name, envelopes);
    }

    /** Stream 7's next line number, so the frames of a test leave no gap unless it makes one. */
    private static long next;

    /** As {@link #of}, on {@code stream}, its first line numbered {@code first}. */
    static byte[] of(byte[] origin, byte[] destination, FrameSeal seal, int stream, long first, int kind, byte[] name,
                     byte[]... envelopes) {
        int size = ClusterFrames.headerBytes(origin, destination, seal) + LineBatch.SEQUENCE_BYTES + FrameSeal.MAC_BYTES;
        for (byte[] envelope : envelopes) {
            size += LineBatch.lineBytes(name.length, envelope.length);
        }
        final byte[] buffer = new byte[size];
        int at = ClusterFrames.writeHeader(buffer, ClusterFrames.LINE, origin, destination, seal);
        LineBatch.writeSequence(buffer, at, stream, first);
        at += LineBatch.SEQUENCE_BYTES;
        for (byte[] envelope : envelopes) {
            at = LineBatch.write(buffer, at, kind, name, envelope, envelope.length);
        }
        return Arrays.copyOf(buffer, seal == null ? at : seal.seal(buffer, at));
    }
}
