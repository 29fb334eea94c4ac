package org.summoner.relay.agrona;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A slow client's queue: exact bytes in order, counted in lines, the one being written included. */
class ByteQueueTest {

    /** A socket that takes at most {@code room} bytes per write, and keeps them. */
    private static final class Socket implements WritableByteChannel {
        final StringBuilder taken = new StringBuilder();
        int room;

        @Override
        public int write(ByteBuffer source) {
            final int n = Math.min(room, source.remaining());
            final byte[] bytes = new byte[n];
            source.get(bytes);
            taken.append(new String(bytes, StandardCharsets.UTF_8));
            return n;
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() {
        }
    }

    @Test
    void lines_are_counted_until_their_last_byte_is_written() throws Exception {
        final ByteQueue queue = new ByteQueue();
        final byte[] lines = "first\nsecond\nthird\n".getBytes(StandardCharsets.UTF_8);
        queue.append(lines, 0, lines.length);
        assertEquals(3, queue.messages());

        final Socket socket = new Socket();
        socket.room = 8; // "first\nse"
        assertEquals(8, queue.writeTo(socket));
        assertEquals(2, queue.messages(), "the half-written line still waits");
        socket.room = 100;
        queue.writeTo(socket);
        assertTrue(queue.isEmpty());
        assertEquals(0, queue.messages());
        assertEquals("first\nsecond\nthird\n", socket.taken.toString());
    }

    @Test
    void it_grows_compacts_and_keeps_the_order() throws Exception {
        final ByteQueue queue = new ByteQueue();
        final Socket socket = new Socket();
        final StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 5_000; i++) {
            final byte[] line = ("line " + i + "\n").getBytes(StandardCharsets.UTF_8);
            queue.append(line, 0, line.length);
            expected.append("line ").append(i).append('\n');
            if (i % 7 == 0) {
                socket.room = 13;
                queue.writeTo(socket);
            }
        }
        socket.room = Integer.MAX_VALUE;
        queue.writeTo(socket);
        assertEquals(expected.toString(), socket.taken.toString());
        assertEquals(0, queue.bytes());
    }

    @Test
    void clearing_reports_the_lines_dropped() {
        final ByteQueue queue = new ByteQueue();
        final byte[] lines = "a\nb\nunfinished".getBytes(StandardCharsets.UTF_8);
        queue.append(lines, 0, lines.length);
        assertEquals(2, queue.clear());
        assertTrue(queue.isEmpty());
    }
}
