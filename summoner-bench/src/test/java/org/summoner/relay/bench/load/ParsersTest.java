package org.summoner.relay.bench.load;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ParsersTest {

    /** What a parser reported, and what it answered, for the input fed in two chunks cut at every position. */
    private static List<String> parseEverySplit(Protocol protocol, int payloadLength, String input) {
        final byte[] bytes = input.getBytes(StandardCharsets.UTF_8);
        List<String> whole = null;
        for (int cut = 0; cut <= bytes.length; cut++) {
            final List<String> events = new ArrayList<>();
            final InboundParser parser = protocol.newParser(payloadLength);
            final ByteBuffer in = ByteBuffer.allocate(1024);
            final ByteBuffer reply = ByteBuffer.allocate(64);
            final PayloadSink sink = new PayloadSink() {
                @Override
                public void onPayload(byte[] buffer, int offset, int length) {
                    events.add("payload:" + new String(buffer, offset, length, StandardCharsets.UTF_8));
                }

                @Override
                public void onServerNotice(String text) {
                    events.add("notice:" + text);
                }
            };
            for (int[] chunk : new int[][]{{0, cut}, {cut, bytes.length}}) {
                in.put(bytes, chunk[0], chunk[1] - chunk[0]);
                in.flip();
                InboundParser.parse(parser, in, sink, reply);
                in.compact();
            }
            if (reply.position() > 0) {
                events.add("reply:" + new String(reply.array(), 0, reply.position(), StandardCharsets.US_ASCII));
            }
            assertEquals(0, in.position(), "nothing left over after complete frames, cut at " + cut);
            if (whole == null) {
                whole = events;
            } else {
                assertEquals(whole, events, "cut at " + cut);
            }
        }
        return whole;
    }

    @Nested
    class Summoner {
        @Test
        void compact_envelopes_give_their_content() {
            assertEquals(List.of("payload:@0:1:2;xx", "payload:@0:2:3;xx"), parseEverySplit(Protocol.SUMMONER, 9,
                    "{\"remote_addr\":\"127.0.0.1:1\",\"content\":\"@0:1:2;xx\"}\n{\"remote_addr\":\"127.0.0.1:1\",\"content\":\"@0:2:3;xx\"}\n"));
        }

        @Test
        void spaced_envelopes_of_the_python_server_and_other_lengths_take_the_slow_path() {
            assertEquals(List.of("payload:@0:1:2;x", "payload:short"), parseEverySplit(Protocol.SUMMONER, 9,
                    "{\"remote_addr\": \"127.0.0.1:1\", \"content\": \"@0:1:2;x\"}\n{\"remote_addr\":\"a\",\"content\":\"short\"}\r\n"));
        }

        @Test
        void a_warning_line_is_a_notice() {
            assertEquals(List.of("notice:Warning: Server is shutting down."),
                    parseEverySplit(Protocol.SUMMONER, 9, "Warning: Server is shutting down.\n"));
        }
    }

    @Nested
    class Nats {
        @Test
        void msg_frames_give_their_payload_and_info_is_ignored() {
            assertEquals(List.of("payload:hello", "payload:a\r\nb"), parseEverySplit(Protocol.NATS, 5,
                    "INFO {\"server_id\":\"x\"}\r\nMSG bench 1 5\r\nhello\r\nMSG bench 1 reply.to 4\r\na\r\nb\r\n"));
        }

        @Test
        void ping_is_answered_with_pong_and_errors_are_notices() {
            assertEquals(List.of("notice:-ERR 'Slow Consumer'", "reply:PONG\r\n"),
                    parseEverySplit(Protocol.NATS, 5, "PING\r\n+OK\r\n-ERR 'Slow Consumer'\r\nPONG\r\n"));
        }
    }

    @Nested
    class Redis {
        @Test
        void message_pushes_give_their_payload_and_confirmations_are_ignored() {
            assertEquals(List.of("payload:hello", "payload:"), parseEverySplit(Protocol.REDIS, 5,
                    "*3\r\n$9\r\nsubscribe\r\n$5\r\nbench\r\n:1\r\n"
                            + "*3\r\n$7\r\nmessage\r\n$5\r\nbench\r\n$5\r\nhello\r\n"
                            + ":10\r\n"
                            + "*3\r\n$7\r\nmessage\r\n$5\r\nbench\r\n$0\r\n\r\n"));
        }

        @Test
        void errors_are_notices() {
            assertEquals(List.of("notice:-ERR unknown command"), parseEverySplit(Protocol.REDIS, 5, "-ERR unknown command\r\n"));
        }
    }

    @Test
    void publishes_are_framed_as_each_protocol_expects() {
        assertEquals("hi\n", framed(Protocol.SUMMONER, "hi"));
        assertEquals("PUB bench 2\r\nhi\r\n", framed(Protocol.NATS, "hi"));
        assertEquals("*3\r\n$7\r\nPUBLISH\r\n$5\r\nbench\r\n$2\r\nhi\r\n", framed(Protocol.REDIS, "hi"));
    }

    private static String framed(Protocol protocol, String payload) {
        return new String(protocol.publishHead(payload.length()), StandardCharsets.US_ASCII) + payload
                + new String(protocol.publishTail(), StandardCharsets.US_ASCII);
    }
}
