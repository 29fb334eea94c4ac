package org.summoner.relay.netty;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import org.summoner.relay.wire.LineFramer;
import org.summoner.relay.wire.LineHandler;

/**
 * The inbound end of a client's pipeline: frames its bytes with the API's {@link LineFramer}, so the framing rules
 * are the contract's by construction (bounded, discarding state for an over-long line, CRLF, UTF-8 check), and
 * hands every line and every connection event to {@link Lines}. No object is created per line. Every buffer it
 * receives is released here.
 *
 * <p>The channel runs with {@code ALLOW_HALF_CLOSURE}: end of input arrives as a {@link ChannelInputShutdownEvent},
 * after which the unfinished last line is delivered; a reset arrives as an exception, after which it is not.
 *
 * <p>One per channel; called on the channel's event loop only.
 */
final class LineFrameDecoder extends ChannelInboundHandlerAdapter {
    /** What a connection does with what its client sends. */
    interface Lines extends LineHandler {
        /** @return false to discard these bytes (the connection is closing). */
        boolean onBytes(int count);

        /** A read batch ended ({@code channelReadComplete}). */
        void onReadComplete();

        /** The client closed its side; its last line, if any, was just delivered. */
        void onEndOfInput();

        /** The connection failed (typically a reset); nothing unfinished is delivered. */
        void onFailure(Throwable cause);

        /** The channel's writability changed with its write-buffer water marks. */
        void onWritabilityChanged(boolean writable);

        /** The channel is closed. */
        void onClosed();
    }

    private final LineFramer framer;
    private final Lines lines;
    /** Where bytes of a direct buffer are copied for the framer; shared by the channels of one event loop. */
    private final byte[] scratch;

    LineFrameDecoder(int maxLineBytes, Lines lines, byte[] scratch) {
        this.framer = new LineFramer(maxLineBytes);
        this.lines = lines;
        this.scratch = scratch;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        final ByteBuf bytes = (ByteBuf) msg;
        try {
            final int readable = bytes.readableBytes();
            if (!lines.onBytes(readable)) {
                return;
            }
            if (bytes.hasArray()) {
                framer.onBytes(bytes.array(), bytes.arrayOffset() + bytes.readerIndex(), readable, lines);
                return;
            }
            int index = bytes.readerIndex();
            final int end = index + readable;
            while (index < end) {
                final int chunk = Math.min(scratch.length, end - index);
                bytes.getBytes(index, scratch, 0, chunk);
                framer.onBytes(scratch, 0, chunk, lines);
                index += chunk;
            }
        } finally {
            bytes.release();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        lines.onReadComplete();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof ChannelInputShutdownEvent) {
            framer.onEndOfStream(lines);
            lines.onEndOfInput();
            return;
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        lines.onFailure(cause);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        lines.onWritabilityChanged(ctx.channel().isWritable());
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        lines.onClosed();
    }
}
