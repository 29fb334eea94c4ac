package org.summoner.relay.wire;

import java.nio.charset.StandardCharsets;

/**
 * Text a client or another node controls, made safe for a log line: every string that reaches a log message from
 * outside (a line's content, a TLS server name, an exception message that quotes one, a node's name) passes here
 * first, so nobody can end the line it is logged in and forge the next one, nor hide it.
 *
 * <p>Escaped: {@code \} as {@code \\}; {@code \n}, {@code \r}, {@code \t} as themselves escaped; every other control
 * character (C0, DEL, C1), the line and paragraph separators (U+2028, U+2029) and the bidirectional overrides and
 * isolates (U+202A to U+202E, U+2066 to U+2069, which reorder what a terminal shows) as {@code \}{@code uXXXX}. The
 * result is cut at {@link #MAX_CHARS} characters with a note of how many more there were.
 *
 * <p>Stateless and thread-safe; allocates only when called, which is never per relayed line above DEBUG.
 */
public final class Untrusted {
    /** The most characters of one untrusted string a log line shows. */
    public static final int MAX_CHARS = 256;
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private Untrusted() {
    }

    /** @return {@code text} escaped and bounded for a log line; {@code "null"} for null. */
    public static String text(CharSequence text) {
        return escaped(text, MAX_CHARS);
    }

    /**
     * @return {@code text} escaped for a log line but whole, for what the operator asked to see whole: a relayed line
     *         in the relayed-lines log, already bounded by the line limit.
     */
    public static String whole(CharSequence text) {
        return escaped(text, Integer.MAX_VALUE);
    }

    private static String escaped(CharSequence text, int maxChars) {
        if (text == null) {
            return "null";
        }
        final int length = text.length();
        final int shown = Math.min(length, maxChars);
        if (length <= maxChars && isSafe(text)) {
            return text.toString();
        }
        final StringBuilder out = new StringBuilder(shown + 16);
        for (int i = 0; i < shown; i++) {
            append(out, text.charAt(i));
        }
        if (length > shown) {
            out.append("...(").append(length - shown).append(" more chars)");
        }
        return out.toString();
    }

    /**
     * @return {@code error} as a log line may print it with its stack trace: the same frames and causes, each message
     *         escaped as {@link #text} does (a logger prints a throwable's message raw, and an exception's message may
     *         quote what a client sent).
     */
    public static Throwable throwable(Throwable error) {
        return error == null ? null : new Trace(error, 0);
    }

    /** A throwable's frames under its escaped {@code toString()}; its causes likewise, at most 8 deep. */
    private static final class Trace extends Throwable {
        private static final long serialVersionUID = 1L;

        Trace(Throwable error, int depth) {
            super(text(error.toString()), error.getCause() == null || error.getCause() == error || depth >= 8
                    ? null : new Trace(error.getCause(), depth + 1), false, true);
            setStackTrace(error.getStackTrace());
        }

        @Override
        public String toString() {
            return getMessage();
        }
    }

    /** @return UTF-8 {@code bytes[offset, offset + length)} as {@link #text} shows it (malformed bytes as U+FFFD). */
    public static String text(byte[] bytes, int offset, int length) {
        return text(new String(bytes, offset, length, StandardCharsets.UTF_8));
    }

    private static boolean isSafe(CharSequence text) {
        for (int i = 0, n = text.length(); i < n; i++) {
            final char c = text.charAt(i);
            if (c == '\\' || needsEscape(c)) {
                return false;
            }
        }
        return true;
    }

    private static boolean needsEscape(char c) {
        return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029'
                || (c >= '\u202a' && c <= '\u202e') || (c >= '\u2066' && c <= '\u2069');
    }

    private static void append(StringBuilder out, char c) {
        switch (c) {
            case '\\' -> out.append("\\\\");
            case '\n' -> out.append("\\n");
            case '\r' -> out.append("\\r");
            case '\t' -> out.append("\\t");
            default -> {
                if (needsEscape(c)) {
                    out.append("\\u").append(HEX[c >> 12 & 0xf]).append(HEX[c >> 8 & 0xf]).append(HEX[c >> 4 & 0xf]).append(HEX[c & 0xf]);
                } else {
                    out.append(c);
                }
            }
        }
    }
}
