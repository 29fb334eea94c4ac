package org.summoner.relay.core;

/**
 * The engine's half of one connection, as its {@link Session} sees it: where the server's own lines for this client
 * go, and how it ends. Envelopes relayed from others do not pass here: the engine's {@link Dispatcher} queues them.
 *
 * <p>Called on the connection's engine thread only, but for {@link #backlogBytes()}.
 */
public interface SessionOutput {
    /**
     * Queues a line of the server's own (a notice) after what already waits for this client, under the same
     * {@code max_queued_bytes} bound as envelopes: a client that floods refused lines and never reads is closed, not
     * buffered for.
     */
    void send(byte[] line);

    /**
     * Writes what waits, then {@code line}, then shuts output down (a FIN after the last line, so the kernel never
     * resets it away, and {@link Session#outputShut()}). Reads go on only to see the client close; the core closes the
     * session ({@link #close()}) at the goodbye's deadline if it has not closed by then: the engine keeps no deadline.
     */
    void goodbye(byte[] line);

    /** Closes now; what waited for the client is dropped and counted. */
    void close();

    /**
     * Reads from this client ({@code true}, as at the start) or not ({@code false}) from now on, until told otherwise.
     * The core decides, for this client alone: not while its own pause runs (after invalid attempts; the core's timed
     * duties end it) nor while its session holds input it has not handled yet (its verification budget for the turn is
     * spent; {@link Dispatcher#resumeHeldInput()}); always once it is leaving, to see its client close. Bytes read
     * before the engine stops still go to {@link Session#onBytes}, which keeps them. The room's pause (throttle, flow
     * control: {@code ReadPause}) is the engine's to apply on top, to all its open clients. Writes go on.
     */
    void reading(boolean read);

    /**
     * @return the bytes queued for this client and not yet written to its socket, for monitoring ({@code /connz},
     *         {@code summoner_queued_bytes}). Called from any thread: a read of what the engine's thread keeps, as
     *         fresh as its last write, never a walk of its queues.
     */
    long backlogBytes();
}
