package org.summoner.relay.wire;

/**
 * Splits one client's byte stream into lines (SPEC section 2), with a hard bound on what it keeps.
 *
 * <ul>
 *   <li>A line ends at {@code \n}; one {@code \r} right before the end is stripped; an empty line is a line.</li>
 *   <li>Bytes left over when the stream ends form a final line ({@link #onEndOfStream}).</li>
 *   <li>A line longer than {@code maxLineBytes} is reported once, as soon as it passes the limit, and its
 *       remaining bytes are discarded up to the next {@code \n}: it is never buffered whole.</li>
 *   <li>A complete line that is not valid UTF-8 is reported and not delivered.</li>
 * </ul>
 *
 * <p>Lines wholly inside one input chunk are handed over as slices of that chunk, without copying; only a line
 * that spans chunks is gathered in the framer's own buffer, which grows on demand to at most
 * {@code maxLineBytes + 1} bytes and is released again after an unusually long line; its capacity is taken from the
 * server's {@link InputBudget}, and a line that would need more than is left is dropped
 * ({@link ServerNotice#INPUT_FULL}). Bytes are scanned once: the framer remembers what it has already searched.
 *
 * <p>Not thread-safe: one instance per connection, fed by the thread that owns the connection.
 */
public final class LineFramer {
    private static final int INITIAL_CAPACITY = 256;
    /**
     * A gathering buffer grown past this is dropped after use, so idle connections stay small and what they keep of
     * the {@link InputBudget} (2 KiB each at most) leaves it to the lines under way.
     */
    private static final int RETAINED_CAPACITY = 2 * 1024;

    private static final byte[] NONE = new byte[0];

    private final int maxLineBytes;
    private final InputBudget budget;
    /** Gathers a line that spans chunks; its capacity is taken from {@link #budget}. */
    private byte[] pending = NONE;
    private int pendingLength;
    private boolean discarding;

    /**
     * @param maxLineBytes the largest line content, in bytes, that is delivered (terminator not counted).
     */
    public LineFramer(int maxLineBytes) {
        this(maxLineBytes, InputBudget.UNBOUNDED);
    }

    /**
     * @param budget what all unfinished lines of the server may hold together: the gathering buffer's capacity is taken
     *               from it, and given back when the buffer is released ({@link #release()} when the connection ends).
     */
    public LineFramer(int maxLineBytes, InputBudget budget) {
        if (maxLineBytes < 1 || maxLineBytes > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("maxLineBytes=" + maxLineBytes);
        }
        this.maxLineBytes = maxLineBytes;
        this.budget = budget;
    }

    /** The connection ended: the gathering buffer goes, and its capacity back to the budget. Idempotent. */
    public void release() {
        pendingLength = 0;
        discarding = false;
        dropBuffer();
    }

    public int maxLineBytes() {
        return maxLineBytes;
    }

    /**
     * @return the bytes of an unfinished line held between calls (0 while discarding an over-long line).
     */
    public int pendingBytes() {
        return pendingLength;
    }

    /**
     * Feeds the next chunk of the stream; calls {@code handler} for every line it completes, until
     * {@link LineHandler#mayGoOn()} says stop after one.
     *
     * @return the bytes of the chunk taken: {@code length}, or less when the handler stopped it after a line (the rest,
     *         from the byte after that line's {@code 
}, is the caller's to feed again later).
     */
    public int onBytes(byte[] src, int offset, int length, LineHandler handler) {
        final int end = offset + length;
        int start = offset;
        while (start < end) {
            final int newline = indexOfNewline(src, start, end);
            if (newline < 0) {
                gather(src, start, end - start, handler);
                return length;
            }
            boolean handed = true;
            if (discarding) {
                discarding = false; // the over-long line ends here; it was reported when it passed the limit
                handed = false;
            } else if (pendingLength == 0) {
                emit(src, start, newline - start, handler);
            } else if (gather(src, start, newline - start, handler)) {
                final int lineLength = pendingLength;
                pendingLength = 0;
                emit(pending, 0, lineLength, handler);
                releaseIfLarge();
            } else {
                discarding = false; // the line passed the limit and ended in this very chunk
            }
            start = newline + 1;
            if (handed && start < end && !handler.mayGoOn()) {
                return start - offset;
            }
        }
        return length;
    }

    /**
     * The client closed its side: a pending unfinished line is delivered as the final line.
     */
    public void onEndOfStream(LineHandler handler) {
        if (!discarding && pendingLength > 0) {
            final int lineLength = pendingLength;
            pendingLength = 0;
            emit(pending, 0, lineLength, handler);
        }
        discarding = false;
        pendingLength = 0;
        releaseIfLarge();
    }

    /**
     * Appends to the unfinished line, or enters the discarding state when it would pass the limit.
     *
     * @return false if the line is (now or already) being discarded.
     */
    private boolean gather(byte[] src, int offset, int length, LineHandler handler) {
        if (discarding) {
            return false;
        }
        final int newLength = pendingLength + length;
        // One byte of slack: a line of maxLineBytes may still be followed by the '\r' of a "\r\n".
        if (newLength > maxLineBytes + 1) {
            discarding = true;
            pendingLength = 0;
            releaseIfLarge();
            handler.onLineDropped(ServerNotice.LINE_TOO_LONG);
            return false;
        }
        if (newLength > pending.length) {
            final int capacity = Math.min(Math.max(Math.max(INITIAL_CAPACITY, pending.length * 2), newLength), maxLineBytes + 1);
            if (!budget.tryTake(capacity - pending.length)) {
                discarding = true; // the server holds all the unfinished input it may: this line is not kept
                pendingLength = 0;
                releaseIfLarge();
                handler.onLineDropped(ServerNotice.INPUT_FULL);
                return false;
            }
            final byte[] grown = new byte[capacity];
            System.arraycopy(pending, 0, grown, 0, pendingLength);
            pending = grown;
        }
        System.arraycopy(src, offset, pending, pendingLength, length);
        pendingLength = newLength;
        return true;
    }

    private void emit(byte[] buffer, int offset, int length, LineHandler handler) {
        int contentLength = length;
        if (contentLength > 0 && buffer[offset + contentLength - 1] == '\r') {
            contentLength--;
        }
        if (contentLength > maxLineBytes) {
            handler.onLineDropped(ServerNotice.LINE_TOO_LONG);
        } else if (!Utf8.isValid(buffer, offset, contentLength)) {
            handler.onLineDropped(ServerNotice.INVALID_UTF8);
        } else {
            handler.onLine(buffer, offset, contentLength);
        }
    }

    private void releaseIfLarge() {
        if (pending.length > RETAINED_CAPACITY && pendingLength == 0) {
            dropBuffer();
        }
    }

    private void dropBuffer() {
        budget.giveBack(pending.length);
        pending = NONE;
    }

    private static int indexOfNewline(byte[] src, int from, int to) {
        for (int i = from; i < to; i++) {
            if (src[i] == '\n') {
                return i;
            }
        }
        return -1;
    }
}
