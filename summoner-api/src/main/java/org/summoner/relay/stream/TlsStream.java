package org.summoner.relay.stream;

import org.summoner.relay.spi.serial.Client;
import org.summoner.relay.spi.serial.SocketRoom;
import org.summoner.relay.tls.ServerTls;
import org.summoner.relay.wire.RemoteAddresses;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;

/**
 * TLS over a {@link WaitingChannel}, for an engine with a reader and a writer thread per connection: the reader runs
 * the handshake ({@link #open}) and reads plaintext ({@link #read}); the writer encrypts ({@link #write}) and
 * shuts output with {@code close_notify} ({@link #shutdownOutput}). What {@link ServerTls} decides (protocols, client
 * certificates, refused renegotiations, the accounting of failures, the plaintext client's notice) is the same as on
 * every engine.
 *
 * <p>Records leave in order: every wrap and its write hold one lock. A record the reader must send (the handshake, a
 * TLS 1.3 key update's answer) waits for the writer's write to finish; the answer to the client's
 * {@code close_notify} and the alert after a failure are best effort and never wait for a full socket.
 *
 * <p>One reader thread and one writer thread.
 */
public final class TlsStream implements ClientStream {
    private static final ByteBuffer NOTHING = ByteBuffer.allocate(0);

    private final WaitingChannel channel;
    private final SSLEngine engine;
    private final ServerTls tls;
    private final String remoteAddr;
    private final ReentrantLock wrapping = new ReentrantLock();
    /** Ciphertext read and not yet unwrapped, in fill mode; the reader's. */
    private final ByteBuffer in;
    /** Ciphertext made by a wrap; under {@link #wrapping}. */
    private final ByteBuffer out;
    private final int applicationBytes;
    private volatile boolean ready;
    private boolean refused;
    private boolean inboundClosed;
    /** A TLS failure met after plaintext that was returned first; thrown by the next {@link #read}. */
    private SSLException failure;

    public TlsStream(WaitingChannel channel, ServerTls tls, InetSocketAddress remote) {
        this.channel = channel;
        this.tls = tls;
        this.engine = tls.newEngine(remote);
        this.remoteAddr = RemoteAddresses.format(remote);
        final int packet = engine.getSession().getPacketBufferSize();
        this.in = ByteBuffer.allocate(2 * packet);
        this.out = ByteBuffer.allocate(packet);
        this.applicationBytes = engine.getSession().getApplicationBufferSize();
    }

    /** @return the free room {@link #read} needs in its buffer: the TLS session's largest plaintext record. */
    @Override
    public int readBytes() {
        return applicationBytes;
    }

    /**
     * Runs the handshake ({@link #handshake()}); a client that closed first is told it ended, and a plaintext client,
     * told so in plaintext, is closed when it closes or after the linger, what it sends meanwhile read and dropped.
     */
    @Override
    public boolean open(Client client) throws IOException, InterruptedException {
        final Handshake handshake = handshake();
        if (handshake == Handshake.DONE) {
            return true;
        }
        if (handshake == Handshake.PLAINTEXT) {
            client.closeAfterLinger();
            drain();
        }
        client.endOfStream(null);
        return false;
    }

    /** The client's {@code close_notify} or FIN: what it sent is relayed, then ours is answered ({@link #answerClose}). */
    @Override
    public void endOfStream(Client client) throws InterruptedException {
        client.endOfStream(this::answerClose);
    }

    /** How {@link #handshake()} ended. */
    private enum Handshake {
        /** Done: start the session, then {@link #read}. */
        DONE,
        /** The client closed before it was done: the connection only ends. */
        CLOSED,
        /**
         * The client did not open with a TLS record: it was told in plaintext ({@link ServerTls#plaintextNotice()}),
         * counted and logged, and its output shut; {@link #drain()} what it sends until it closes.
         */
        PLAINTEXT
    }

