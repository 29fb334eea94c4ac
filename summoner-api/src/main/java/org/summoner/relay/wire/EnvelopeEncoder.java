package org.summoner.relay.wire;

import java.nio.charset.StandardCharsets;

/**
 * Writes the envelope every recipient gets for a relayed line (SPEC section 3), in the compact form of the
 * reference Rust server:
 *
 * <pre>{"remote_addr":"127.0.0.1:54321","content":"&lt;the line as a JSON string&gt;"}\n</pre>
 *
 * <p>String escaping follows RFC 8259 as {@code serde_json} writes it: {@code \"} and {@code \\}; {@code \b \t \n
 * \f \r} in their short forms; every other control character below U+0020 as {@code \}{@code u00xx} with
 * lower-case hex; everything else, non-ASCII included, as the UTF-8 bytes it already is. The content must
 * already be valid UTF-8 (see {@link Utf8}).
 *
 * <p>An engine builds the per-connection {@link #prefix(String) prefix} once, then encodes each line once and
 * shares the bytes among all recipients. Stateless and thread-safe; allocates nothing while encoding.
 */
public final class EnvelopeEncoder {
    private static final byte[] PREFIX_HEAD = "{\"remote_addr\":\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PREFIX_TAIL = "\",\"content\":\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SUFFIX = "\"}\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
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
     * Writes one whole envelope line, {@code \n} included, into {@code dst} at {@code dstOffset}.
     *
     * @param dst must have {@link #maxEncodedLength} bytes free from {@code dstOffset}.
     * @return the number of bytes written.
     */
    public static int encode(byte[] prefix, byte[] content, int offset, int length, byte[] dst, int dstOffset) {
        System.arraycopy(prefix, 0, dst, dstOffset, prefix.length);
        int out = dstOffset + prefix.length;
        out += escape(content, offset, length, dst, out);
        System.arraycopy(SUFFIX, 0, dst, out, SUFFIX.length);
        return out + SUFFIX.length - dstOffset;
    }

    /**
     * Writes {@code src} as the inside of a JSON string.
     *
     * @return the number of bytes written to {@code dst}.
     */
    public static int escape(byte[] src, int offset, int length, byte[] dst, int dstOffset) {
        int out = dstOffset;
        int runStart = offset;
        final int end = offset + length;
        for (int i = offset; i < end; i++) {
            final int b = src[i];
            if (b < 0 || ESCAPES[b] == 0) { // non-ASCII bytes (negative) and plain ASCII are copied as they are
                continue;
            }
            final int run = i - runStart;
            System.arraycopy(src, runStart, dst, out, run);
            out += run;
            final byte escape = ESCAPES[b];
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
        System.arraycopy(src, runStart, dst, out, run);
        return out + run - dstOffset;
    }
}
