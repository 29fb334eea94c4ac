package org.summoner.relay.selector;

import org.summoner.relay.core.Session;
import org.summoner.relay.core.SessionOutput;

import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.nio.channels.WritableByteChannel;

/**
 * One client of a {@link SelectorLoop}: its socket, its selection key and what waits to be written to it, as the
 * engine keeps it. Implements the session's {@link SessionOutput} through the loop, so the bounds on what waits, the
 * goodbye and the close are the loop's, the same for every engine on {@code java.nio}.
 *
 * <p>Touched only by the loop's thread.
 */
public abstract class SelectorConnection implements SessionOutput {
    protected final SocketChannel channel;
    private final SelectorLoop<?> loop;
    private Session session;
    SelectionKey key;
    int interestOps;
    boolean closeScheduled;
    boolean closed;
    /** The core said not to read this client ({@link #reading}): its own pause, or input its session holds. */
    boolean readsStopped;
    /** TLS to this client ({@code tls}), or null on plain TCP. */
    TlsWire tls;

    protected SelectorConnection(SocketChannel channel, SelectorLoop<?> loop) {
        this.channel = channel;
        this.loop = loop;
    }

    public final SocketChannel channel() {
        return channel;
    }

    /**
     * @return where the engine writes plaintext for this client: the socket itself, or its TLS. A write takes what
     *         the socket takes, as {@link SocketChannel#write} does.
     */
    public final WritableByteChannel wire() {
        return tls != null ? tls : channel;
    }

    public final Session session() {
        return session;
    }

    final void attach(Session session) {
        this.session = session;
    }

    /** @return whether the socket was full at the last write, so what waits is a real backlog. */
    public final boolean blocked() {
        return (interestOps & SelectionKey.OP_WRITE) != 0;
    }

    /** @return whether it is to be closed at the end of this turn, or closed: nothing more is written. */
    public final boolean closing() {
        return closeScheduled;
    }

    /** @return whether it still gets envelopes: its session is open and no close is scheduled. */
    public final boolean acceptsDeliveries() {
        return !closeScheduled && session.isOpen();
    }

    @Override
    public final void send(byte[] line) {
        loop.control.sendLine(this, line);
    }

    @Override
    public final void goodbye(byte[] line) {
        loop.control.goodbye(this, line);
    }

    @Override
    public final void close() {
        loop.control.scheduleClose(this);
    }

    @Override
    public final void reading(boolean read) {
        loop.control.reading(this, read);
    }

    // ---- what the engine keeps for the client ----

    /** @return whether anything waits to be written. */
    protected abstract boolean hasQueued();

    /** @return the messages (envelopes and lines) waiting, a partly written one included. */
    protected abstract long queuedMessages();

    /** @return the bytes waiting; a plain read of the queue's count, so monitoring may call it from any thread. */
    protected abstract long queuedBytes();

    /** The plaintext bytes that wait (ciphertext the socket did not take yet over TLS is a packet at most). */
    @Override
    public final long backlogBytes() {
        return queuedBytes();
    }

    /**
     * Queues (or writes at once, if nothing waits and the socket takes it) one line of the server's own, after what
     * waits; the loop has checked the bound.
     */
    protected abstract void queueLine(byte[] line);

    /** The connection is closed: drops what waits. @return the messages dropped. */
    protected abstract long discardQueued();
}
