package org.summoner.relay.netty;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The handler on an {@link EmbeddedChannel}: every byte reaches the session in order, from direct and heap buffers
 * cut anywhere and copied through a scratch smaller than a read; every buffer is released; the connection's events
 * arrive in order.
 */
@ExtendWith(LeakWatch.class)
class SessionHandlerTest {

    /** Records what the handler reports. */
    private static final class Recorder implements SessionHandler.Events {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final List<String> events = new ArrayList<>();
        int longestChunk;

        @Override
        public void onBytes(byte[] buffer, int offset, int length) {
            bytes.write(buffer, offset, length);
            longestChunk = Math.max(longestChunk, length);
        }

        @Override
        public void onReadComplete() {
            events.add("read complete");
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
        public void onTlsReady() {
            events.add("tls ready");
        }

        @Override
        public void onTlsFailed(Throwable cause) {
            events.add("tls failed:" + cause.getMessage());
        }

        @Override
        public void onClosed() {
            events.add("closed");
        }
    }

    @Test
    void every_byte_reaches_the_session_in_order_however_it_arrives_and_every_buffer_is_released() {
        final byte[] input = "héllo\r\n\nbye 😀\n a longer tail past the scratch".getBytes(StandardCharsets.UTF_8);
        for (int cut = 0; cut <= input.length; cut++) {
            for (boolean direct : new boolean[]{true, false}) {
                final Recorder recorder = new Recorder();
                final EmbeddedChannel channel = new EmbeddedChannel(new SessionHandler(recorder, new byte[7]));
                final List<ByteBuf> sent = new ArrayList<>();
                for (int[] range : new int[][]{{0, cut}, {cut, input.length}}) {
                    final ByteBuf chunk = direct ? PooledByteBufAllocator.DEFAULT.directBuffer() : Unpooled.buffer();
                    chunk.writeBytes(input, range[0], range[1] - range[0]);
                    sent.add(chunk);
                    channel.writeInbound(chunk);
                }
                channel.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
                for (ByteBuf chunk : sent) {
                    assertEquals(0, chunk.refCnt(), "the handler releases what it reads");
                }
                assertFalse(channel.finish(), "nothing passes the handler");
                final String where = "cut at " + cut + (direct ? ", direct" : ", heap");
                assertEquals(new String(input, StandardCharsets.UTF_8), recorder.bytes.toString(StandardCharsets.UTF_8), where);
                assertEquals(List.of("read complete", "read complete", "end", "closed"), recorder.events, where);
                if (direct) {
                    assertTrue(recorder.longestChunk <= 7, "a direct buffer is copied through the scratch: " + where);
                }
            }
        }
    }

    @Test
    void a_failure_is_reported_then_the_close() {
        final Recorder recorder = new Recorder();
        final EmbeddedChannel channel = new EmbeddedChannel(new SessionHandler(recorder, new byte[7]));
        channel.pipeline().fireExceptionCaught(new IOException("Connection reset by peer"));
        channel.finish();
        assertEquals(List.of("failure:Connection reset by peer", "closed"), recorder.events);
    }
}
