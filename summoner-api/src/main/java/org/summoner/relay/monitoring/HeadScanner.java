package org.summoner.relay.monitoring;

/**
 * Finds the end of a request's head (the empty line after its header fields) in the bytes read so far, remembering
 * where it stopped, so that a head arriving one byte at a time is scanned once in all, not once per byte. Empty lines
 * before the request line are skipped, as RFC 9112 section 2.2 asks; a line ends at LF, with or without CR before it.
 *
 * <p>One per connection, used by the listener's thread only; allocates nothing.
 */
final class HeadScanner {
    private int next;
    private int lineStart;
    private int headStart = -1;

    /**
     * @param bytes the connection's input, from index 0.
     * @param limit how many bytes of it were read.
     * @return the index just after the head's last LF, or -1 while the head is not complete.
     */
    int scan(byte[] bytes, int limit) {
        int i = next;
        int start = lineStart;
        int head = headStart;
        int end = -1;
        for (; i < limit; i++) {
            if (bytes[i] != '\n') {
                continue;
            }
            final boolean empty = i == start || (i == start + 1 && bytes[start] == '\r');
            if (!empty && head < 0) {
                head = start;
            } else if (empty && head >= 0) {
                end = i + 1;
                i++;
                break;
            }
            start = i + 1;
        }
        next = i;
        lineStart = start;
        headStart = head;
        return end;
    }

    /** @return where the request line starts (after skipped empty lines), once {@link #scan} found it, else -1. */
    int headStart() {
        return headStart;
    }

    /** @return whether the request line is complete: false while every byte so far may still be the request line. */
    boolean requestLineComplete() {
        return headStart >= 0;
    }

    /** Forgets the head: the next one starts at index 0 of the (compacted) input. */
    void reset() {
        next = 0;
        lineStart = 0;
        headStart = -1;
    }
}
