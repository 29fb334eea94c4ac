package org.summoner.relay.spi;

import org.summoner.relay.core.Route;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * A running relay: it accepts clients on one address and relays every line as the contract says (SPEC sections
 * 2 to 5). The conformance kit ({@code summoner-tck}) is the definition of "as the contract says".
 *
 * <p>Lifecycle: {@link #start()} once, then {@link #close()} once or more, from any thread.
 */
public interface RelayEngine extends AutoCloseable {
    /**
     * Binds the context's address and starts serving; returns once the socket listens.
     *
     * @throws java.net.BindException with the operating system's reason (e.g. {@code Address already in use})
     *                                when the address cannot be bound.
     * @throws IOException            on any other failure to start; nothing is left running.
     */
    void start() throws IOException;

    /**
     * @return the address actually bound (the real port when port 0 was asked for).
     * @throws IllegalStateException before {@link #start()} succeeded.
     */
    InetSocketAddress boundAddress();

    /**
     * @return what this engine alone can tell about its load, as gauges for {@code /metrics} (e.g. how full the
     *         Agrona rings are); none by default. Each gauge's value is read on a monitoring render thread, once per
     *         scrape (two scrapes may read it at once), so it must be a cheap, thread-safe read that never waits on an
     *         engine thread.
     */
    default List<EngineGauge> gauges() {
        return List.of();
    }

    /**
     * A line relayed by another node of the cluster ({@code cluster}, SPEC section 11): hands
     * {@code envelope[offset, offset + length)} (valid during the call only: copy it) to every session of this engine
     * that {@code route} includes ({@link org.summoner.relay.core.Route#includes}), on the threads that own them, the way
     * the engine hands a local line between its threads. It has no local sender. Called by one thread at a time (the
     * backplane's), in order; the engine keeps that order. While the engine's hand-off is over its high-water mark it
     * waits (bounded, checking for shutdown): that is the back pressure of the backplane. After {@link #close()} it
     * does nothing.
     *
     * @throws UnsupportedOperationException from an engine that cannot be a cluster node (every engine of this
     *                                       project can).
     */
    default void relayFromCluster(byte[] envelope, int offset, int length, Route route) {
        throw new UnsupportedOperationException(getClass().getName() + " cannot be a node of a cluster");
    }

    /**
     * Stops accepting, for a drain (a rolling upgrade): closes the listening socket, so the system sends new connections
     * to another process bound to the port ({@code drain.reuse_port}) or refuses them, and lets its acceptor thread
     * end. Nothing else: the clients connected are served on, and told to go by the core's drain schedule
     * ({@code core.Drain}). Idempotent; from any thread; never throws. {@link #close()} still stops everything.
     */
    void stopAccepting();

    /**
     * Stops gracefully: stops accepting, sends {@code Warning: Server is shutting down.} to every client, gives
     * the notices a bounded time to be written, closes every connection and ends the engine's threads.
     * Idempotent; blocks until done; never throws.
     */
    @Override
    void close();
}
