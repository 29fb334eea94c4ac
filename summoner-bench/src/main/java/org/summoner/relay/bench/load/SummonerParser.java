package org.summoner.relay.bench.load;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Summoner deliveries: one JSON envelope per line, {@code {"remote_addr":"...","content":"..."}}, compact (this
 * project, the Rust server) or with spaces (the Python server). The harness's payloads are plain ASCII, so the
 * content is the bytes between the quotes. Any other line (a {@code Warning:}) is a server notice.
 */
final class SummonerParser implements InboundParser {
    private static final byte[] CONTENT_KEY = "\"content\"".getBytes(StandardCharsets.US_ASCII);

    /** The payload size the harness sends; lets a line be skipped instead of scanned when it ends as expected. */
    private final int payloadLength;
    /** What the content holds before and after the payload ({@link Shape}), escaped as in the envelope. */
    private final byte[] prefix;
    private final byte[] suffix;

    SummonerParser(int payloadLength) {
        this(payloadLength, Shape.PLAIN);
    }

    SummonerParser(int payloadLength, Shape shape) {
        this.payloadLength = payloadLength;
        this.prefix = shape.contentPrefix();
        this.suffix = shape.contentSuffix();
    }

    @Override
    public int parse(byte[] bytes, int from, int to, PayloadSink sink, ByteBuffer reply) {
        final int end = to;
        int start = from;
        while (start < end) {
            final int next = fastLine(bytes, start, end, sink);
            if (next > 0) {
                start = next;
                continue;
            }
            final int newline = Bytes.indexOf(bytes, start, end, (byte) '\n');
            if (newline < 0) {
                break;
            }
            line(bytes, start, newline, sink);
            start = newline + 1;
        }
        return start;
    }

    /**
     * The common case: an envelope whose content is one of our payloads, ending {@code "}\n} right after it.
     *
     * @return the start of the next line, or 0 when the slow path must decide.
     */
    private int fastLine(byte[] bytes, int start, int end, PayloadSink sink) {
        if (bytes[start] != '{') {
            return 0;
        }
        final int contentStart = contentStart(bytes, start, Math.min(end, start + 256));
        if (contentStart < 0 || !at(bytes, contentStart, end, prefix)) {
            return 0;
        }
        final int payloadStart = contentStart + prefix.length;
        final int contentEnd = payloadStart + payloadLength + suffix.length;
        if (contentEnd + 2 >= end || !at(bytes, payloadStart + payloadLength, end, suffix)
                || bytes[contentEnd] != '"' || bytes[contentEnd + 1] != '}' || bytes[contentEnd + 2] != '\n') {
            return 0;
        }
        sink.onPayload(bytes, payloadStart, payloadLength);
        return contentEnd + 3;
    }

    private static boolean at(byte[] bytes, int at, int end, byte[] expected) {
        if (at + expected.length > end) {
            return false;
        }
        for (int i = 0; i < expected.length; i++) {
            if (bytes[at + i] != expected[i]) {
                return false;
            }
        }
        return true;
    }

    private void line(byte[] bytes, int from, int to, PayloadSink sink) {
        int end = to;
        if (end > from && bytes[end - 1] == '\r') {
            end--;
        }
        if (end > from && bytes[from] == '{') {
            int contentStart = contentStart(bytes, from, end);
            if (contentStart >= 0) {
                if (at(bytes, contentStart, end, prefix)) {
                    contentStart += prefix.length;
                }
                int contentEnd = Bytes.indexOf(bytes, contentStart, end, (byte) '"');
                if (contentEnd > contentStart && bytes[contentEnd - 1] == '\\') {
                    contentEnd--; // the escaped quote of a JSON suffix
                }
                sink.onPayload(bytes, contentStart, (contentEnd < 0 ? end : contentEnd) - contentStart);
                return;
            }
        }
        sink.onServerNotice(new String(bytes, from, end - from, StandardCharsets.UTF_8));
    }

    /** @return where the content string's characters start ({@code "content":"} compact or spaced), or -1. */
    private static int contentStart(byte[] bytes, int from, int to) {
        final int key = Bytes.indexOf(bytes, from, to, CONTENT_KEY);
        if (key < 0) {
            return -1;
        }
        int p = key + CONTENT_KEY.length;
        while (p < to && (bytes[p] == ' ' || bytes[p] == ':')) {
            p++;
        }
        return p < to && bytes[p] == '"' ? p + 1 : -1;
    }
}
