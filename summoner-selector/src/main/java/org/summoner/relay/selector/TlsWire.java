package org.summoner.relay.selector;

import org.summoner.relay.tls.ServerTls;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.channels.WritableByteChannel;

/**
 * TLS between a {@link SelectorLoop} and one client, over an {@link SSLEngine}: the loop reads through
 * {@link #read}, which gives the session plaintext; engines write plaintext through {@link #write}, as they would to
 * the socket. Ciphertext is made in the loop's shared buffers ({@link Buffers}) and copied into this connection only
 * when the socket does not take all of it, so an idle TLS client holds no buffer of its own. Handshake tasks run
 * inline, as Netty's {@code SslHandler} runs them by default.
 *
 * <p>What {@link #write} took is encrypted: what the socket did not take waits here ({@link #pending()}) and the loop
 * keeps {@code OP_WRITE} for it, {@link #flush()}ing it before the engine writes more. Until the handshake is done
 * ({@link #ready()}) nothing is written and the session has not started, so no relayed line waits for a client that
 * has not finished its handshake.
 *
 * <p>Touched by the loop's thread only.
 */
final class TlsWire implements WritableByteChannel {
    /** {@link #read}: the client did not open with a TLS record. */
    static final int PLAINTEXT = -2;
    private static final ByteBuffer NOTHING = ByteBuffer.allocate(0);
    private static final byte[] EMPTY = new byte[0];

    /** Where {@link #read} puts what it decrypted: the session of the connection read (one per loop). */
    interface Reader {
        /** Plaintext the client sent, to be framed. */
        void onPlaintext(byte[] bytes, int offset, int length);

        /** The handshake is done: the session may start. Runs once, before any plaintext. */
        void onHandshakeDone();
    }

    /** Ciphertext buffers shared by the TLS connections of one loop. */
    static final class Buffers {
        final ByteBuffer in;
        final ByteBuffer out;
        final int applicationBytes;

        Buffers(SSLEngine sample) {
            final int packet = sample.getSession().getPacketBufferSize();
            this.in = ByteBuffer.allocate(4 * packet);
            this.out = ByteBuffer.allocate(4 * packet);
            this.applicationBytes = sample.getSession().getApplicationBufferSize();
        }
    }

    private final SocketChannel channel;
    private final SSLEngine engine;
    private final Buffers buffers;
    /** Part of a record read and not yet complete. */
    private byte[] inLeft = EMPTY;
    private int inLeftLength;
    /** Ciphertext the socket did not take. */
    private byte[] outLeft = EMPTY;
    private int outLeftOffset;
    private int outLeftLength;
    private boolean opened;
    private boolean ready;
    private boolean shutdownPending;
    private boolean closeNotifySent;
    /** A plaintext client, told and lingering: what it sends is dropped. */
    private boolean refused;

    TlsWire(SocketChannel channel, SSLEngine engine, Buffers buffers) throws SSLException {
        this.channel = channel;
        this.engine = engine;
        this.buffers = buffers;
        engine.beginHandshake();
    }

    /** @return whether the handshake is done: plaintext can be written, and the session has started. */
    boolean ready() {
        return ready;
    }

    /** @return whether ciphertext waits for the socket. */
    boolean pending() {
        return outLeftLength > 0;
    }

