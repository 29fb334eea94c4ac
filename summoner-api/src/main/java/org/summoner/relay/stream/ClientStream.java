package org.summoner.relay.stream;

import org.summoner.relay.spi.serial.Client;
import org.summoner.relay.spi.serial.SocketRoom;
import org.summoner.relay.tls.ServerTls;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * A client's connection as a reader and a writer thread use it, plain or over TLS alike: the engine opens it, reads
 * into its {@link Client}, writes what the client hands out, and never asks which it is. {@link #of} makes the right
 * one: the {@link WaitingChannel} itself, or a {@link TlsStream} over it.
 *
 * <p>One reader thread ({@link #open}, {@link #read}, {@link #endOfStream}, {@link #failed}) and one writer thread
 * ({@link #write}, {@link #shutdownOutput}).
 */
public interface ClientStream {
    /** @return the plain stream of {@code channel}, or TLS over it when {@code tls} is not null. */
    static ClientStream of(WaitingChannel channel, ServerTls tls, InetSocketAddress remote) {
        return tls == null ? channel : new TlsStream(channel, tls, remote);
    }

    /**
     * Makes the connection ready to carry lines, on the reader thread: nothing to do in plain TCP; the handshake over
     * TLS. When it cannot carry lines (the client closed, or spoke plaintext to the TLS port and was told so), the
     * client is told how it ended and the connection is done with.
     *
     * @return true when {@link Client#start()} may follow and reading begin.
     */
    boolean open(Client client) throws IOException, InterruptedException;

    /** @return how large the reader's buffer for {@link #read} must be. */
    int readBytes();

    /**
     * Reads what the client sent, waiting until it sent something.
     *
     * @return the bytes read, at least 1; -1 at the end of the stream.
     */
    int read(ByteBuffer into) throws IOException;

    /** The client closed its side ({@link #read} returned -1): tells {@code client}, with TLS's answer to give. */
    void endOfStream(Client client) throws InterruptedException;

    /** Reading failed with {@code cause}: over TLS a failed handshake is counted and an alert sent, best effort. */
    void failed(IOException cause);

    /**
     * Writes all of {@code buffers}, waiting for room (told to {@code room}: a full socket is a real backlog).
     *
     * @return the bytes of {@code buffers} written.
     */
    long write(ByteBuffer[] buffers, SocketRoom room) throws IOException;

    /** Shuts output down after what was written (over TLS, {@code close_notify} first), on the writer thread. */
    void shutdownOutput() throws IOException;
}
