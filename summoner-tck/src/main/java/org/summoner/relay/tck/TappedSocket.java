package org.summoner.relay.tck;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;

/**
 * A TCP socket under a client's TLS layer (the JDK's {@code SSLSocket} writes through {@link #getOutputStream()} of
 * the socket it is layered on) that keeps a copy of every byte written, so a test can read the records the client
 * sent, and can write them one byte per {@code write} ({@link #trickle}), with Nagle off, so that a record reaches
 * the server split over several segments. {@link #writeRaw} writes bytes under the TLS layer, as no TLS client
 * would.
 *
 * <p>Written by one thread at a time; {@link #written()} may be called from any thread.
 */
final class TappedSocket extends Socket {
    private final ByteArrayOutputStream written = new ByteArrayOutputStream();
    private volatile boolean trickle;
    private OutputStream tap;

    TappedSocket() throws IOException {
        setTcpNoDelay(true);
    }

    @Override
    public synchronized OutputStream getOutputStream() throws IOException {
        if (tap == null) {
            final OutputStream socket = super.getOutputStream();
            tap = new OutputStream() {
                @Override
                public void write(int b) throws IOException {
                    write(new byte[] {(byte) b}, 0, 1);
                }

                @Override
                public void write(byte[] bytes, int offset, int length) throws IOException {
                    synchronized (written) {
                        written.write(bytes, offset, length);
                    }
                    if (!trickle) {
                        socket.write(bytes, offset, length);
                        return;
                    }
                    for (int i = 0; i < length; i++) {
                        socket.write(bytes, offset + i, 1);
                        socket.flush();
                    }
                }

                @Override
                public void flush() throws IOException {
                    socket.flush();
                }
            };
        }
        return tap;
    }

    /** From now on, every byte is written on its own. */
    void trickle(boolean on) {
        trickle = on;
    }

    /** @return a copy of every byte written so far, TLS records and raw bytes alike. */
    byte[] written() {
        synchronized (written) {
            return written.toByteArray();
        }
    }

    /** Writes {@code bytes} on the TCP connection itself, under (and unknown to) the TLS layer. */
    void writeRaw(byte[] bytes) throws IOException {
        getOutputStream().write(bytes, 0, bytes.length);
        getOutputStream().flush();
    }
}
