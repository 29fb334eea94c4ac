package org.summoner.relay.netty;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.ssl.SslHandler;
import org.summoner.relay.tls.ServerTls;

import java.net.InetSocketAddress;
import java.util.List;

/**
 * The first handler of a client's pipeline on a TLS port: its first byte decides. A TLS record puts Netty's
 * {@link SslHandler} in its place (what it read so far goes on to it); anything else is a plaintext client, told so
 * in plaintext ({@link ServerTls#plaintextNotice()}), counted, its output shut, and what it sends afterwards
 * dropped until it closes or its connection's goodbye deadline ({@link NettyConnection#refusedPlaintext}) passes.
 * The same test as the java.nio engines' ({@link ServerTls#opensTls}).
 *
 * <p>One per channel; called on its event loop only.
 */
final class TlsDetector extends ByteToMessageDecoder {
    private final ServerTls tls;
    private final NettyConnection connection;
    private boolean refused;

    TlsDetector(ServerTls tls, NettyConnection connection) {
        this.tls = tls;
        this.connection = connection;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (refused) {
            in.skipBytes(in.readableBytes());
            return;
        }
        if (!in.isReadable()) {
            return;
        }
        if (ServerTls.opensTls(in.getByte(in.readerIndex()))) {
            // The engine refuses a renegotiation itself (ServerTls.newEngine): SslHandler then closes the channel and
            // fires the exception, which SessionHandler takes as the connection's failure.
            final SslHandler ssl = new SslHandler(tls.newEngine((InetSocketAddress) ctx.channel().remoteAddress()));
            // No TLS deadline of Netty's own: the core closes a client that has not finished its handshake within
            // tls.handshake_timeout_secs, as on the other engines.
            ssl.setHandshakeTimeoutMillis(0);
            ctx.pipeline().replace(this, "tls", ssl);
            return;
        }
        refused = true;
        in.skipBytes(in.readableBytes());
        tls.plaintextRefused(connection.session.remoteAddr());
        ctx.writeAndFlush(Unpooled.wrappedBuffer(ServerTls.plaintextNotice())).addListener((ChannelFutureListener) written -> {
            if (written.isSuccess() && written.channel() instanceof DuplexChannel) {
                ((DuplexChannel) written.channel()).shutdownOutput();
            }
        });
        connection.refusedPlaintext();
    }
}
