package org.summoner.relay.netty;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;

/**
 * The inbound end of a client's pipeline: hands what the client sends, as byte ranges, and every connection event to
 * its connection ({@link Events}), which feeds its session; framing and every check are the session's. No object is
 * created per read. Every buffer it receives is released here.
 *
 * <p>The channel runs with {@code ALLOW_HALF_CLOSURE}: end of input arrives as a {@link ChannelInputShutdownEvent},
 * after which the unfinished last line is relayed; a reset arrives as an exception, after which it is not.
 *
 * <p>One per channel; called on the channel's event loop only.
 */
final class SessionHandler extends ChannelInboundHandlerAdapter {
    /** What a connection does with what its client sends. */
    interface Events {
        /** Bytes from the client, valid during the call. */
        void onBytes(byte[] bytes, int offset, int length);

        /** A read batch ended ({@code channelReadComplete}). */
        void onReadComplete();

        /** The client closed its side. */
        void onEndOfInput();

        /** The connection failed (typically a reset). */
        void onFailure(Throwable cause);

        /** The channel's writability changed with its write-buffer water marks. */
        void onWritabilityChanged(boolean writable);

        /** The TLS handshake is done ({@code tls}). */
        void onTlsReady();

        /** The TLS handshake failed ({@code tls}). */
        void onTlsFailed(Throwable cause);

        /** The channel is closed. */
        void onClosed();
    }

    private final Events events;
    /** Where bytes of a direct buffer are copied for the session; shared by the channels of one event loop. */
    private final byte[] scratch;

    SessionHandler(Events events, byte[] scratch) {
        this.events = events;
        this.scratch = scratch;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        final ByteBuf bytes = (ByteBuf) msg;
        try {
            final int readable = bytes.readableBytes();
            if (bytes.hasArray()) {
                events.onBytes(bytes.array(), bytes.arrayOffset() + bytes.readerIndex(), readable);
                return;
            }
            int index = bytes.readerIndex();
            final int end = index + readable;
            while (index < end) {
                final int chunk = Math.min(scratch.length, end - index);
                bytes.getBytes(index, scratch, 0, chunk);
                events.onBytes(scratch, 0, chunk);
                index += chunk;
            }
        } finally {
            bytes.release();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        events.onReadComplete();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof ChannelInputShutdownEvent) {
            events.onEndOfInput();
            return;
        }
        if (event instanceof SslHandshakeCompletionEvent handshake) {
            if (handshake.isSuccess()) {
                events.onTlsReady();
            } else {
                events.onTlsFailed(handshake.cause());
            }
            return;
        }
        ctx.fireUserEventTriggered(event);
    }

    /**
     * A reset, or over TLS an error after the handshake (a bad record; a renegotiation, which the engine refused and
     * counted, then {@code SslHandler} closed the channel): the connection's failure, a DEBUG line without its trace.
     */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        events.onFailure(cause);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        events.onWritabilityChanged(ctx.channel().isWritable());
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        events.onClosed();
    }
}
