package org.summoner.relay.bench.load;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The NATS server-to-client text protocol: {@code MSG <subject> <sid> [reply-to] <#bytes>\r\n<payload>\r\n},
 * {@code PING} (answered with {@code PONG}), and {@code INFO}, {@code +OK}, {@code PONG} (ignored), {@code -ERR}
 * (reported).
 */
final class NatsParser implements InboundParser {
    private static final byte[] PONG = "PONG\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] MSG = "MSG ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PING = "PING".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ERR = "-ERR".getBytes(StandardCharsets.US_ASCII);

    /** The size of the payload announced by the last {@code MSG} line, or -1 when a control line is next. */
    private int payloadLength = -1;

    @Override
    public int parse(byte[] bytes, int from, int to, PayloadSink sink, ByteBuffer reply) {
        final int end = to;
        int pos = from;
        while (true) {
            if (payloadLength >= 0) {
                if (end - pos < payloadLength + 2) {
                    break;
                }
                sink.onPayload(bytes, pos, payloadLength);
                pos += payloadLength + 2;
                payloadLength = -1;
                continue;
            }
            final int lineEnd = Bytes.indexOfCrlf(bytes, pos, end);
            if (lineEnd < 0) {
                break;
            }
            control(bytes, pos, lineEnd, sink, reply);
            pos = lineEnd + 2;
        }
        return pos;
    }

    private void control(byte[] bytes, int from, int to, PayloadSink sink, ByteBuffer reply) {
        if (Bytes.startsWith(bytes, from, to, MSG)) {
            int size = 0;
            int i = to - 1;
            int scale = 1;
            while (i > from && bytes[i] >= '0' && bytes[i] <= '9') {
                size += (bytes[i] - '0') * scale;
                scale *= 10;
                i--;
            }
            payloadLength = size;
        } else if (Bytes.startsWith(bytes, from, to, PING)) {
            reply.put(PONG);
        } else if (Bytes.startsWith(bytes, from, to, ERR)) {
            sink.onServerNotice(new String(bytes, from, to - from, StandardCharsets.US_ASCII));
        }
        // INFO, +OK and PONG need nothing.
    }
}
