package org.summoner.relay.netty;

/**
 * The envelopes and bytes of each write Netty still holds for one client, oldest first. Netty's outbound buffer
 * counts writes (and adds a bookkeeping overhead to their bytes); the backpressure gate counts messages and
 * {@code max_queued_bytes} counts bytes, and a write of a batch carries many envelopes. Netty removes written
 * entries in order, so trimming the oldest writes down to the number of entries it still holds leaves exactly what
 * is not yet fully written (a partly written batch counts whole). Touched on the client's event loop only.
 */
final class PendingWrites {
    private int[] messageCounts = new int[16];
    private int[] byteCounts = new int[16];
    private int head;
    private int size;
    private long messages;
    private long bytes;

    /** A write of {@code messageCount} envelopes in {@code byteCount} bytes was handed to Netty. */
    void add(int messageCount, int byteCount) {
        if (size == messageCounts.length) {
            grow();
        }
        final int tail = (head + size) % messageCounts.length;
        messageCounts[tail] = messageCount;
        byteCounts[tail] = byteCount;
        size++;
        messages += messageCount;
        bytes += byteCount;
    }

    /** Forgets the oldest writes until {@code writesHeld} remain: the others Netty has finished writing. */
    void trimTo(int writesHeld) {
        while (size > writesHeld) {
            messages -= messageCounts[head];
            bytes -= byteCounts[head];
            head = (head + 1) % messageCounts.length;
            size--;
        }
    }

    /**
     * Over TLS: keeps the newest {@code unflushed} writes, and of the older ones as many (newest first) as cover
     * {@code heldBytes}, the bytes Netty still holds to write.
     */
    void trimToBytes(int unflushed, long heldBytes) {
        long unflushedBytes = 0;
        for (int i = Math.max(0, size - unflushed); i < size; i++) {
            unflushedBytes += byteCounts[(head + i) % byteCounts.length];
        }
        long flushedBytes = bytes - unflushedBytes;
        while (size > unflushed && flushedBytes - byteCounts[head] >= heldBytes) {
            flushedBytes -= byteCounts[head];
            messages -= messageCounts[head];
            bytes -= byteCounts[head];
            head = (head + 1) % messageCounts.length;
            size--;
        }
    }

    /** @return envelopes in the writes remembered. */
    long messages() {
        return messages;
    }

    /** @return bytes in the writes remembered. */
    long bytes() {
        return bytes;
    }

    private void grow() {
        final int[] grownMessages = new int[size * 2];
        final int[] grownBytes = new int[size * 2];
        for (int i = 0; i < size; i++) {
            grownMessages[i] = messageCounts[(head + i) % messageCounts.length];
            grownBytes[i] = byteCounts[(head + i) % byteCounts.length];
        }
        messageCounts = grownMessages;
        byteCounts = grownBytes;
        head = 0;
    }
}
