package org.summoner.relay.cluster;

/**
 * The body of a LINE frame ({@link ClusterFrames}): one or more lines, each its route and its envelope, so a frame
 * carries every line an engine thread sent to one destination in one turn, and what a frame costs (a backplane's
 * message, a MAC, a hand-off between threads) is paid once for all of them. Written by {@link ClusterOutbox}, read by
 * {@link ClusterIntake}.
 *
 * <pre>
 * first:     the sending thread's stream (i32) and the sequence number of the frame's first line on that stream to
 *            this destination (i64): the lines of a stream to one destination (every node, or one node) are numbered
 *            from 0 without a gap, so the receiving node counts the lines it never got ({@link LineGaps})
 * each line: route kind (u8), route name (u16 length + UTF-8: the identity or participant address, else empty),
 *            envelope length (i32), the envelope as the sender's node encoded it
 * </pre>
 *
 * A frame with more than one line is at most {@link #FRAME_BYTES}; a line too long for that goes alone in its frame.
 */
final class LineBatch {
    /** The most bytes of a frame of several lines: over a few hundred lines of 128 bytes, a small share of a term. */
    static final int FRAME_BYTES = 64 * 1024;
    /** A line's bytes before its route name and envelope: kind, name length, envelope length. */
    static final int LINE_HEADER_BYTES = 1 + 2 + 4;
    /** The bytes of a body before its first line: the stream and the first line's sequence number. */
    static final int SEQUENCE_BYTES = 4 + 8;

    private LineBatch() {
    }

    /** @return the bytes of one line of a LINE frame. */
    static int lineBytes(int nameLength, int envelopeLength) {
        return LINE_HEADER_BYTES + nameLength + envelopeLength;
    }

    /**
     * Writes one line, its route ({@code kind} and {@code name}) and {@code envelope[0, length)}, at {@code buffer[at..)}.
     *
     * @return the index after it.
     */
    static int write(byte[] buffer, int at, int kind, byte[] name, byte[] envelope, int length) {
        buffer[at] = (byte) kind;
        buffer[at + 1] = (byte) (name.length >>> 8);
        buffer[at + 2] = (byte) name.length;
        at += 3;
        System.arraycopy(name, 0, buffer, at, name.length);
        at += name.length;
        buffer[at] = (byte) (length >>> 24);
        buffer[at + 1] = (byte) (length >>> 16);
        buffer[at + 2] = (byte) (length >>> 8);
        buffer[at + 3] = (byte) length;
        at += 4;
        System.arraycopy(envelope, 0, buffer, at, length);
        return at + length;
    }

    /** Writes the body's first fields at {@code buffer[at..)}: {@code stream} and its {@code first} line's number. */
    static void writeSequence(byte[] buffer, int at, int stream, long first) {
        for (int i = 0; i < 4; i++) {
            buffer[at + i] = (byte) (stream >>> 24 - 8 * i);
        }
        for (int i = 0; i < 8; i++) {
            buffer[at + 4 + i] = (byte) (first >>> 56 - 8 * i);
        }
    }

    /** @return the most bytes a LINE frame of one line adds to its envelope: the header, the line's, the MAC. */
    static int lineOverhead(byte[] origin, int maxRouteName, FrameSeal seal) {
        return ClusterFrames.headerBytes(origin, new byte[ClusterFrames.MAX_NODE_NAME], seal) + SEQUENCE_BYTES + LINE_HEADER_BYTES + maxRouteName
                + (seal == null ? 0 : FrameSeal.MAC_BYTES);
    }

    /**
     * One line of a LINE body as it is read: where its route name and envelope are. {@link #next} moves it on; it
     * reads bounds only, not what the line says.
     */
    static final class Reader {
        private byte[] frame;
        private int at;
        private int end;
        /** The sending thread's stream, and the sequence number of the frame's first line on it. */
        int stream;
        long first;
        int kind;
        int name;
        int nameLength;
        int envelope;
        int envelopeEnd;

        /**
         * Reads the stream and first sequence number of {@code frame[body, end)} and starts at its first line.
         *
         * @throws ClusterFrames.MalformedFrame when the body ends before them.
         */
        Reader reset(byte[] frame, int body, int end) throws ClusterFrames.MalformedFrame {
            if (end - body < SEQUENCE_BYTES) {
                throw new ClusterFrames.MalformedFrame("line frame ends early");
            }
            int stream = 0;
            for (int i = 0; i < 4; i++) {
                stream = stream << 8 | frame[body + i] & 0xFF;
            }
            long first = 0;
            for (int i = 4; i < SEQUENCE_BYTES; i++) {
                first = first << 8 | frame[body + i] & 0xFF;
            }
            this.stream = stream;
            this.first = first;
            this.frame = frame;
            this.at = body + SEQUENCE_BYTES;
            this.end = end;
            return this;
        }

        /**
         * @return false at the end of the body; true with the next line's fields set.
         * @throws ClusterFrames.MalformedFrame when the body ends within a line.
         */
        boolean next() throws ClusterFrames.MalformedFrame {
            if (at == end) {
                return false;
            }
            if (end - at < LINE_HEADER_BYTES) {
                throw new ClusterFrames.MalformedFrame("line frame ends early");
            }
            kind = frame[at];
            nameLength = (frame[at + 1] & 0xFF) << 8 | frame[at + 2] & 0xFF;
            name = at + 3;
            final int lengthAt = name + nameLength;
            if (end - lengthAt < 4) {
                throw new ClusterFrames.MalformedFrame("line frame ends early");
            }
            final int length = (frame[lengthAt] & 0xFF) << 24 | (frame[lengthAt + 1] & 0xFF) << 16
                    | (frame[lengthAt + 2] & 0xFF) << 8 | frame[lengthAt + 3] & 0xFF;
            envelope = lengthAt + 4;
            if (length < 0 || length > end - envelope) {
                throw new ClusterFrames.MalformedFrame("line frame ends early");
            }
            envelopeEnd = envelope + length;
            at = envelopeEnd;
            return true;
        }
    }
}
