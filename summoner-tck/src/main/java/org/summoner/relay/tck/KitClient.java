package org.summoner.relay.tck;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * A plain blocking TCP client, as any Summoner agent is: it writes bytes and reads {@code \n}-terminated lines; or
 * the same over TLS ({@link #connect(InetSocketAddress, int, InetAddress, SSLContext)}), for a server with
 * {@code tls}. Every read has a deadline ({@link #READ_TIMEOUT}) so a missing line fails the test instead of hanging
 * it.
 *
 * <p>Not thread-safe: one thread writes and one thread reads at most.
 */
public final class KitClient implements AutoCloseable {
    public static final Duration READ_TIMEOUT = Duration.ofSeconds(15);
    private static final int CONNECT_TIMEOUT_MILLIS = 10_000;

    private final Socket socket;
    /** The TCP socket under {@link #socket} (the same one without TLS): what {@link #reset()} resets. */
    private final Socket tcp;
    private final InputStream in;
    private final OutputStream out;
    private final String address;
    private final byte[] buffer = new byte[64 * 1024];
    private int position;
    private int limit;

    private KitClient(Socket socket, Socket tcp) throws IOException {
        this.socket = socket;
        this.tcp = tcp;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
        // The kit's clients use 127.0.0.1 or ::1 only; written out here so the kit does not rely on the
        // formatter it checks.
        final InetAddress local = socket.getLocalAddress();
        final String host = local instanceof Inet6Address
                ? "[" + (local.isLoopbackAddress() ? "::1" : local.getHostAddress()) + "]"
                : local.getHostAddress();
        this.address = host + ":" + socket.getLocalPort();
    }

    /** Connects with Nagle off and a read deadline. */
    public static KitClient connect(InetSocketAddress server) throws IOException {
        return connect(server, 0);
    }

    /**
     * @param receiveBufferBytes a small receive buffer makes a client that does not read fill up fast; 0 keeps
     *                           the system's default.
     */
    public static KitClient connect(InetSocketAddress server, int receiveBufferBytes) throws IOException {
        return connect(server, receiveBufferBytes, null);
    }

    /**
     * @param localAddress the address to connect from (any loopback address, e.g. 127.0.0.2), or null for any.
     */
    public static KitClient connect(InetSocketAddress server, int receiveBufferBytes, InetAddress localAddress) throws IOException {
        return connect(server, receiveBufferBytes, localAddress, null);
    }

    /**
     * @param tls null for plain TCP, or the client context of a TLS connection (e.g. {@link KitTls#client()}): the
     *            handshake is done before this returns.
     */
    public static KitClient connect(InetSocketAddress server, int receiveBufferBytes, InetAddress localAddress, SSLContext tls)
            throws IOException {
        final Socket socket = new Socket();
        try {
            if (localAddress != null) {
                socket.bind(new InetSocketAddress(localAddress, 0));
            }
            if (receiveBufferBytes > 0) {
                socket.setReceiveBufferSize(receiveBufferBytes);
            }
            return connect(server, socket, tls, null);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /**
     * Connects from exactly {@code local} (port 0: any), the address left reusable, so a second client can connect from
     * the same {@code ip:port} to another server: two clients behind one NAT, as two servers see them.
     */
    public static KitClient connectFrom(InetSocketAddress server, InetSocketAddress local, SSLContext tls) throws IOException {
        final Socket socket = new Socket();
        try {
            socket.setReuseAddress(true);
            socket.bind(local);
            return connect(server, socket, tls, null);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /**
     * Connects {@code socket} (unconnected, e.g. one that records what the client writes) and, with {@code tls},
     * does the handshake over it before this returns.
     *
     * @param protocols the TLS versions the client offers (e.g. {@code TLSv1.2} only), or null for the JDK's default.
     */
    static KitClient connect(InetSocketAddress server, Socket socket, SSLContext tls, String[] protocols) throws IOException {
        try {
            socket.setTcpNoDelay(true);
            socket.setSoTimeout((int) READ_TIMEOUT.toMillis());
            socket.connect(server, CONNECT_TIMEOUT_MILLIS);
            if (tls == null) {
                return new KitClient(socket, socket);
            }
            final SSLSocket secure = (SSLSocket) tls.getSocketFactory().createSocket(socket, server.getHostString(), server.getPort(), true);
            if (protocols != null) {
                secure.setEnabledProtocols(protocols);
            }
            secure.setSoTimeout((int) READ_TIMEOUT.toMillis());
            secure.startHandshake();
            return new KitClient(secure, socket);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** @return this client as the server shows it in {@code remote_addr}: {@code ip:port} or {@code [ipv6]:port}. */
    public String address() {
        return address;
    }

    /** @return the client's own port, which the server shows in {@code remote_addr}. */
    public int localPort() {
        return socket.getLocalPort();
    }

    /** Writes the text's UTF-8 bytes as they are (include the {@code \n}). */
    public void send(String text) throws IOException {
        send(text.getBytes(StandardCharsets.UTF_8));
    }

    public void send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** @return the next line's bytes, without the {@code \n}; fails on end of stream or after the deadline. */
    public byte[] readLineBytes() throws IOException {
        final ByteArrayOutputStream line = new ByteArrayOutputStream(256);
        try {
            if (readLine(line)) {
                return line.toByteArray();
            }
            return fail("end of stream on " + address + " before a complete line; got so far: "
                    + line.toString(StandardCharsets.UTF_8));
        } catch (SocketTimeoutException e) {
            return fail("no complete line within " + READ_TIMEOUT + " on " + address + "; got so far: "
                    + line.toString(StandardCharsets.UTF_8));
        }
    }

    /** @return the next line as UTF-8 text, without the {@code \n}. */
    public String readLine() throws IOException {
        return new String(readLineBytes(), StandardCharsets.UTF_8);
    }

    /**
     * @return the next line, or null at end of stream (or a reset); fails after the deadline.
     */
    public String readLineOrEnd() throws IOException {
        final ByteArrayOutputStream line = new ByteArrayOutputStream(256);
        try {
            if (readLine(line)) {
                return line.toString(StandardCharsets.UTF_8);
            }
        } catch (SocketTimeoutException e) {
            return fail("neither a line nor end of stream within " + READ_TIMEOUT + " on " + address);
        } catch (SocketException reset) {
            return null;
        }
        return line.size() == 0 ? null : fail("end of stream inside a line on " + address + ": "
                + line.toString(StandardCharsets.UTF_8));
    }

    /**
     * Reads until the server closes the stream.
     *
     * @return the complete lines read; an unfinished last line (a connection cut mid-envelope) is not counted.
     */
    public int countLinesUntilEnd() throws IOException {
        int lines = 0;
        final ByteArrayOutputStream line = new ByteArrayOutputStream(256);
        try {
            while (readLine(line)) {
                lines++;
                line.reset();
            }
        } catch (SocketTimeoutException e) {
            fail("the server did not close " + address + " within " + READ_TIMEOUT);
        } catch (SocketException reset) {
            // a reset is a close too
        }
        return lines;
    }

    /** Appends the next line's bytes to {@code line}; returns false at end of stream. */
    private boolean readLine(ByteArrayOutputStream line) throws IOException {
        while (true) {
            for (int i = position; i < limit; i++) {
                if (buffer[i] == '\n') {
                    line.write(buffer, position, i - position);
                    position = i + 1;
                    return true;
                }
            }
            line.write(buffer, position, limit - position);
            position = 0;
            limit = 0;
            final int n = in.read(buffer);
            if (n < 0) {
                return false;
            }
            limit = n;
        }
    }

    /**
     * @return the next line if one arrives within {@code wait}, else null; fails on end of stream, or when only part of
     *         a line came.
     */
    public String readLineWithin(Duration wait) throws IOException {
        final ByteArrayOutputStream line = new ByteArrayOutputStream(256);
        socket.setSoTimeout((int) Math.max(1, wait.toMillis()));
        try {
            if (readLine(line)) {
                return line.toString(StandardCharsets.UTF_8);
            }
            return fail("end of stream on " + address + " where a line or silence was expected");
        } catch (SocketTimeoutException e) {
            return line.size() == 0 ? null : fail("part of a line within " + wait + " on " + address + ": "
                    + line.toString(StandardCharsets.UTF_8));
        } finally {
            socket.setSoTimeout((int) READ_TIMEOUT.toMillis());
        }
    }

    /** Fails if any byte arrives within {@code quiet}. */
    public void assertNothingWithin(Duration quiet) throws IOException {
        if (position < limit) {
            fail("unexpected data on " + address + ": " + new String(buffer, position, limit - position, StandardCharsets.UTF_8));
        }
        socket.setSoTimeout((int) quiet.toMillis());
        try {
            final int b = in.read();
            fail(b < 0 ? "end of stream on " + address + " where silence was expected"
                    : "unexpected data on " + address + " starting with byte " + b);
        } catch (SocketTimeoutException expected) {
            // silence, as expected
        } finally {
            socket.setSoTimeout((int) READ_TIMEOUT.toMillis());
        }
    }

    /** Fails unless the server closes the stream (end of stream or reset) before the deadline. */
    public void assertEndOfStream() throws IOException {
        if (position < limit) {
            fail("expected end of stream on " + address + ", got: " + new String(buffer, position, limit - position, StandardCharsets.UTF_8));
        }
        try {
            final int b = in.read();
            if (b >= 0) {
                fail("expected end of stream on " + address + ", got byte " + b);
            }
        } catch (SocketTimeoutException e) {
            fail("the server did not close " + address + " within " + READ_TIMEOUT);
        } catch (SocketException reset) {
            // a reset is a close too
        }
    }

    /**
     * Over TLS, for a client that has read nothing since its handshake: fails unless the last TLS record before the
     * server's end of stream is an alert (its {@code close_notify}). Read under the TLS layer, from the socket, since
     * the JDK's client takes a bare end of stream after its own {@code close_notify} as a clean close too. A TLS 1.2
     * alert record has type 21; a TLS 1.3 one is an encrypted record under 64 bytes (two of alert, one of type, the
     * sender's padding, 16 of tag), where the session ticket before it, the only other record such a client gets, is
     * hundreds.
     */
    public void assertCloseNotify() throws IOException {
        final InputStream raw = tcp.getInputStream();
        final ByteArrayOutputStream stream = new ByteArrayOutputStream();
        try {
            raw.transferTo(stream);
        } catch (SocketTimeoutException e) {
            fail("the server did not close " + address + " within " + READ_TIMEOUT);
        }
        final byte[] bytes = stream.toByteArray();
        int type = -1;
        int length = -1;
        for (int at = 0; at + 5 <= bytes.length; at += 5 + length) {
            type = bytes[at] & 0xFF;
            length = ((bytes[at + 3] & 0xFF) << 8) | (bytes[at + 4] & 0xFF);
        }
        if (!(type == 21 || (type == 23 && length < 64))) {
            fail(address + " ended without the server's close_notify: its last record had type " + type + " and "
                    + length + " bytes (" + bytes.length + " bytes in all)");
        }
    }

    /**
     * Over TLS, fails unless the server ends the connection before the deadline: end of stream, a reset, or a TLS
     * error (an alert, or a {@code close_notify} in the middle of a handshake), with no data before it.
     *
     * @return what ended it, for a message: {@code "end of stream"} or the exception.
     */
    public String assertClosedByServer() throws IOException {
        if (position < limit) {
            fail("expected the server to close " + address + ", got: " + new String(buffer, position, limit - position, StandardCharsets.UTF_8));
        }
        try {
            final int b = in.read();
            if (b >= 0) {
                fail("expected the server to close " + address + ", got byte " + b);
            }
            return "end of stream";
        } catch (SocketTimeoutException e) {
            return fail("the server did not close " + address + " within " + READ_TIMEOUT);
        } catch (IOException closed) {
            return closed.toString(); // a reset, or the TLS layer's report of an alert or a cut handshake
        }
    }

    /**
     * Over TLS: the JDK client's {@code startHandshake()} on the established connection, which in TLS 1.2 sends a
     * {@code ClientHello} (a client-initiated renegotiation) and returns, and in TLS 1.3 sends a {@code KeyUpdate}.
     */
    public void startHandshake() throws IOException {
        ((SSLSocket) socket).startHandshake();
    }

    /** @return over TLS, the protocol of the session, e.g. {@code TLSv1.2}. */
    public String protocol() {
        return session().getProtocol();
    }

    /** @return over TLS, the session: the same object for two connections of one context when the second resumed it. */
    public SSLSession session() {
        return ((SSLSocket) socket).getSession();
    }

    /** Closes this side for writing: the server sees end of stream, this client can still read. */
    public void shutdownOutput() throws IOException {
        socket.shutdownOutput();
    }

    /** Aborts the connection: the server gets a reset, not an orderly end of stream. */
    public void reset() throws IOException {
        tcp.setSoLinger(true, 0);
        tcp.close(); // under TLS too: no close_notify, the reset alone
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
