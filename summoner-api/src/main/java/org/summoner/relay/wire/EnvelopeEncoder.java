package org.summoner.relay.wire;

import java.nio.charset.StandardCharsets;

/**
 * Writes the envelope every recipient gets for a relayed line (SPEC section 3): compact as the Rust server writes
 * it, with the key order of the Python server (the Rust server's {@code serde_json} map sorts them, {@code content}
 * first; the Python server puts a space after each {@code :} and {@code ,}):
 *
 * <pre>{"remote_addr":"127.0.0.1:54321","content":"&lt;the line as a JSON string&gt;"}\n</pre>
 *
 * <p>String escaping follows RFC 8259 as {@code serde_json} writes it: {@code \"} and {@code \\}; {@code \b \t \n
 * \f \r} in their short forms; every other control character below U+0020 as {@code \}{@code u00xx} with
 * lower-case hex; everything else, non-ASCII included, as the UTF-8 bytes it already is. The content must
 * already be valid UTF-8 (see {@link Utf8}).
 *
 * <p>An engine builds the per-connection {@link #prefix(String) prefix} once, then encodes each line once and
 * shares the bytes among all recipients. {@link #encode} also enforces {@code max_envelope_bytes} (SPEC section
 * 2): escaping can make a line up to six times longer, so the bound is on the envelope, not on the line.
 * Stateless and thread-safe; allocates nothing while encoding.
 */
public final class EnvelopeEncoder {
    private static final byte[] PREFIX_HEAD = "{\"remote_addr\":\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PREFIX_TAIL = "\",\"content\":\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SUFFIX = "\"}\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    /** What {@link #encode} returns for an envelope longer than its limit. */
    public static final int TOO_LONG = -1;
    /** The longest escape, {@code \}{@code u001f}, is six bytes for one input byte. */
    private static final int MAX_ESCAPE_EXPANSION = 6;

    /** For each ASCII byte: 0 = copy as is, 'u' = six-byte escape, otherwise the letter after the backslash. */
    private static final byte[] ESCAPES = new byte[128];

    static {
        for (int c = 0; c < 0x20; c++) {
            ESCAPES[c] = 'u';
        }
        ESCAPES['\b'] = 'b';
        ESCAPES['\t'] = 't';
        ESCAPES['\n'] = 'n';
        ESCAPES['\f'] = 'f';
        ESCAPES['\r'] = 'r';
        ESCAPES['"'] = '"';
        ESCAPES['\\'] = '\\';
    }

    private EnvelopeEncoder() {
    }

    /**
     * @param remoteAddr the sender as {@code remote_addr} shows it (see {@link RemoteAddresses}).
     * @return the envelope bytes that precede the content: {@code {"remote_addr":"…","content":"}.
     */
    public static byte[] prefix(String remoteAddr) {
        final byte[] addr = remoteAddr.getBytes(StandardCharsets.UTF_8);
        final byte[] escaped = new byte[addr.length * MAX_ESCAPE_EXPANSION];
        final int escapedLength = escape(addr, 0, addr.length, escaped, 0);
        final byte[] prefix = new byte[PREFIX_HEAD.length + escapedLength + PREFIX_TAIL.length];
        System.arraycopy(PREFIX_HEAD, 0, prefix, 0, PREFIX_HEAD.length);
        System.arraycopy(escaped, 0, prefix, PREFIX_HEAD.length, escapedLength);
        System.arraycopy(PREFIX_TAIL, 0, prefix, PREFIX_HEAD.length + escapedLength, PREFIX_TAIL.length);
        return prefix;
    }

    /**
     * @return an upper bound of {@link #encode} output for this prefix and content length.
     */
    public static int maxEncodedLength(int prefixLength, int contentLength) {
        return prefixLength + contentLength * MAX_ESCAPE_EXPANSION + SUFFIX.length;
    }

    /**
     * @return the room {@link #encode} needs in {@code dst} for this prefix, content length and limit: never more
     *         than {@code maxBytes}, however long the line.
     */
    public static int requiredRoom(int prefixLength, int contentLength, int maxBytes) {
        return (int) Math.min(maxBytes, (long) prefixLength + (long) contentLength * MAX_ESCAPE_EXPANSION + SUFFIX.length);
    }

    /**
     * Writes one whole envelope line, {@code \n} included, into {@code dst} at {@code dstOffset}, unless it would be
     * longer than {@code maxBytes} ({@code max_envelope_bytes}). The bound is checked while escaping, so an
     * over-long envelope costs no second pass and is never written past the bound.
     *
     * @param dst must have {@link #requiredRoom} bytes free from {@code dstOffset}.
     * @return the number of bytes written, or {@link #TOO_LONG}.
     */
    public static int encode(byte[] prefix, byte[] content, int offset, int length, byte[] dst, int dstOffset, int maxBytes) {
        final int fixed = prefix.length + SUFFIX.length;
        if ((long) fixed + length > maxBytes) {
            return TOO_LONG; // too long even if nothing needs escaping
        }
        System.arraycopy(prefix, 0, dst, dstOffset, prefix.length);
        final int contentAt = dstOffset + prefix.length;
        final int escaped = escape(content, offset, length, dst, contentAt, dstOffset + maxBytes - SUFFIX.length);
        if (escaped < 0) {
            return TOO_LONG;
        }
        final int out = contentAt + escaped;
        System.arraycopy(SUFFIX, 0, dst, out, SUFFIX.length);
        return out + SUFFIX.length - dstOffset;
    }

    /**
     * Writes {@code src} as the inside of a JSON string.
     *
     * @return the number of bytes written to {@code dst}.
     */
    public static int escape(byte[] src, int offset, int length, byte[] dst, int dstOffset) {
        return escape(src, offset, length, dst, dstOffset, dst.length);
    }

    /** As {@link #escape(byte[], int, int, byte[], int)}, writing nothing at or past {@code dstLimit}: -1 if it must. */
    private static int escape(byte[] src, int offset, int length, byte[] dst, int dstOffset, int dstLimit) {
        int out = dstOffset;
        int runStart = offset;
        final int end = offset + length;
        for (int i = offset; i < end; i++) {
            final int b = src[i];
            if (b < 0 || ESCAPES[b] == 0) { // non-ASCII bytes (negative) and plain ASCII are copied as they are
                continue;
            }
            final int run = i - runStart;
            final byte escape = ESCAPES[b];
            if (out + run + (escape == 'u' ? 6 : 2) > dstLimit) {
                return -1;
            }
            System.arraycopy(src, runStart, dst, out, run);
            out += run;
            dst[out++] = '\\';
            dst[out++] = escape;
            if (escape == 'u') {
                dst[out++] = '0';
                dst[out++] = '0';
                dst[out++] = HEX[b >> 4];
                dst[out++] = HEX[b & 0xF];
            }
            runStart = i + 1;
        }
        final int run = end - runStart;
        if (out + run > dstLimit) {
            return -1;
        }
        System.arraycopy(src, runStart, dst, out, run);
        return out + run - dstOffset;
    }
}
