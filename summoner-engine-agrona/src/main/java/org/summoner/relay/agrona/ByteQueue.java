package org.summoner.relay.agrona;

import org.agrona.DirectBuffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;

/**
 * What waits to be written to one client whose socket was full: bytes copied out of the outbound ring (only a
 * client that falls behind pays for a copy), counted in messages by their newlines, since every envelope and
 * every notice is exactly one line. The array grows as needed; the caller bounds it by {@code max_queued_bytes},
 * and it is given back once drained. Touched by its I/O agent only.
 */
final class ByteQueue {
    private static final byte[] EMPTY = new byte[0];
    /** Above this, a drained queue gives its array back. */
    private static final int KEEP_BYTES = 64 * 1024;

    private byte[] data = EMPTY;
    private int head;
    private int tail;
    private long messages;

    boolean isEmpty() {
        return head == tail;
    }

    int bytes() {
        return tail - head;
    }

    /** @return the lines queued, the one being written included. */
    long messages() {
        return messages;
    }

    void append(DirectBuffer source, int index, int length) {
        makeRoom(length);
        source.getBytes(index, data, tail, length);
        messages += newlines(data, tail, length);
        tail += length;
    }

    void append(byte[] source, int offset, int length) {
        makeRoom(length);
        System.arraycopy(source, offset, data, tail, length);
        messages += newlines(data, tail, length);
        tail += length;
    }

    /** @return bytes written: as many as the socket took. */
    int writeTo(WritableByteChannel channel) throws IOException {
        final int written = channel.write(ByteBuffer.wrap(data, head, tail - head));
        messages -= newlines(data, head, written);
        head += written;
        if (head == tail) {
            clear();
        }
        return written;
    }

    /** Empties the queue. @return the lines that were in it. */
    long clear() {
        final long dropped = messages;
        head = 0;
        tail = 0;
        messages = 0;
        if (data.length > KEEP_BYTES) {
            data = EMPTY;
        }
        return dropped;
    }

    private void makeRoom(int length) {
        if (data.length - tail >= length) {
            return;
        }
        final int size = tail - head;
        if (data.length - size >= length && head >= data.length / 2) {
            System.arraycopy(data, head, data, 0, size);
        } else {
            final byte[] grown = new byte[Math.max(size + length, Math.max(4096, data.length * 2))];
            System.arraycopy(data, head, grown, 0, size);
            data = grown;
        }
        head = 0;
        tail = size;
    }

    private static int newlines(byte[] bytes, int offset, int length) {
        int count = 0;
        for (int i = offset, end = offset + length; i < end; i++) {
            if (bytes[i] == '\n') {
                count++;
            }
        }
        return count;
    }
}
