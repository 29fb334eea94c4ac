package org.summoner.relay.netty;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.summoner.relay.wire.ServerNotice;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** The decoder on an {@link EmbeddedChannel}: input split at every byte, direct and heap buffers, all released. */
@ExtendWith(LeakWatch.class)
class LineFrameDecoderTest {

    /** Records what the decoder reports. */
    private static final class Recorder implements LineFrameDecoder.Lines {
        final List<String> events = new ArrayList<>();
        boolean accept = true;

        @Override
        public boolean onBytes(int count) {
            return accept;
        }

        @Override
        public void onLine(byte[] buffer, int offset, int length) {
            events.add("line:" + new String(buffer, offset, length, StandardCharsets.UTF_8));
        }

        @Override
        public void onLineDropped(ServerNotice reason) {
            events.add("drop:" + reason);
        }

        @Override
        public void onReadComplete() {
        }

        @Override
        public void onEndOfInput() {
            events.add("end");
        }

        @Override
        public void onFailure(Throwable cause) {
            events.add("failure:" + cause.getMessage());
        }

        @Override
        public void onWritabilityChanged(boolean writable) {
        }

        @Override
        public void onClosed() {
            events.add("closed");
        }
    }

    private static List<String> decode(byte[] input, int cut, boolean direct, boolean endOfInput) {
        final Recorder recorder = new Recorder();
        final EmbeddedChannel channel = new EmbeddedChannel(new LineFrameDecoder(16, recorder, new byte[7]));
        final List<ByteBuf> sent = new ArrayList<>();
        for (int[] range : new int[][]{{0, cut}, {cut, input.length}}) {
            final ByteBuf chunk = direct ? PooledByteBufAllocator.DEFAULT.directBuffer() : Unpooled.buffer();
            chunk.writeBytes(input, range[0], range[1] - range[0]);
            sent.add(chunk);
            channel.writeInbound(chunk);
        }
        if (endOfInput) {
            channel.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
        }
        for (ByteBuf chunk : sent) {
            assertEquals(0, chunk.refCnt(), "the decoder releases what it reads");
        }
        assertFalse(channel.finish(), "nothing passes the decoder");
        return recorder.events;
    }

    private static void assertEverySplit(String text, boolean endOfInput, List<String> expected) {
        final byte[] input = text.getBytes(StandardCharsets.UTF_8);
        for (int cut = 0; cut <= input.length; cut++) {
            for (boolean direct : new boolean[]{true, false}) {
                final List<String> events = decode(input, cut, direct, endOfInput);
                events.remove("closed");
                assertEquals(expected, events, "cut at " + cut + (direct ? ", direct" : ", heap"));
            }
        }
    }

    @Test
    void lines_come_out_whole_however_the_bytes_arrive() {
        assertEverySplit("héllo\r\n\nbye 😀\n", false, List.of("line:héllo", "line:", "line:bye 😀"));
    }

    @Test
    void the_last_line_is_delivered_at_end_of_input() {
        assertEverySplit("one\nlast", true, List.of("line:one", "line:last", "end"));
    }

    @Test
    void over_long_and_invalid_lines_are_dropped_with_their_reason() {
        assertEverySplit("0123456789abcdefXY\nok\n", false, List.of("drop:LINE_TOO_LONG", "line:ok"));
        final byte[] invalid = {'a', (byte) 0xFF, '\n', 'b', '\n'};
        for (int cut = 0; cut <= invalid.length; cut++) {
            assertEquals(List.of("drop:INVALID_UTF8", "line:b", "closed"), decode(invalid, cut, true, false));
        }
    }

    @Test
    void a_failure_delivers_nothing_unfinished() {
        final Recorder recorder = new Recorder();
        final EmbeddedChannel channel = new EmbeddedChannel(new LineFrameDecoder(16, recorder, new byte[7]));
        channel.writeInbound(Unpooled.copiedBuffer("half a line", StandardCharsets.UTF_8));
        channel.pipeline().fireExceptionCaught(new IOException("Connection reset by peer"));
        channel.finish();
        assertEquals(List.of("failure:Connection reset by peer", "closed"), recorder.events);
    }

    @Test
    void bytes_of_a_closing_connection_are_released_and_ignored() {
        final Recorder recorder = new Recorder();
        recorder.accept = false;
        final EmbeddedChannel channel = new EmbeddedChannel(new LineFrameDecoder(16, recorder, new byte[7]));
        final ByteBuf late = Unpooled.copiedBuffer("late\n", StandardCharsets.UTF_8);
        channel.writeInbound(late);
        assertEquals(0, late.refCnt());
        channel.finish();
        assertEquals(List.of("closed"), recorder.events);
    }
}
