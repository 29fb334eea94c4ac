package org.summoner.relay.stream;

import org.summoner.relay.spi.serial.Client;
import org.summoner.relay.spi.serial.SocketRoom;

import java.io.Closeable;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;

/**
 * A client's socket for an engine with a reader and a writer thread per connection: reads and writes that wait,
 * like a blocking socket's, but over a non-blocking channel, so that a write the socket does not take whole is
 * known as what it is: a full socket, the one real signal of a backlog ({@link SocketRoom#full()}). A blocking
 * {@code write} hides it (it returns when all is written, however long that took); a rule built on time instead
 * (a write under way for 50 ms) fails on a busy machine.
 *
 * <p>The reader waits on a selector of its own; the writer opens a second one the first time the socket is full. A
 * selector is two file descriptors on Linux (an epoll and its wake-up event), so a client that reads what it is sent
 * costs two besides its socket, and four once it fell behind. {@link #close()} closes the socket and both selectors: both threads wake and see the socket closed.
 *
 * <p>One reader thread ({@link #read}) and one writer thread ({@link #write}, {@link #awaitClose}) at a time;
 * {@link #close()} from any thread.
 */
public final class WaitingChannel implements Closeable, ClientStream {
    /** A plain client's read buffer: small, since an idle client holds one; longer lines are framed across reads. */
    static final int READ_BYTES = 8 * 1024;

    private final SocketChannel channel;
    private final Selector readable;
    private volatile Selector writable;
    private volatile boolean waitingForRoom;
    private volatile boolean closed;

    /** @param channel a connected socket; made non-blocking here. */
    public WaitingChannel(SocketChannel channel) throws IOException {
        this.channel = channel;
        channel.configureBlocking(false);
        this.readable = Selector.open();
        try {
            channel.register(readable, SelectionKey.OP_READ);
        } catch (IOException | RuntimeException e) {
            readable.close();
            throw e;
        }
    }

    /** @return the socket, for its options and addresses; read and write through this class. */
    public SocketChannel socket() {
        return channel;
    }

    /** A plain connection is ready at once. */
    @Override
    public boolean open(Client client) {
        return true;
    }

    @Override
    public int readBytes() {
        return READ_BYTES;
    }

    @Override
    public void endOfStream(Client client) throws InterruptedException {
        client.endOfStream(null);
    }

    /** Nothing to answer in plain TCP: the client's {@link Client#failed} says the rest. */
    @Override
    public void failed(IOException cause) {
    }

    @Override
    public long write(ByteBuffer[] buffers, SocketRoom room) throws IOException {
        return write(buffers, 0, buffers.length, room);
    }

    /**
     * Reads what the client sent, waiting until it sent something.
     *
     * @return the bytes read, at least 1; -1 at the end of the stream.
     * @throws AsynchronousCloseException when {@link #close()} closed the socket meanwhile.
     */
    @Override
    public int read(ByteBuffer into) throws IOException {
        while (true) {
            final int n = channel.read(into);
            if (n != 0 || !into.hasRemaining()) {
                return n;
            }
            await(readable);
        }
    }

    /**
     * Writes all of {@code buffers}, waiting for room when the socket is full; {@code room} (may be null) is told
     * when it is full and when the write goes on.
     *
     * @return the bytes written.
     */
    public long write(ByteBuffer[] buffers, int offset, int length, SocketRoom room) throws IOException {
        final int end = offset + length;
        long written = 0;
        while (true) {
            written += channel.write(buffers, offset, end - offset);
            while (offset < end && !buffers[offset].hasRemaining()) {
                offset++;
            }
            if (offset == end) {
                return written;
            }
            awaitRoom(room);
        }
    }

    /** {@link #write(ByteBuffer[], int, int, SocketRoom)} of one buffer. */
    public long write(ByteBuffer buffer, SocketRoom room) throws IOException {
        long written = 0;
        while (true) {
            written += channel.write(buffer);
            if (!buffer.hasRemaining()) {
                return written;
            }
            awaitRoom(room);
        }
    }

    /**
     * Waits until the socket is closed, reporting it as full: for a writer whose output can never be written (TLS
     * output the client closed with its {@code close_notify}), which holds its backlog until the core decides.
     *
     * @throws AsynchronousCloseException always, once {@link #close()} closed the socket.
     */
    public void awaitClose(SocketRoom room) throws IOException {
        if (room != null) {
            room.full();
        }
        synchronized (this) {
            while (!closed) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while waiting for the socket to close");
                }
            }
        }
        throw new AsynchronousCloseException();
    }

    /** @return whether the writer waits for room now: a thread that would write more must not wait for it. */
    public boolean waitingForRoom() {
        return waitingForRoom;
    }

    /** Sends a FIN after what was written. */
    @Override
    public void shutdownOutput() throws IOException {
        channel.shutdownOutput();
    }

    /** @return whether {@link #close()} was called. */
    public boolean isClosed() {
        return closed;
    }

    /** Closes the socket and the selectors; both threads wake. Idempotent, from any thread. */
    @Override
    public void close() throws IOException {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            notifyAll();
        }
        try {
            channel.close();
        } finally {
            readable.close();
            final Selector selector = writable;
            if (selector != null) {
                selector.close();
            }
        }
    }

    private void awaitRoom(SocketRoom room) throws IOException {
        if (room != null) {
            room.full();
        }
        waitingForRoom = true;
        try {
            await(writeSelector());
        } finally {
            waitingForRoom = false;
        }
        if (room != null) {
            room.room();
        }
    }

    /** Waits for {@code selector}'s one key to be ready. @throws AsynchronousCloseException once closed. */
    private void await(Selector selector) throws IOException {
        try {
            selector.select();
            selector.selectedKeys().clear();
        } catch (ClosedSelectorException e) {
            throw new AsynchronousCloseException();
        }
        if (closed) {
            throw new AsynchronousCloseException();
        }
    }

    private Selector writeSelector() throws IOException {
        Selector selector = writable;
        if (selector == null) {
            synchronized (this) {
                if (closed) {
                    throw new AsynchronousCloseException();
                }
                selector = Selector.open();
                try {
                    channel.register(selector, SelectionKey.OP_WRITE);
                } catch (IOException | RuntimeException e) {
                    selector.close();
                    throw e;
                }
                writable = selector;
            }
        }
        return selector;
    }
}
