package org.summoner.relay.spi;

import org.summoner.relay.core.Route;

import java.io.Closeable;
import java.net.InetSocketAddress;

/**
 * The relay as an engine without loops of its own sees it (threads per connection): it hands each admitted socket
 * over ({@link #connect}) and calls the {@link Client} it gets from its threads; the relay does framing, routing,
 * the outbound queue and its budget, read pauses, timers and shutdown. From {@link EngineContext#relay}.
 *
 * <p>Thread-safe.
 */
public interface Relay {
    /**
     * An admitted client: in the room from now on. Call {@link Client#start()} when it can carry lines (at once, or
     * over TLS once its handshake is done).
     *
     * @param connection what the relay closes when the client's session ends (the socket): closing it must wake the
     *                   engine's threads blocked on it.
     * @return the client, or null when the server is shutting down (the connection is closed and its admission
     *         released).
     */
    Client connect(InetSocketAddress remote, Closeable connection);

    /** A line from another node of the cluster ({@link RelayEngine#relayFromCluster}): queued for every client it reaches. */
    void relayFromCluster(byte[] envelope, int offset, int length, Route route);

    /**
     * Server shutdown: every client is told {@code Warning: Server is shutting down.}, given two seconds to read it
     * and go, and closed; the relay's timer thread ends. Blocks until done.
     */
    void shutdown();
}
