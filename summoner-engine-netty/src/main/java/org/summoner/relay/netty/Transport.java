package org.summoner.relay.netty;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.ChannelOption;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioChannelOption;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import jdk.net.ExtendedSocketOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.summoner.relay.config.TcpKeepalive;
import org.summoner.relay.stream.ClientSockets;

import java.net.StandardSocketOptions;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The Netty transport, as {@code "netty": {"transport": ...}} asks ({@link NettySettings}): {@code epoll} (native
 * epoll), {@code nio} (Netty's transport on java.nio, any platform), or {@code auto}, native epoll where it works.
 * Native epoll asked for where it is not available falls back to NIO, and the reason is logged.
 */
record Transport(String name, IoHandlerFactory ioHandlerFactory, Class<? extends ServerChannel> serverChannel, boolean nativeEpoll) {
    private static final Logger log = LoggerFactory.getLogger(Transport.class);
    private static final AtomicBoolean LOGGED = new AtomicBoolean();

    static Transport choose(String wanted) {
        if (!wanted.equals(NettySettings.NIO)) {
            if (Epoll.isAvailable()) {
                return chosen(new Transport("native epoll", EpollIoHandler.newFactory(), EpollServerSocketChannel.class, true));
            }
            if (wanted.equals(NettySettings.EPOLL)) {
                log.warn("Netty transport native epoll is not available here ({}): using NIO", String.valueOf(Epoll.unavailabilityCause()));
            } else {
                log.info("Netty's native epoll is unavailable here: {}", String.valueOf(Epoll.unavailabilityCause()));
            }
        }
        return chosen(new Transport("NIO", NioIoHandler.newFactory(), NioServerSocketChannel.class, false));
    }

    /**
     * Gives every client socket {@code tcp_keepalive} ({@link ClientSockets} sets the same on the java.nio engines):
     * native epoll through its own options, Netty's NIO transport through the JDK's extended socket options.
     */
    void keepalive(ServerBootstrap bootstrap, TcpKeepalive keepalive) {
        if (keepalive == null) {
            return;
        }
        bootstrap.childOption(ChannelOption.SO_KEEPALIVE, true);
        if (nativeEpoll) {
            bootstrap.childOption(EpollChannelOption.TCP_KEEPIDLE, keepalive.idleSecs())
                    .childOption(EpollChannelOption.TCP_KEEPINTVL, keepalive.intervalSecs())
                    .childOption(EpollChannelOption.TCP_KEEPCNT, keepalive.count());
        } else if (ClientSockets.perSocketTimersSupported(keepalive)) {
            bootstrap.childOption(NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPIDLE), keepalive.idleSecs())
                    .childOption(NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPINTERVAL), keepalive.intervalSecs())
                    .childOption(NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPCOUNT), keepalive.count());
        }
    }

    /** Binds the listening socket with {@code SO_REUSEPORT} ({@code drain.reuse_port}, {@link ReusePort}). */
    void reusePort(ServerBootstrap bootstrap, boolean reusePort) {
        if (!reusePort) {
            return;
        }
        if (nativeEpoll) {
            bootstrap.option(EpollChannelOption.SO_REUSEPORT, true);
        } else {
            bootstrap.option(NioChannelOption.of(StandardSocketOptions.SO_REUSEPORT), true);
        }
    }

    /** Logs the transport at INFO the first time one is chosen in this JVM, at DEBUG after that. */
    private static Transport chosen(Transport transport) {
        if (LOGGED.compareAndSet(false, true)) {
            log.info("Netty transport: {}", transport.name());
        } else {
            log.debug("Netty transport: {}", transport.name());
        }
        return transport;
    }
}
