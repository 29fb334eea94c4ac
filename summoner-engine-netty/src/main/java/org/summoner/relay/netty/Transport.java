package org.summoner.relay.netty;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The Netty transport: native epoll when Linux and the native library allow it, Netty's NIO transport otherwise.
 * The choice is logged once per JVM.
 */
record Transport(String name, IoHandlerFactory ioHandlerFactory, Class<? extends ServerChannel> serverChannel) {
    private static final Logger log = LoggerFactory.getLogger(Transport.class);
    private static final AtomicBoolean LOGGED = new AtomicBoolean();

    static Transport choose() {
        final Transport transport;
        if (Epoll.isAvailable()) {
            transport = new Transport("native epoll", EpollIoHandler.newFactory(), EpollServerSocketChannel.class);
            if (LOGGED.compareAndSet(false, true)) {
                log.info("Netty transport: native epoll");
            }
        } else {
            transport = new Transport("NIO", NioIoHandler.newFactory(), NioServerSocketChannel.class);
            if (LOGGED.compareAndSet(false, true)) {
                log.info("Netty transport: NIO (native epoll unavailable: {})", String.valueOf(Epoll.unavailabilityCause()));
            }
        }
        return transport;
    }
}