    /**
     * Reads once from the socket and gives the reader the plaintext of every complete record; handshake messages
     * are answered as they come, and {@link Reader#onHandshakeDone()} runs once when the handshake is done, before
     * any plaintext is given. The client's {@code close_notify} is not answered here: the loop's own shutdown sends
     * one after what the client sent was relayed, so a client gone at once (a reset right after it) loses nothing
     * it sent; plaintext before a post-handshake message is given before that message is answered, for the same
     * reason.
     *
     * @param app the loop's read buffer, where plaintext is made.
     * @return bytes read from the socket; -1 at the end of the stream or the client's {@code close_notify};
     *         {@link #PLAINTEXT} when the first byte is not a TLS record's.
     * @throws SSLException when the client's TLS is wrong (a failed handshake, a bad record, a renegotiation the
     *                      engine refuses); the plaintext of the records before it was given.
     */
    int read(Reader reader, ByteBuffer app) throws IOException {
        final ByteBuffer in = buffers.in;
        in.clear();
        if (refused) {
            final int n = channel.read(in);
            return n < 0 ? -1 : n; // dropped
        }
        if (inLeftLength > 0) {
            in.put(inLeft, 0, inLeftLength);
            inLeftLength = 0;
        }
        final int n = channel.read(in);
        in.flip();
        if (!opened && in.hasRemaining()) {
            if (!ServerTls.opensTls(in.get(0))) {
                return PLAINTEXT;
            }
            opened = true;
        }
        app.clear();
        boolean closed = false;
        while (in.hasRemaining() && !closed) {
            if (app.remaining() < buffers.applicationBytes) {
                deliver(reader, app);
            }
            final SSLEngineResult result;
            try {
                result = engine.unwrap(in, app);
            } catch (SSLException e) {
                deliver(reader, app); // what came before a bad record or a refused renegotiation is the client's
                throw e;
            }
            if (result.getStatus() == SSLEngineResult.Status.CLOSED) {
                closed = true; // answered by the loop's shutdown, after the plaintext before it is relayed
                break;
            }
            final SSLEngineResult.HandshakeStatus status = result.getHandshakeStatus();
            // the first handshake, and what a client asks for after it (a TLS 1.3 key update; a new handshake, a
            // TLS 1.2 renegotiation, is refused by the engine: ServerTls.newEngine)
            if (!ready || status != SSLEngineResult.HandshakeStatus.NOT_HANDSHAKING) {
                deliver(reader, app); // before the answer, which may meet a dead socket; none before the first
                if (progress(status)) {
                    reader.onHandshakeDone();
                }
            }
            switch (result.getStatus()) {
                case BUFFER_UNDERFLOW -> {
                    keepIn(in);
                    deliver(reader, app);
                    return n < 0 ? -1 : n;
                }
                case BUFFER_OVERFLOW -> deliver(reader, app);
                case OK -> {
                    if (result.bytesConsumed() == 0 && result.bytesProduced() == 0
                            && result.getHandshakeStatus() != SSLEngineResult.HandshakeStatus.NEED_UNWRAP) {
                        keepIn(in);
                        deliver(reader, app);
                        return n < 0 ? -1 : n;
                    }
                }
            }
        }
        deliver(reader, app);
        if (!closed) {
            keepIn(in);
        }
        return closed || n < 0 ? -1 : n;
    }

    /** The client spoke plaintext: from now on what it sends is read and dropped, until it closes. */
    void refuse() {
        refused = true;
        inLeftLength = 0;
    }

    /** Encrypts what the socket takes of {@code src}. @return the plaintext bytes taken (0 while ciphertext waits). */
    @Override
    public int write(ByteBuffer src) throws IOException {
        if (!ready || !flush()) {
            return 0;
        }
        int taken = 0;
        final ByteBuffer out = buffers.out;
        while (src.hasRemaining() && outLeftLength == 0) {
            out.clear();
            while (src.hasRemaining()) {
                final SSLEngineResult result = engine.wrap(src, out);
                taken += result.bytesConsumed();
                if (result.getStatus() == SSLEngineResult.Status.CLOSED) {
                    throw new SSLException("TLS output is closed");
                }
                if (result.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW || result.bytesConsumed() == 0) {
                    break;
                }
            }
            send(out);
        }
        return taken;
    }

    /** Writes the ciphertext that waits. @return whether none waits any more (then a pending shutdown is done). */
    boolean flush() throws IOException {
        if (outLeftLength > 0) {
            final int written = channel.write(ByteBuffer.wrap(outLeft, outLeftOffset, outLeftLength));
            outLeftOffset += written;
            outLeftLength -= written;
            if (outLeftLength > 0) {
                return false;
            }
            outLeftOffset = 0;
            if (outLeft.length > buffers.out.capacity()) {
                outLeft = EMPTY;
            }
        }
        if (shutdownPending) {
            if (!closeNotifySent) {
                closeNotifySent = true;
                final ByteBuffer out = buffers.out;
                out.clear();
                wrapHandshake(out);
                send(out);
                if (outLeftLength > 0) {
                    return false;
                }
            }
            shutdownPending = false;
            channel.shutdownOutput();
        }
        return true;
    }

