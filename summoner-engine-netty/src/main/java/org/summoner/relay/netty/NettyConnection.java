package org.summoner.relay.netty;

import io.netty.channel.Channel;
import io.netty.handler.codec.DecoderException;
import org.summoner.relay.core.Faults;
import org.summoner.relay.core.Session;
import org.summoner.relay.core.SessionOutput;

import java.io.IOException;

/**
 * One client of a {@link NettyLoop}: its channel, what Netty holds for it, and its session. Its
 * {@link SessionHandler.Events} feed the session; its {@link SessionOutput} goes to its loop. Touched only on that
 * event loop.
 */
final class NettyConnection implements SessionOutput, SessionHandler.Events {

    final Channel channel;
    private final NettyLoop loop;
    Session session;
    /** Writes since the last flush: Netty's outbound buffer counts only flushed ones. */
    int unflushed;
    /** Envelopes in each write Netty holds for this client. */
    final PendingWrites pendingWrites = new PendingWrites();
    /** The sequence of the last {@link EnvelopeBatch} this client sent a line into. */
    long lastBatch = -1;
    boolean dirty;
    /** The core said not to read this client ({@link #reading}): its own pause, or input its session holds. */
    boolean readsStopped;
    /** Over TLS: Netty's outbound buffer holds ciphertext, not our writes ({@link #trimPendingWrites}). */
    boolean tls;

    NettyConnection(Channel channel, NettyLoop loop) {
        this.channel = channel;
        this.loop = loop;
    }

    /**
     * Forgets the writes Netty has finished. On plain TCP its outbound buffer holds one entry per write of ours; over
     * TLS it holds ciphertext, so the writes still held are the unflushed ones (still in the {@code SslHandler}) and
     * as many older ones as the bytes it holds cover (ciphertext is longer than plaintext, so this never counts too
     * little).
     */
    void trimPendingWrites(io.netty.channel.ChannelOutboundBuffer pending) {
        if (tls) {
            pendingWrites.trimToBytes(unflushed, pending.totalPendingWriteBytes());
        } else {
            pendingWrites.trimTo(pending.size() + unflushed);
        }
    }

    /** What Netty's outbound buffer holds for the client, flushed or not: a volatile read, from any thread. */
    @Override
    public long backlogBytes() {
        final io.netty.channel.ChannelOutboundBuffer pending = channel.unsafe().outboundBuffer();
        return pending == null ? 0 : pending.totalPendingWriteBytes();
    }

    @Override
    public void send(byte[] line) {
        loop.sendLine(this, line);
    }

    @Override
    public void goodbye(byte[] line) {
        loop.goodbye(this, line);
    }

    @Override
    public void close() {
        loop.writes.close(this);
    }

    @Override
    public void reading(boolean read) {
        loop.reading.reading(this, read);
    }

    @Override
    public void onBytes(byte[] bytes, int offset, int length) {
        loop.readClock();
        session.onBytes(bytes, offset, length);
    }

    @Override
    public void onReadComplete() {
        loop.scheduleBatchEnd();
    }

    @Override
    public void onEndOfInput() {
        session.onEndOfStream();
        loop.scheduleBatchEnd(); // the last line's envelopes
        session.close();
    }

    /**
     * The connection failed: a reset or a TLS error closes it; anything else is our own code failing on its behalf
     * (thrown by a handler) and goes through the core's fault barrier: counted, logged at most every 10 s, and this
     * client alone told and closed.
     */
    @Override
    public void onFailure(Throwable cause) {
        if (!Faults.recoverable(cause)) {
            // Netty's loop survives what a handler throws, but after an out-of-memory nothing it holds can be trusted.
            loop.core().faults().threadDied(Thread.currentThread().getName(), cause);
            session.close();
            return;
        }
        if (cause instanceof IOException || cause instanceof DecoderException) {
            session.failed(cause);
        } else {
            session.fault(Faults.Where.ENGINE, cause);
        }
    }

    @Override
    public void onWritabilityChanged(boolean writable) {
        if (!writable) {
            loop.writes.judgeBacklog(this);
        }
    }

    @Override
    public void onTlsReady() {
        loop.tlsReady(this);
    }

    @Override
    public void onTlsFailed(Throwable cause) {
        if (session.isOpen()) { // else the core closed it first (tls.handshake_timeout_secs), and counted it then
            loop.core().tls().handshakeFailed(session.remoteAddr(), cause);
        }
        session.close();
    }

    /** The client spoke plaintext to the TLS port ({@link TlsDetector}): it never starts; it goes at the deadline. */
    void refusedPlaintext() {
        loop.refusedPlaintext(this);
    }

    @Override
    public void onClosed() {
        loop.closed(this);
    }
}
