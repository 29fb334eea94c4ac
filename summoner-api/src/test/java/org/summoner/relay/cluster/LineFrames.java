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
        int size = ClusterFrames.headerBytes(origin, destination, seal) + FrameSeal.MAC_BYTES;
        for (byte[] envelope : envelopes) {
            size += LineBatch.lineBytes(name.length, envelope.length);
        }
        final byte[] buffer = new byte[size];
        int at = ClusterFrames.writeHeader(buffer, ClusterFrames.LINE, origin, destination, seal);
        for (byte[] envelope : envelopes) {
            at = LineBatch.write(buffer, at, kind, name, envelope, envelope.length);
        }
        return Arrays.copyOf(buffer, seal == null ? at : seal.seal(buffer, at));
    }
}
