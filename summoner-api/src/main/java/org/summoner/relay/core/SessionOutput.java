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
     * resets it away) and closes once the client closes too, or at {@code deadlineNanos}. Reads go on only to see
     * the client close.
     */
    void goodbye(byte[] line, long deadlineNanos);

    /** Closes now; what waited for the client is dropped and counted. */
    void close();

    /**
     * Reads nothing from this client until {@code untilNanos} (a per-client throttle, e.g. after invalid attempts);
     * a later call extends the pause, never shortens it. Writes go on.
     */
    void pauseReading(long untilNanos);

    /**
     * Stops ({@code true}) or resumes ({@code false}) reading from this client, for no time in particular: its
     * session holds input it has not handled yet (its verification budget for the turn is spent) and takes it up on a
     * later turn ({@link Dispatcher#resumeHeldInput()}). Bytes read before the engine stops still go to
     * {@link Session#onBytes}, which keeps them after the others; reading resumes once they are handled. Independent
     * of {@link #pauseReading}: reading goes on when neither holds it.
     */
    void holdReads(boolean hold);

    /**
     * @return the bytes queued for this client and not yet written to its socket, for monitoring ({@code /connz},
     *         {@code summoner_queued_bytes}). Called from any thread: a read of what the engine's thread keeps, as
     *         fresh as its last write, never a walk of its queues.
     */
    long backlogBytes();
}
