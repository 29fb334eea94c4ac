package org.summoner.relay.selector;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.summoner.relay.core.Dispatcher;
import org.summoner.relay.core.Session;
import org.summoner.relay.tls.ServerTls;
import org.summoner.relay.wire.Untrusted;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import javax.net.ssl.SSLException;

/**
 * TLS on a {@link SelectorLoop}'s connections: each gets a {@link TlsWire} ({@link #wire}); reads go through it
 * ({@link #read}: the session starts when the handshake is done, a failed handshake is counted and closed, a
 * plaintext client is told and lingers), ciphertext that waits is written first when the socket has room
 * ({@link #flush}), and a client's {@code close_notify} is answered. What {@link ServerTls} decides is the same on
 * every engine.
 *
 * <p>Owned by its loop's thread.
 */
final class SelectorTls {
    private static final Logger log = LoggerFactory.getLogger(SelectorLoop.class);

    private final SelectorLoop<?> loop;
    private final ServerTls tls;
    private final ByteBuffer readBuffer;
    private final TlsReader reader = new TlsReader();
    private TlsWire.Buffers buffers;

    SelectorTls(SelectorLoop<?> loop, ServerTls tls, ByteBuffer readBuffer) {
        this.loop = loop;
        this.tls = tls;
        this.readBuffer = readBuffer;
    }

    /** Where {@link TlsWire#read} puts what it decrypted: the session of the connection being read. */
    private static final class TlsReader implements TlsWire.Reader {
        Session session;

        @Override
        public void onPlaintext(byte[] bytes, int offset, int length) {
            session.onBytes(bytes, offset, length);
        }

        @Override
        public void onHandshakeDone() {
            session.start();
        }
    }

    /** @return TLS for a new connection from {@code remote} on {@code channel}. */
    TlsWire wire(SocketChannel channel, InetSocketAddress remote) throws SSLException {
        if (buffers == null) {
            buffers = new TlsWire.Buffers(tls.newEngine(null));
        }
        return new TlsWire(channel, tls.newEngine(remote), buffers);
    }

    /** Reads through TLS: the session starts when the handshake is done; a failed one is counted and closed. */
    void read(SelectorConnection connection) {
        final Session session = connection.session();
        final TlsWire wire = connection.tls;
        try {
            for (int i = 0; i < SelectorLoop.MAX_READS_PER_WAKEUP && loop.mayRead() && !connection.closeScheduled && !connection.readsStopped; i++) {
                reader.session = session;
                final int n = wire.read(reader, readBuffer);
                if (n == TlsWire.PLAINTEXT) {
                    refusePlaintext(connection);
                    return;
                }
                if (n < 0) {
                    session.onEndOfStream();
                    answerClose(connection);
                    session.close();
                    return;
                }
                if (n == 0) {
                    break;
                }
            }
        } catch (SSLException e) {
            if (!wire.ready()) {
                tls.handshakeFailed(session.remoteAddr(), e);
            } else if (log.isDebugEnabled()) { // a bad record, or a renegotiation the engine refused (counted there)
                log.debug("{} TLS failed: {}", session.remoteAddr(), quoted(e));
            }
            wire.sendAlert();
            session.close();
            return;
        } catch (IOException e) {
            session.failed(e);
            return;
        }
        loop.updateInterest(connection); // the handshake may have left ciphertext waiting, or be done
    }

    /**
     * The client closed (its {@code close_notify}, or the end of its stream): what it sent is relayed, now it gets the
     * server's {@code close_notify}, best effort, before the connection closes. A client already gone (a reset) is
     * not answered.
     */
    private void answerClose(SelectorConnection connection) {
        try {
            connection.tls.shutdownOutput();
        } catch (IOException e) {
            if (log.isDebugEnabled()) {
                log.debug("{} gone before its close_notify was answered: {}", connection.session().remoteAddr(), quoted(e));
            }
        }
    }

    /** {@code OP_WRITE} on a TLS connection: ciphertext that waits goes first. @return whether the engine may write. */
    boolean flush(SelectorConnection connection) {
        final TlsWire wire = connection.tls;
        try {
            if (!wire.flush()) {
                return false;
            }
            if (wire.resumeHandshake()) {
                connection.session().start();
            }
        } catch (IOException e) {
            if (!wire.ready() && e instanceof SSLException) {
                tls.handshakeFailed(connection.session().remoteAddr(), e);
            }
            connection.session().failed(e);
            return false;
        }
        if (connection.hasQueued()) {
            return true;
        }
        loop.afterWrite(connection); // e.g. a goodbye whose last ciphertext just went
        return false;
    }

    /** @return a TLS exception as a log line may show it: the JDK's messages quote what the client sent. */
    private static String quoted(IOException e) {
        return Untrusted.text(e.toString());
    }

    /**
     * A client that spoke plaintext to the TLS port: told so in plaintext, its output shut, and closed when it closes
     * or after {@link Dispatcher#LINGER_NANOS}; it never became a recipient.
     */
    private void refusePlaintext(SelectorConnection connection) {
        final Session session = connection.session();
        tls.plaintextRefused(session.remoteAddr());
        try {
            connection.channel.write(ByteBuffer.wrap(ServerTls.plaintextNotice()));
            connection.channel.shutdownOutput();
        } catch (IOException e) {
            session.close();
            return;
        }
        connection.tls.refuse(); // what it sends now is read and dropped: its session never started
        session.closeAfterLinger();
    }
}
