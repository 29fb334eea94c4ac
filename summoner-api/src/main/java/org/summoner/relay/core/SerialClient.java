package org.summoner.relay.core;

import org.summoner.relay.spi.serial.Client;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.locks.Condition;

/**
 * A {@link Client} of a {@link SerialCore}: its session's output is the outbound queue the writer takes from, and
 * every call is a turn of the core, under its lock ({@link #take()} and {@link #awaitReading()} wait on conditions of
 * it).
 *
 * <p>Thread-safe.
 */
public final class SerialClient implements Client, SessionOutput {
    /** The most bytes one {@link #take()} hands out. */
    private static final long MAX_TAKE_BYTES = 256 * 1024;

    private final SerialCore core;
    private final Closeable connection;
    private final Condition writable;
    private final Condition readable;
    Session session;
    private final ArrayDeque<byte[]> queue = new ArrayDeque<>();
    private long queuedBytes;
    /** Handed to the writer and not reported written: part of the backlog. */
    private int handedMessages;
    private long handedBytes;
    /** For monitoring, from any thread: queued and handed bytes. */
    private volatile long backlogBytes;
    /** The socket did not take what the writer was given: the backlog is real until it has room. */
    private boolean full;
    private boolean goodbye;
    private boolean outputShut;
    /** The core said not to read this client ({@link #reading}). */
    private boolean readsStopped;
    boolean closed;
    private boolean released;

    SerialClient(SerialCore core, Closeable connection) {
        this.core = core;
        this.connection = connection;
        this.writable = core.lock.newCondition();
        this.readable = core.lock.newCondition();
    }

    @Override
    public String remoteAddr() {
        return session.remoteAddr();
    }

    // ---- the engine's reader ----

    @Override
    public void start() {
        core.lock.lock();
        try {
            core.tick();
            session.start();
        } finally {
            core.endTurn();
        }
    }

    @Override
    public boolean awaitReading() throws InterruptedException {
        core.lock.lock();
        try {
            while (!closed) {
                if (!session.isOpen()) {
                    return true;
                }
                final long pause = core.core().readPause().untilNanos() - System.nanoTime(); // the room's
                if (readsStopped) {
                    readable.await();
                } else if (pause > 0) {
                    readable.awaitNanos(pause);
                } else {
                    return true;
                }
            }
            return false;
        } finally {
            core.lock.unlock();
        }
    }

    @Override
    public void received(byte[] bytes, int offset, int length) {
        core.lock.lock();
        try {
            core.tick();
            session.onBytes(bytes, offset, length);
        } finally {
            core.endTurn();
        }
    }

    @Override
    public void endOfStream(Runnable answer) throws InterruptedException {
        core.lock.lock();
        try {
            while (handedBytes > 0 && !full && !closed) {
                writable.await(); // signalled by wrote(), full() and close()
            }
            core.tick();
            session.onEndOfStream();
        } finally {
            core.endTurn();
        }
        if (answer != null) {
            answer.run();
        }
        core.lock.lock();
        try {
            core.tick();
            session.close();
        } finally {
            core.endTurn();
        }
    }

    @Override
    public void closeAfterLinger() {
        core.lock.lock();
        try {
            if (!closed && !goodbye) {
                goodbye = true;
                outputShut = true;
                core.tick();
                session.closeAfterLinger(); // the core closes it when its client does, or after the linger
            }
        } finally {
            core.endTurn();
        }
    }

    @Override
    public void failed(Throwable cause) {
        core.lock.lock();
        try {
            core.tick();
            session.failed(cause);
        } finally {
            core.endTurn();
        }
    }

    @Override
    public void fault(Throwable error) {
        core.lock.lock();
        try {
            core.tick();
            if (Faults.recoverable(error)) {
                session.fault(Faults.Where.ENGINE, error);
            } else {
                core.core().faults().threadDied(Thread.currentThread().getName() + " of " + session.remoteAddr(), error);
                session.close();
            }
        } finally {
            core.endTurn();
        }
    }

