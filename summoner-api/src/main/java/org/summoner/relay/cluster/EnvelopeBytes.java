package org.summoner.relay.cluster;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The scans of {@link ClusterFrames#isOneEnvelope} over every line from another node, eight bytes at a time where
 * nothing in them needs a look (the JSON string's end, an escape, a control byte; a byte of a multi-byte character):
 * a node checks each line it receives, and these scans were most of what a line from another node cost its
 * receiving thread.
 *
 * <p>Stateless; thread-safe; allocates nothing.
 */
final class EnvelopeBytes {
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGHS = 0x8080808080808080L;
    private static final long SPACES = 0x2020202020202020L;
    private static final long QUOTES = 0x2222222222222222L;
    private static final long BACKSLASHES = 0x5C5C5C5C5C5C5C5CL;

    private EnvelopeBytes() {
    }

    /** @return whether {@code bytes[from, to)} is ASCII: no byte of a multi-byte UTF-8 character to check. */
    static boolean isAscii(byte[] bytes, int from, int to) {
        long highs = 0;
        int i = from;
        for (; i + 8 <= to; i += 8) {
            highs |= (long) LONGS.get(bytes, i);
        }
        for (; i < to; i++) {
            highs |= bytes[i];
        }
        return (highs & HIGHS) == 0;
    }

    /**
     * @return whether none of the eight bytes at {@code at} ends a JSON string body or needs a look: no quote, no
     *         backslash, no control byte. (A byte with its high bit set is part of a character, checked as UTF-8
     *         apart; an exact test for presence, so a word it lets pass has none of them.)
     */
    private static boolean plain(byte[] bytes, int at) {
        final long x = (long) LONGS.get(bytes, at);
        final long below = (x - SPACES) & ~x;
        final long quote = x ^ QUOTES;
        final long backslash = x ^ BACKSLASHES;
        return ((below | ((quote - ONES) & ~quote) | ((backslash - ONES) & ~backslash)) & HIGHS) == 0;
    }

    /** @return the index of the quote that ends the JSON string body starting at {@code at}, or -1 when it is not one. */
    static int jsonStringEnd(byte[] frame, int at, int end) {
        int i = at;
        while (i < end) {
            if (i + 8 <= end && plain(frame, i)) {
                i += 8;
                continue;
            }
            final byte b = frame[i];
            if (b == '"') {
                return i;
            }
            if (b >= 0 && b < 0x20) {
                return -1; // a raw control byte (a line feed among them): JSON escapes it
            }
            if (b == '\\') {
                if (i + 1 >= end) {
                    return -1;
                }
                final byte escaped = frame[i + 1];
                if (escaped == 'u') {
                    if (i + 6 > end) {
                        return -1;
                    }
                    for (int h = i + 2; h < i + 6; h++) {
                        if (Character.digit(frame[h], 16) < 0) {
                            return -1;
                        }
                    }
                    i += 6;
                    continue;
                }
                if ("\"\\/bfnrt".indexOf(escaped) < 0) {
                    return -1;
                }
                i += 2;
                continue;
            }
            i++;
        }
        return -1;
    }
}
