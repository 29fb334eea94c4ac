package org.summoner.relay.bench.load;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Redis RESP2 as a pub/sub connection sees it: {@code message} arrays ({@code *3 $7 message $<n> topic $<n>
 * payload}) are deliveries; {@code subscribe} confirmations and a publisher's {@code :<receivers>} replies are
 * ignored; {@code -ERR} lines are reported. A frame cut by the end of the buffer is left for the next call.
 */
final class RespParser implements InboundParser {
    private static final int INCOMPLETE = -1;
    private static final byte[] MESSAGE = "message".getBytes(StandardCharsets.US_ASCII);

    /** Start and end of the bulk strings of the array being read; a pub/sub push has at most 4. */
    private final int[] starts = new int[4];
    private final int[] ends = new int[4];

    @Override
    public int parse(byte[] bytes, int from, int to, PayloadSink sink, ByteBuffer reply) {
        final int end = to;
        int pos = from;
        while (pos < end) {
            final int next = frame(bytes, pos, end, sink);
            if (next == INCOMPLETE) {
                break;
            }
            pos = next;
        }
        return pos;
    }

    /** @return the position after one complete top-level frame, or {@link #INCOMPLETE}. */
    private int frame(byte[] bytes, int pos, int end, PayloadSink sink) {
        final int lineEnd = Bytes.indexOfCrlf(bytes, pos + 1, end);
        if (lineEnd < 0) {
            return INCOMPLETE;
        }
        switch (bytes[pos]) {
            case '*' -> {
                final int count = (int) number(bytes, pos + 1, lineEnd);
                starts[0] = 0;
                ends[0] = 0;
                int p = lineEnd + 2;
                for (int i = 0; i < count; i++) {
                    final int elementEnd = element(bytes, p, end, i);
                    if (elementEnd == INCOMPLETE) {
                        return INCOMPLETE;
                    }
                    p = elementEnd;
                }
                if (count == 3 && Bytes.equals(bytes, starts[0], ends[0], MESSAGE)) {
                    sink.onPayload(bytes, starts[2], ends[2] - starts[2]);
                }
                return p;
            }
            case '-' -> {
                sink.onServerNotice(new String(bytes, pos, lineEnd - pos, StandardCharsets.US_ASCII));
                return lineEnd + 2;
            }
            default -> {
                return lineEnd + 2; // :integer, +simple string: a publisher's reply, a subscribe's count
            }
        }
    }

    /** Reads one array element (a bulk string or an integer), remembering where a bulk string's bytes are. */
    private int element(byte[] bytes, int pos, int end, int index) {
        if (pos >= end) {
            return INCOMPLETE;
        }
        final int lineEnd = Bytes.indexOfCrlf(bytes, pos + 1, end);
        if (lineEnd < 0) {
            return INCOMPLETE;
        }
        if (bytes[pos] != '$') {
            return lineEnd + 2;
        }
        final int length = (int) number(bytes, pos + 1, lineEnd);
        final int dataStart = lineEnd + 2;
        if (end - dataStart < length + 2) {
            return INCOMPLETE;
        }
        if (index < starts.length) {
            starts[index] = dataStart;
            ends[index] = dataStart + length;
        }
        return dataStart + length + 2;
    }

    private static long number(byte[] bytes, int from, int to) {
        long value = 0;
        boolean negative = false;
        for (int i = from; i < to; i++) {
            if (bytes[i] == '-') {
                negative = true;
            } else {
                value = value * 10 + (bytes[i] - '0');
            }
        }
        return negative ? -value : value;
    }
}
