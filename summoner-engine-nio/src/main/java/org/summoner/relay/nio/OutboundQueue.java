package org.summoner.relay.nio;

import java.nio.ByteBuffer;

/**
 * What waits to be written to one connection: a ring of shared line arrays (envelopes and notices) plus how far the
 * first one has been written. Holds references, not copies, so a thousand recipients of one line share its bytes.
 *
 * <p>Unbounded by itself: the owning worker checks {@link #size()} and {@link #bytes()} against the
 * slow-consumer limits before each {@link #add}. Owned by one worker thread; not thread-safe.
 */
final class OutboundQueue {
    private static final int INITIAL_CAPACITY = 4;

    private byte[][] ring = new byte[INITIAL_CAPACITY][];
    private int head;
    private int size;
    private int headOffset;
    private long bytes;

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** @return the bytes not yet written, the unwritten part of the first envelope included. */
    long bytes() {
        return bytes;
    }

    void add(byte[] line) {
        if (size == ring.length) {
            grow();
        }
        ring[(head + size) & (ring.length - 1)] = line;
        size++;
        bytes += line.length;
    }

    /**
     * Copies queued bytes, from where writing stopped, into {@code dst} until it is full or the queue is spent.
     * Nothing is consumed until {@link #consume}.
     */
    void copyTo(ByteBuffer dst) {
        final byte[][] ring = this.ring;
        final int mask = ring.length - 1;
        int offset = headOffset;
        for (int i = 0; i < size && dst.hasRemaining(); i++) {
            final byte[] envelope = ring[(head + i) & mask];
            final int n = Math.min(envelope.length - offset, dst.remaining());
            dst.put(envelope, offset, n);
            offset = 0;
        }
    }

    /** Drops {@code written} bytes from the front: the envelopes written whole, and part of the next. */
    void consume(int written) {
        bytes -= written;
        final int mask = ring.length - 1;
        int left = written;
        while (left > 0) {
            final int remainingInHead = ring[head].length - headOffset;
            if (left < remainingInHead) {
                headOffset += left;
                return;
            }
            left -= remainingInHead;
            ring[head] = null;
            head = (head + 1) & mask;
            size--;
            headOffset = 0;
        }
    }

    /** @return how many envelopes were discarded. */
    int clear() {
        final int dropped = size;
        final int mask = ring.length - 1;
        for (int i = 0; i < size; i++) {
            ring[(head + i) & mask] = null;
        }
        head = 0;
        size = 0;
        headOffset = 0;
        bytes = 0;
        return dropped;
    }

    private void grow() {
        final byte[][] grown = new byte[ring.length * 2][];
        for (int i = 0; i < size; i++) {
            grown[i] = ring[(head + i) & (ring.length - 1)];
        }
        ring = grown;
        head = 0;
    }
}
