package org.summoner.relay.spi.serial;

import java.nio.ByteBuffer;

/**
 * One client of a {@link Relay}, as the engine's threads see it: what they read goes in ({@link #received},
 * {@link #endOfStream}, {@link #failed}, {@link #fault}); what must be written comes out ({@link #take()}, then
 * {@link #wrote}); whether to read now is the relay's answer ({@link #awaitReading()}). The outbound queue is the
 * relay's: envelopes and notices wait there under {@code max_queued_bytes}, and a backlog is judged where it is real,
 * when the socket is full ({@link #full()}, told by {@code WaitingChannel.write}), never on time.
 *
 * <p>Thread-safe: a reader and a writer thread call it at once.
 */
public interface Client extends SocketRoom {
    /** {@link #take()}: shut output down now (a goodbye's last line is written). */
    ByteBuffer[] SHUT_OUTPUT = new ByteBuffer[0];

    /** @return the client as {@code remote_addr} shows it. */
    String remoteAddr();

    // ---- the reader ----

    /** The connection can carry lines (over TLS: its handshake is done). */
    void start();

    /**
     * Waits while reading from this client is paused (its own pause, input it holds, the room's throttle or flow
     * control); a client saying goodbye is read to see it close.
     *
     * @return false once the client is closed: stop reading.
     */
    boolean awaitReading() throws InterruptedException;

    /** Bytes the client sent. */
    void received(byte[] bytes, int offset, int length);

    /**
     * The client closed its side: once a write under way has an outcome (a reset the writer meets means the client
     * did not close cleanly: its unfinished line is not relayed), what it sent is relayed, {@code answer} runs (TLS's
     * {@code close_notify}; may be null) and the client is closed.
     */
    void endOfStream(Runnable answer) throws InterruptedException;

    /**
     * A connection that never becomes a client (a plaintext client on the TLS port, told so): closed when its client
     * closes, or after two seconds.
     */
    void closeAfterLinger();

    /** Reading or writing failed: the client is closed; a peer that stopped answering is counted and logged. */
    void failed(Throwable cause);

    /**
     * The engine's thread for this client met an exception nothing caught: counted and logged, and this client alone
     * is told and closed. An error the JVM cannot recover from (out of memory) makes the relay unhealthy; the engine's
     * thread returns.
     */
    void fault(Throwable error);

    // ---- the writer ----

    /**
     * Waits for what to write next.
     *
     * @return the buffers to write whole, then report with {@link #wrote}; {@link #SHUT_OUTPUT} when the goodbye is
     *         written and output must be shut (a FIN, after TLS's {@code close_notify}); null once the client is closed.
     */
    ByteBuffer[] take() throws InterruptedException;

    /** What {@link #take()} handed out is written, {@code bytes} of plaintext in all. */
    void wrote(long bytes);
}
