package org.summoner.relay.stream;

import jdk.net.ExtendedSocketOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.summoner.relay.config.TcpKeepalive;

import java.io.IOException;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.channels.NetworkChannel;
import java.nio.channels.SocketChannel;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The socket options every client connection gets, whatever the engine: {@code TCP_NODELAY} (a line goes out when it
 * is written), and {@code tcp_keepalive} ({@link TcpKeepalive}), so a peer that vanished without a FIN is found. An
 * engine on java.nio sockets calls {@link #configure}; an engine with sockets of its own (Netty's native epoll) sets
 * the same options its own way, from the same {@link TcpKeepalive}.
 */
public final class ClientSockets {
    private static final Logger log = LoggerFactory.getLogger(ClientSockets.class);
    private static final AtomicBoolean WARNED = new AtomicBoolean();

    private ClientSockets() {
    }

    /**
     * Sets {@code TCP_NODELAY} and, unless {@code keepalive} is null, {@code SO_KEEPALIVE} with its idle, interval and
     * count. Where the platform has no per-socket keepalive timers (the JDK's {@link ExtendedSocketOptions} are not
     * supported), {@code SO_KEEPALIVE} alone is set, with the system's timers, and that is logged once.
     */
    public static void configure(NetworkChannel channel, TcpKeepalive keepalive) throws IOException {
        channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        if (keepalive == null) {
            return;
        }
        channel.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
        if (!supported(channel)) {
            warnUnsupported(keepalive);
            return;
        }
        channel.setOption(ExtendedSocketOptions.TCP_KEEPIDLE, keepalive.idleSecs());
        channel.setOption(ExtendedSocketOptions.TCP_KEEPINTERVAL, keepalive.intervalSecs());
        channel.setOption(ExtendedSocketOptions.TCP_KEEPCOUNT, keepalive.count());
    }

    /**
     * @return whether this platform's TCP sockets take per-socket keepalive timers, asked of a socket that is never
     *         connected; for an engine that sets options by name (Netty's NIO transport), which must not ask for one
     *         the platform lacks. When it does not, that is logged once.
     */
    public static boolean perSocketTimersSupported(TcpKeepalive keepalive) {
        try (SocketChannel probe = SocketChannel.open()) {
            if (supported(probe)) {
                return true;
            }
        } catch (IOException e) {
            log.debug("could not open a socket to ask for its options: {}", e.toString());
        }
        warnUnsupported(keepalive);
        return false;
    }

    private static void warnUnsupported(TcpKeepalive keepalive) {
        if (WARNED.compareAndSet(false, true)) {
            log.warn("this platform does not set TCP keepalive timers per socket; tcp_keepalive uses the system's "
                    + "(a vanished peer may hold its connection longer than {} s)", keepalive.boundSecs());
        }
    }

    private static boolean supported(NetworkChannel channel) {
        final Set<SocketOption<?>> options = channel.supportedOptions();
        return options.contains(ExtendedSocketOptions.TCP_KEEPIDLE) && options.contains(ExtendedSocketOptions.TCP_KEEPINTERVAL)
                && options.contains(ExtendedSocketOptions.TCP_KEEPCOUNT);
    }

    /**
     * @return whether a failed read or write means the peer stopped answering: keepalive probes or retransmissions
     *         went unacknowledged ({@code ETIMEDOUT}), as opposed to a reset or a close it sent. Read from the
     *         exception's message (the JDK keeps no errno), which is the C library's English text unless the process
     *         runs under another C locale; there such a close is taken as an ordinary one (freed, not counted).
     */
    public static boolean peerStoppedAnswering(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            final String message = cause.getMessage();
            if (cause instanceof IOException && message != null
                    && (message.contains("Connection timed out") || message.contains("Operation timed out"))) {
                return true;
            }
        }
        return false;
    }
}