    // ---- the engine's writer ----

    @Override
    public ByteBuffer[] take() throws InterruptedException {
        core.lock.lock();
        try {
            while (!closed) {
                if (!queue.isEmpty()) {
                    final int count = Math.min(queue.size(), 64);
                    final ByteBuffer[] buffers = new ByteBuffer[count];
                    int taken = 0;
                    long bytes = 0;
                    while (taken < count && (taken == 0 || bytes + queue.peekFirst().length <= MAX_TAKE_BYTES)) {
                        final byte[] line = queue.pollFirst();
                        buffers[taken++] = ByteBuffer.wrap(line);
                        bytes += line.length;
                    }
                    queuedBytes -= bytes;
                    handedMessages = taken;
                    handedBytes = bytes;
                    return taken == count ? buffers : Arrays.copyOf(buffers, taken);
                }
                if (goodbye && !outputShut) {
                    outputShut = true;
                    session.outputShut();
                    return SHUT_OUTPUT;
                }
                writable.await();
            }
            return null;
        } finally {
            core.lock.unlock();
        }
    }

    @Override
    public void wrote(long bytes) {
        core.lock.lock();
        try {
            core.tick();
            core.turnCounts().bytesSent(bytes);
            handedMessages = 0;
            handedBytes = 0;
            full = false;
            backlogBytes = queuedBytes;
            writable.signalAll(); // an end of stream waits for this outcome
            if (session.isOpen()) {
                core.core().budget().judge(session, 0, 0, core.now()); // written: the backlog fell
            }
        } finally {
            core.endTurn();
        }
    }

    /** The socket did not take all the writer was given: what waits is a real backlog, judged now. */
    @Override
    public void full() {
        core.lock.lock();
        try {
            core.tick();
            full = true;
            writable.signalAll();
            judge();
        } finally {
            core.endTurn();
        }
    }

    /** The socket has room again. */
    @Override
    public void room() {
        core.lock.lock();
        try {
            full = false;
        } finally {
            core.lock.unlock();
        }
    }

    // ---- the session's output (the lock is held) ----

    /** An envelope for this client. @return whether it was queued (past {@code max_queued_bytes} it is closed instead). */
    boolean queue(byte[] line) {
        if (closed || goodbye || !core.core().budget().mayQueue(session, queue.size() + handedMessages,
                queuedBytes + handedBytes, line.length, 1, core.now())) {
            return false;
        }
        queue.addLast(line);
        queuedBytes += line.length;
        backlogBytes = queuedBytes + handedBytes;
        writable.signalAll(); // the writer; an end of stream waits on it too (never at the same time): none is missed
        if (full) {
            judge();
        }
        return true;
    }

    private void judge() {
        if (session.isOpen()) {
            core.core().budget().judge(session, queue.size() + handedMessages, queuedBytes + handedBytes, core.now());
        }
    }

    @Override
    public void send(byte[] line) {
        queue(line);
    }

    @Override
    public void goodbye(byte[] line) {
        if (closed || goodbye) {
            return;
        }
        if (queue(line)) {
            goodbye = true; // the core closes it at the deadline
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            writable.signalAll();
            readable.signalAll();
            core.ending(this);
        }
    }

    /** At the end of the turn it closed in: the socket is closed, and the session leaves the core. */
    void release() {
        if (released) {
            return;
        }
        released = true;
        core.closeAfterTurn(connection);
        core.core().budget().droppedAtClose(queue.size() + handedMessages);
        queue.clear();
        queuedBytes = 0;
        backlogBytes = 0;
        session.closed();
    }

    @Override
    public void reading(boolean read) {
        readsStopped = !read;
        if (read) {
            readable.signalAll();
        }
    }

    @Override
    public long backlogBytes() {
        return backlogBytes;
    }

    static void closeQuietly(Closeable connection) {
        try {
            connection.close();
        } catch (IOException | RuntimeException ignored) {
            // The connection is being dropped either way.
        }
    }
}
