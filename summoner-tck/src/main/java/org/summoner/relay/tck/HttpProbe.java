package org.summoner.relay.tck;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A raw HTTP/1.1 client on a real socket, for tests that must send what a well-behaved client never would (half a
 * head, a byte at a time, pipelined requests it never reads) and see every byte of the answer. Every read has a
 * timeout ({@link #READ_TIMEOUT_MILLIS}).
 */
final class HttpProbe implements AutoCloseable {
    static final int READ_TIMEOUT_MILLIS = 10_000;

    /** A response: its status line, its header fields (names in lower case, the last value of each) and its body. */
    record Response(String statusLine, Map<String, String> headers, String body) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    private HttpProbe(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    static HttpProbe connect(InetSocketAddress address) throws IOException {
        return connect(address, 0);
    }

    /** @param receiveBufferBytes the socket's receive buffer (a small one makes a client that never reads stall sooner), or 0. */
    static HttpProbe connect(InetSocketAddress address, int receiveBufferBytes) throws IOException {
        final Socket socket = new Socket();
        try {
            if (receiveBufferBytes > 0) {
                socket.setReceiveBufferSize(receiveBufferBytes);
            }
            socket.setSoTimeout(READ_TIMEOUT_MILLIS);
            socket.connect(new InetSocketAddress("127.0.0.1", address.getPort()), READ_TIMEOUT_MILLIS);
            return new HttpProbe(socket);
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    HttpProbe send(String ascii) throws IOException {
        return send(ascii.getBytes(StandardCharsets.ISO_8859_1));
    }

    HttpProbe send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
        return this;
    }

    /** @return the next response, its body read by its {@code Content-Length}. */
    Response read() throws IOException {
        return read(false);
    }

    /** @return the next response to a {@code HEAD} request: no body follows its head, whatever its length says. */
    Response readHead() throws IOException {
        return read(true);
    }

    private Response read(boolean head) throws IOException {
        final String statusLine = line();
        final Map<String, String> headers = new LinkedHashMap<>();
        for (String line = line(); !line.isEmpty(); line = line()) {
            final int colon = line.indexOf(':');
            assertTrue(colon > 0, "a header field: " + line);
            headers.put(line.substring(0, colon).toLowerCase(Locale.ROOT), line.substring(colon + 1).strip());
        }
        final String length = headers.get("content-length");
        assertTrue(length != null, "Content-Length in " + headers);
        final byte[] body = head ? new byte[0] : in.readNBytes(Integer.parseInt(length));
        return new Response(statusLine, headers, new String(body, StandardCharsets.UTF_8));
    }

    /** @return the raw bytes of a body of {@code length} bytes (e.g. gzip). */
    byte[] readBytes(int length) throws IOException {
        return in.readNBytes(length);
    }

    private String line() throws IOException {
        final ByteArrayOutputStream line = new ByteArrayOutputStream();
        int previous = -1;
        while (true) {
            final int b = in.read();
            if (b < 0) {
                fail("the connection ended in a response's head, after \"" + line.toString(StandardCharsets.ISO_8859_1) + "\"");
            }
            if (b == '\n') {
                assertEquals('\r', previous, "a response line ends with CRLF");
                final byte[] bytes = line.toByteArray();
                return new String(bytes, 0, bytes.length - 1, StandardCharsets.ISO_8859_1);
            }
            line.write(b);
            previous = b;
        }
    }

    /**
     * Reads what is left until the server closes (end of stream or a reset), within the read timeout.
     *
     * @return the bytes read before the end.
     */
    byte[] readToEnd() throws IOException {
        final ByteArrayOutputStream rest = new ByteArrayOutputStream();
        final byte[] buffer = new byte[8192];
        try {
            for (int n; (n = in.read(buffer)) >= 0; ) {
                rest.write(buffer, 0, n);
            }
        } catch (SocketTimeoutException e) {
            fail("the server did not close the connection within " + READ_TIMEOUT_MILLIS + " ms; read "
                    + rest.size() + " bytes");
        } catch (SocketException e) {
            // a reset: the server closed with our input unread, which is how a dropped client ends
        }
        return rest.toByteArray();
    }

    /** Asserts that the server closes the connection with nothing more to say. */
    void assertClosed() throws IOException {
        final byte[] rest = readToEnd();
        assertEquals("", new String(rest, StandardCharsets.ISO_8859_1), "nothing after the last response");
    }

    /** Asserts that nothing arrives and the connection stays open for {@code millis}. */
    void assertSilentFor(int millis) throws IOException {
        socket.setSoTimeout(millis);
        try {
            final int b = in.read();
            fail(b < 0 ? "the server closed the connection" : "the server sent " + (char) b);
        } catch (SocketTimeoutException expected) {
            // still open, nothing said
        } finally {
            socket.setSoTimeout(READ_TIMEOUT_MILLIS);
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