    /** Sends {@code close_notify} after what waits, then shuts the socket's output down once it is written. */
    void shutdownOutput() throws IOException {
        engine.closeOutbound();
        shutdownPending = true;
        flush();
    }

    /**
     * After {@link #flush()} emptied what waited: a handshake that had stopped for a full socket goes on.
     *
     * @return true when it finished now (the session may start).
     */
    boolean resumeHandshake() throws IOException {
        return !ready && progress(engine.getHandshakeStatus());
    }

    /**
     * After a TLS failure: the alert the engine holds for the client (after a refused renegotiation, its
     * {@code close_notify}), best effort, and not while a record the socket did not take waits: the client would
     * read the alert inside that record.
     */
    void sendAlert() {
        try {
            if (!flush()) {
                return;
            }
            engine.closeOutbound();
            final ByteBuffer out = buffers.out;
            out.clear();
            wrapHandshake(out);
            out.flip();
            channel.write(out);
        } catch (IOException | RuntimeException ignored) {
            // The connection is being closed for its failure either way.
        }
    }

    @Override
    public boolean isOpen() {
        return channel.isOpen();
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    // ---- the handshake ----

    /** Runs tasks and sends what the handshake asks for. @return true when it finished now. */
    private boolean progress(SSLEngineResult.HandshakeStatus status) throws IOException {
        while (true) {
            switch (status) {
                case NEED_TASK -> status = ServerTls.runDelegatedTasks(engine);
                case NEED_WRAP -> {
                    final ByteBuffer out = buffers.out;
                    if (outLeftLength > 0) {
                        return false; // the socket is full; the next read or flush goes on
                    }
                    out.clear();
                    status = wrapHandshake(out);
                    final boolean produced = out.position() > 0;
                    send(out);
                    if (status == SSLEngineResult.HandshakeStatus.FINISHED) {
                        return finish();
                    }
                    if (!produced && status == SSLEngineResult.HandshakeStatus.NEED_WRAP) {
                        throw new SSLException("the TLS engine asked to send and produced nothing");
                    }
                }
                case FINISHED, NOT_HANDSHAKING -> {
                    return finish();
                }
                default -> {
                    return false; // NEED_UNWRAP: the client's turn
                }
            }
        }
    }

    private boolean finish() {
        if (ready) {
            return false;
        }
        ready = true;
        return true;
    }

    /** Wraps handshake messages (or the closing alert) into {@code out} while the engine has some. */
    private SSLEngineResult.HandshakeStatus wrapHandshake(ByteBuffer out) throws SSLException {
        SSLEngineResult result;
        do {
            result = engine.wrap(NOTHING, out);
        } while (result.getStatus() == SSLEngineResult.Status.OK && result.bytesProduced() > 0
                && result.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NEED_WRAP);
        return result.getHandshakeStatus();
    }

    /** Writes {@code out} (in fill mode) to the socket; what it does not take waits here. */
    private void send(ByteBuffer out) throws IOException {
        out.flip();
        if (out.hasRemaining()) {
            channel.write(out);
        }
        if (out.hasRemaining()) {
            final int rest = out.remaining();
            if (outLeft.length < rest) {
                outLeft = new byte[Math.max(rest, buffers.out.capacity())];
            }
            out.get(outLeft, 0, rest);
            outLeftOffset = 0;
            outLeftLength = rest;
        }
    }

    private void keepIn(ByteBuffer in) {
        final int rest = in.remaining();
        if (rest == 0) {
            return;
        }
        if (inLeft.length < rest) {
            inLeft = new byte[Math.max(rest, buffers.in.capacity() / 4)];
        }
        in.get(inLeft, 0, rest);
        inLeftLength = rest;
    }

    private static void deliver(Reader reader, ByteBuffer app) {
        if (app.position() > 0) {
            reader.onPlaintext(app.array(), app.arrayOffset(), app.position());
            app.clear();
        }
    }
}
