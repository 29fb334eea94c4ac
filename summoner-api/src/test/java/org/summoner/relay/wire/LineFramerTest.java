package org.summoner.relay.wire;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LineFramerTest {

    /** Records what the framer reports, lines as text and drops by reason. */
    private static final class Recorder implements LineHandler {
        final List<String> events = new ArrayList<>();

        @Override
        public void onLine(byte[] buffer, int offset, int length) {
            events.add("line:" + new String(buffer, offset, length, StandardCharsets.UTF_8));
        }

        @Override
        public void onLineDropped(ServerNotice reason) {
            events.add("drop:" + reason);
        }
    }

    private static List<String> frame(int maxLineBytes, byte[] input, boolean endOfStream) {
        final Recorder recorder = new Recorder();
        final LineFramer framer = new LineFramer(maxLineBytes);
        framer.onBytes(input, 0, input.length, recorder);
        if (endOfStream) {
            framer.onEndOfStream(recorder);
        }
        return recorder.events;
    }

    /**
     * Netty's habit: the same input cut at every position, and byte by byte, gives the same events.
     */
    private static List<String> frameEverySplit(int maxLineBytes, String text, boolean endOfStream) {
        return frameEverySplit(maxLineBytes, text.getBytes(StandardCharsets.UTF_8), endOfStream);
    }

    private static List<String> frameEverySplit(int maxLineBytes, byte[] input, boolean endOfStream) {
        final List<String> whole = frame(maxLineBytes, input, endOfStream);
        for (int cut = 0; cut <= input.length; cut++) {
            final Recorder recorder = new Recorder();
            final LineFramer framer = new LineFramer(maxLineBytes);
            // The chunks sit at an offset inside a larger array, as slices of a read buffer do.
            final byte[] buffer = new byte[input.length + 8];
            System.arraycopy(input, 0, buffer, 4, input.length);
            framer.onBytes(buffer, 4, cut, recorder);
            framer.onBytes(buffer, 4 + cut, input.length - cut, recorder);
            if (endOfStream) {
                framer.onEndOfStream(recorder);
            }
            assertEquals(whole, recorder.events, "cut at " + cut);
        }
        final Recorder bytewise = new Recorder();
        final LineFramer framer = new LineFramer(maxLineBytes);
        for (int i = 0; i < input.length; i++) {
            framer.onBytes(input, i, 1, bytewise);
        }
        if (endOfStream) {
            framer.onEndOfStream(bytewise);
        }
        assertEquals(whole, bytewise.events, "byte by byte");
        return whole;
    }

    @Nested
    class Lines {
        @Test
        void each_newline_ends_a_line() {
            assertEquals(List.of("line:hello", "line:world"), frameEverySplit(100, "hello\nworld\n", false));
        }

        @Test
        void an_empty_line_is_a_line() {
            assertEquals(List.of("line:", "line:a", "line:"), frameEverySplit(100, "\na\n\n", false));
        }

        @Test
        void one_carriage_return_before_the_newline_is_stripped() {
            assertEquals(List.of("line:hello", "line:", "line:a\rb", "line:two\r"),
                    frameEverySplit(100, "hello\r\n\r\na\rb\ntwo\r\r\n", false));
        }

        @Test
        void bytes_without_a_newline_wait_for_more() {
            assertEquals(List.of(), frameEverySplit(100, "partial", false));
        }

        @Test
        void the_final_unfinished_line_is_delivered_at_end_of_stream() {
            assertEquals(List.of("line:first", "line:last"), frameEverySplit(100, "first\nlast", true));
            assertEquals(List.of("line:last"), frameEverySplit(100, "last\r", true));
        }

        @Test
        void nothing_is_delivered_at_end_of_stream_after_a_complete_line() {
            assertEquals(List.of("line:only"), frameEverySplit(100, "only\n", true));
        }

        @Test
        void multi_byte_characters_split_across_chunks_are_delivered_whole() {
            assertEquals(List.of("line:héllo wörld 😀"), frameEverySplit(100, "héllo wörld 😀\n", false));
        }
    }

    @Nested
    class Limits {
        @Test
        void a_line_of_exactly_the_limit_is_delivered_with_or_without_carriage_return() {
            assertEquals(List.of("line:abcde", "line:abcde"), frameEverySplit(5, "abcde\nabcde\r\n", false));
        }

        @Test
        void a_line_one_byte_over_the_limit_is_dropped_once_and_the_next_line_delivered() {
            assertEquals(List.of("drop:LINE_TOO_LONG", "line:ok"), frameEverySplit(5, "abcdef\nok\n", false));
            assertEquals(List.of("drop:LINE_TOO_LONG", "line:ok"), frameEverySplit(5, "abcdef\r\nok\n", false));
        }

        @Test
        void a_long_line_is_reported_once_however_it_arrives() {
            final String longLine = "x".repeat(50);
            assertEquals(List.of("line:a", "drop:LINE_TOO_LONG", "line:b"), frameEverySplit(8, "a\n" + longLine + "\nb\n", false));
        }

        @Test
        void an_over_long_line_is_reported_before_its_end_arrives() {
            final Recorder recorder = new Recorder();
            final LineFramer framer = new LineFramer(8);
            final byte[] chunk = "0123456789".getBytes(StandardCharsets.US_ASCII);
            framer.onBytes(chunk, 0, 5, recorder);
            assertEquals(List.of(), recorder.events);
            framer.onBytes(chunk, 0, chunk.length, recorder);
            assertEquals(List.of("drop:LINE_TOO_LONG"), recorder.events);
            assertEquals(0, framer.pendingBytes(), "nothing of the over-long line is kept");
            for (int i = 0; i < 1000; i++) {
                framer.onBytes(chunk, 0, chunk.length, recorder);
            }
            assertEquals(0, framer.pendingBytes());
            framer.onBytes("tail\nnext\n".getBytes(StandardCharsets.US_ASCII), 0, 10, recorder);
            assertEquals(List.of("drop:LINE_TOO_LONG", "line:next"), recorder.events);
        }

        @Test
        void an_over_long_unfinished_line_is_not_delivered_at_end_of_stream() {
            assertEquals(List.of("drop:LINE_TOO_LONG"), frameEverySplit(4, "toolong", true));
        }

        @Test
        void what_is_kept_between_chunks_never_exceeds_the_limit_plus_one() {
            final LineFramer framer = new LineFramer(1000);
            final Recorder recorder = new Recorder();
            final byte[] chunk = new byte[7];
            Arrays.fill(chunk, (byte) 'y');
            int most = 0;
            for (int i = 0; i < 10_000; i++) {
                framer.onBytes(chunk, 0, chunk.length, recorder);
                most = Math.max(most, framer.pendingBytes());
            }
            assertTrue(most <= 1001, "kept " + most);
            assertEquals(List.of("drop:LINE_TOO_LONG"), recorder.events);
        }

        @Test
        void the_limit_must_be_positive() {
            assertThrows(IllegalArgumentException.class, () -> new LineFramer(0));
        }
    }

    @Nested
    class Encoding {
        @Test
        void a_line_that_is_not_utf8_is_dropped_and_the_next_delivered() {
            final byte[] input = {'a', (byte) 0xFF, 'b', '\n', (byte) 0xC3, (byte) 0xA9, '\n'};
            assertEquals(List.of("drop:INVALID_UTF8", "line:é"), frameEverySplit(100, input, false));
        }

        @Test
        void a_truncated_sequence_at_the_end_of_a_line_is_invalid() {
            final byte[] input = {'a', (byte) 0xE2, (byte) 0x82, '\n'};
            assertEquals(List.of("drop:INVALID_UTF8"), frameEverySplit(100, input, false));
        }

        @Test
        void an_invalid_final_line_is_dropped_at_end_of_stream() {
            final byte[] input = {(byte) 0xED, (byte) 0xA0, (byte) 0x80};
            assertEquals(List.of("drop:INVALID_UTF8"), frameEverySplit(100, input, true));
        }
    }
}
