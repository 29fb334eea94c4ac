package org.summoner.relay.spi.serial;

import org.summoner.relay.spi.EngineContext;

import java.io.Closeable;
import java.net.InetSocketAddress;

/**
 * The relay as an engine without loops of its own sees it (threads per connection): it hands each admitted socket
 * over ({@link #connect}) and calls the {@link Client} it gets from its threads; the relay does framing, routing,
 * the outbound queue and its budget, read pauses, timers, lines from other nodes of a cluster, and shutdown. From
 * {@link EngineContext#relay}.
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

    /**
     * The engine could not serve an admitted socket (out of descriptors, threads or memory): the relay closes
     * {@code connection}, ends {@code client}'s session when it was connected (null: not yet, and its admission is
     * released), and logs a WARN line naming the client and the error, at most every 10 s.
     */
    void couldNotServe(InetSocketAddress remote, Closeable connection, Client client, Throwable error);

    /**
     * Server shutdown: every client is told {@code Warning: Server is shutting down.}, given two seconds to read it
     * and go, and closed; the relay's timer thread ends. Blocks until done.
     */
    void shutdown();
}