    /**
     * Runs the handshake, on the reader thread.
     *
     * @throws SSLException when the handshake fails ({@link #failed} counts it).
     */
    private Handshake handshake() throws IOException {
        engine.beginHandshake();
        if (channel.read(in) < 0) {
            return Handshake.CLOSED;
        }
        if (!ServerTls.opensTls(in.get(0))) {
            refused = true;
            tls.plaintextRefused(remoteAddr);
            channel.write(ByteBuffer.wrap(ServerTls.plaintextNotice()), null);
            channel.shutdownOutput();
            return Handshake.PLAINTEXT;
        }
        SSLEngineResult.HandshakeStatus status = engine.getHandshakeStatus();
        while (true) {
            switch (status) {
                case NEED_TASK -> status = ServerTls.runDelegatedTasks(engine);
                case NEED_WRAP -> status = wrapAndSend(null);
                case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
                    in.flip();
                    final SSLEngineResult result = engine.unwrap(in, ByteBuffer.allocate(applicationBytes));
                    in.compact();
                    status = result.getHandshakeStatus();
                    if (result.getStatus() == SSLEngineResult.Status.CLOSED) {
                        throw new SSLException("the client closed TLS during its handshake");
                    }
                    if (result.getStatus() == SSLEngineResult.Status.BUFFER_UNDERFLOW && channel.read(in) < 0) {
                        return Handshake.CLOSED;
                    }
                }
                default -> { // FINISHED, NOT_HANDSHAKING
                    ready = true;
                    return Handshake.DONE;
                }
            }
        }
    }

    /** Reads and drops what a refused plaintext client sends, until it closes or its socket is closed. */
    private void drain() throws IOException {
        in.clear();
        while (channel.read(in) >= 0) {
            in.clear();
        }
    }

    /**
     * Reads plaintext into {@code into} (at least the session's application buffer size free), waiting for the client.
     *
     * @return the plaintext bytes, at least 1; -1 at the end of the stream or the client's {@code close_notify}.
     */
    @Override
    public int read(ByteBuffer into) throws IOException {
        if (failure != null) {
            throw failure;
        }
        while (!inboundClosed) {
            int produced = 0;
            in.flip();
            try {
                while (in.hasRemaining() && into.remaining() >= applicationBytes) {
                    final SSLEngineResult result;
                    try {
                        result = engine.unwrap(in, into);
                    } catch (SSLException e) {
                        if (produced == 0) {
                            throw e;
                        }
                        failure = e; // what came before a bad record or a refused renegotiation is the client's
                        return produced;
                    }
                    produced += result.bytesProduced();
                    if (result.getStatus() == SSLEngineResult.Status.CLOSED) {
                        inboundClosed = true;
                        break;
                    }
                    answerHandshake(result.getHandshakeStatus()); // a TLS 1.3 key update; renegotiation is refused
                    if (result.getStatus() == SSLEngineResult.Status.BUFFER_UNDERFLOW
                            || (result.bytesConsumed() == 0 && result.bytesProduced() == 0)) {
                        break;
                    }
                }
            } finally {
                in.compact();
            }
            if (produced > 0) {
                return produced;
            }
            if (!inboundClosed && channel.read(in) < 0) {
                return -1;
            }
        }
        return -1;
    }

    /**
     * Encrypts and writes all of {@code src}, waiting for room (told to {@code room}). Output the client closed (its
     * {@code close_notify} under TLS 1.2 closes ours) can never be written: it waits, reported full, until the core
     * closes the connection.
     *
     * @return the plaintext bytes written.
     */
    @Override
    public long write(ByteBuffer[] src, SocketRoom room) throws IOException {
        wrapping.lock();
        try {
            long taken = 0;
            while (remaining(src)) {
                out.clear();
                final SSLEngineResult result = engine.wrap(src, out);
                taken += result.bytesConsumed();
                out.flip();
                channel.write(out, room);
                if (result.getStatus() == SSLEngineResult.Status.CLOSED) {
                    channel.awaitClose(room);
                }
            }
            return taken;
        } finally {
            wrapping.unlock();
        }
    }

    /** Sends {@code close_notify} after what was written, then a FIN; on the writer thread. */
    @Override
    public void shutdownOutput() throws IOException {
        wrapping.lock();
        try {
            engine.closeOutbound();
            wrapAndSend(null);
            channel.shutdownOutput();
        } finally {
            wrapping.unlock();
        }
    }

    /**
     * The client's {@code close_notify} was read and what it sent relayed: ours goes back, best effort, and never
     * while the writer waits for a full socket (the client would read it inside a record, or never).
     */
    private void answerClose() {
        sendNow(true);
    }

    /**
     * Reading failed: a failed handshake is counted and logged ({@link ServerTls#handshakeFailed}), and a TLS failure
     * answered with the alert the engine holds, best effort.
     */
    @Override
    public void failed(IOException cause) {
        if (refused || !(cause instanceof SSLException)) {
            return;
        }
        if (!ready) {
            tls.handshakeFailed(remoteAddr, cause);
        }
        sendNow(false);
    }

    // ---- inside ----

    private void answerHandshake(SSLEngineResult.HandshakeStatus status) throws IOException {
        while (status == SSLEngineResult.HandshakeStatus.NEED_TASK || status == SSLEngineResult.HandshakeStatus.NEED_WRAP) {
            if (status == SSLEngineResult.HandshakeStatus.NEED_TASK) {
                status = ServerTls.runDelegatedTasks(engine);
            } else {
                status = wrapAndSend(null); // holds the wrapping lock itself
            }
        }
    }

    /** Wraps what the engine has to send without plaintext and writes it, waiting for room. */
    private SSLEngineResult.HandshakeStatus wrapAndSend(SocketRoom room) throws IOException {
        wrapping.lock();
        try {
            SSLEngineResult result;
            do {
                out.clear();
                result = engine.wrap(NOTHING, out);
                out.flip();
                if (out.hasRemaining()) {
                    channel.write(out, room);
                }
            } while (result.getStatus() == SSLEngineResult.Status.OK && result.bytesProduced() > 0
                    && result.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NEED_WRAP);
            return result.getHandshakeStatus();
        } finally {
            wrapping.unlock();
        }
    }

    /** Closes output and sends the closing record with one write attempt: best effort, never waiting. */
    private void sendNow(boolean closeOutbound) {
        try {
            while (!wrapping.tryLock(1, TimeUnit.MILLISECONDS)) {
                if (channel.waitingForRoom() || channel.isClosed()) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        try {
            if (closeOutbound) {
                engine.closeOutbound();
            }
            out.clear();
            engine.wrap(NOTHING, out);
            out.flip();
            if (out.hasRemaining()) {
                channel.socket().write(out);
            }
        } catch (IOException | RuntimeException ignored) {
            // Best effort: the connection ends either way.
        } finally {
            wrapping.unlock();
        }
    }

    private static boolean remaining(ByteBuffer[] buffers) {
        for (ByteBuffer buffer : buffers) {
            if (buffer.hasRemaining()) {
                return true;
            }
        }
        return false;
    }
}
