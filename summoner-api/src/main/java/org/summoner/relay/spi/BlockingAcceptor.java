package org.summoner.relay.spi;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.summoner.relay.config.TcpKeepalive;
import org.summoner.relay.counters.LogThrottle;
import org.summoner.relay.counters.RelayCounters;
import org.summoner.relay.policy.AdmissionControl;
import org.summoner.relay.stream.ClientSockets;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;

/**
 * An acceptor thread's loop for engines built on {@code java.nio} channels: blocks in {@code accept()}, applies
 * admission ({@link AdmissionControl}: quarantine, connection limits), tells a refused client why in one line and
 * closes it, makes an admitted socket non-blocking with the options every client gets ({@link ClientSockets}:
 * {@code TCP_NODELAY}, {@code tcp_keepalive}), and hands it to the engine.
 *
 * <p>When {@code accept()} fails (typically out of file descriptors) it counts the failure, logs a warning at most
 * every 10 s, sleeps {@code accept_error_backoff_ms} and tries again, while the engine goes on serving. It ends
 * when the listening socket is closed ({@link #close()}).
 */
public final class BlockingAcceptor implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(BlockingAcceptor.class);
    private static final long WARNING_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);
    /** The kernel caps it at net.core.somaxconn. */
    private static final int ACCEPT_BACKLOG = 4096;

    /** Where admitted sockets go. */
    @FunctionalInterface
    public interface Handoff {
        /**
         * Takes an admitted, non-blocking socket.
         *
         * @return false when no engine thread can take it; the acceptor then closes it and releases its admission.
         */
        boolean adopt(SocketChannel channel, InetSocketAddress remote);
    }

    private final ServerSocketChannel server;
    private final RelayCounters counters;
    /** Asked for the admission at each accept: a reload publishes a new one ({@code peer_trust}, {@code max_connections}). */
    private final EngineContext context;
    private final long backoffMillis;
    private final Handoff handoff;
    private final TcpKeepalive keepalive;
    private volatile boolean closed;
    private final LogThrottle warnings = new LogThrottle(WARNING_INTERVAL_NANOS);

    /** @return a socket bound to the context's address; the caller closes it if it cannot go on. */
    public static ServerSocketChannel bind(EngineContext context) throws IOException {
        final ServerSocketChannel server = ServerSocketChannel.open();
        try {
            ReusePort.apply(server, context.config());
            server.bind(context.bindAddress(), ACCEPT_BACKLOG);
            return server;
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
    }

    public BlockingAcceptor(ServerSocketChannel server, EngineContext context, Handoff handoff) {
        this.server = server;
        this.counters = context.counters();
        this.context = context;
        this.backoffMillis = context.policy().acceptErrorBackoffMillis();
        this.handoff = handoff;
        this.keepalive = context.config().hyperParameters().tcpKeepalive();
    }

    @Override
    public void run() {
        while (!closed) {
            final SocketChannel channel;
            try {
                channel = server.accept();
            } catch (ClosedChannelException e) {
                return; // close() closed the listening socket
            } catch (IOException e) {
                if (closed) {
                    return;
                }
                backOff(e);
                continue;
            }
            final InetSocketAddress remote;
            try {
                remote = (InetSocketAddress) channel.getRemoteAddress();
            } catch (IOException e) {
                closeQuietly(channel);
                continue;
            }
            final AdmissionControl.Rejection rejection = context.policy().admission().admit(remote.getAddress(), System.nanoTime());
            if (rejection != null) {
                refuse(channel, remote, rejection);
                continue;
            }
            try {
                channel.configureBlocking(false);
                ClientSockets.configure(channel, keepalive);
            } catch (IOException e) {
                log.debug("dropping a connection that failed set-up: {}", e.toString());
                closeQuietly(channel);
                context.policy().admission().release(remote.getAddress());
                continue;
            }
            if (!handoff.adopt(channel, remote)) {
                log.error("no engine thread is alive; refusing {}", remote);
                closeQuietly(channel);
                context.policy().admission().release(remote.getAddress());
            }
        }
    }

    /** Stops the loop: closes the listening socket, which wakes {@code accept()}. */
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException e) {
            log.debug("closing the listening socket: {}", e.toString());
        }
    }

    /** Typically EMFILE: back off, then try again; descriptors free up as clients leave. */
    private void backOff(IOException e) {
        counters.acceptFailed();
        if (warnings.tryLog(System.nanoTime()) >= 0) {
            log.warn("accept failed: {}; retrying every {} ms (failures are counted, and logged at most every {} s)",
                    e.toString(), backoffMillis, TimeUnit.NANOSECONDS.toSeconds(WARNING_INTERVAL_NANOS));
        }
        try {
            Thread.sleep(backoffMillis);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            closed = true;
        }
    }

    /**
     * Tells a refused client why, in one line, and closes it. The socket is still blocking and its send buffer
     * empty, so a line this short is written at once.
     */
    private void refuse(SocketChannel channel, InetSocketAddress remote, AdmissionControl.Rejection rejection) {
        counters.connectionRejected(rejection.reason());
        log.debug("refused {}: {}", remote, rejection.reason());
        try {
            final ByteBuffer line = ByteBuffer.wrap(rejection.line());
            while (line.hasRemaining()) {
                channel.write(line);
            }
            channel.shutdownOutput();
        } catch (IOException e) {
            log.debug("could not tell {} why it was refused: {}", remote, e.toString());
        }
        closeQuietly(channel);
    }

    private static void closeQuietly(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // The connection is being dropped either way.
        }
    }
}
