package org.summoner.relay.core;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The server's signature checks, off the engine threads ({@code verification}): lines whose checks no cache answers
 * wait here ({@link PendingLine}), each connection's one at a time, while {@code threads} daemon threads compute them
 * and hand each line back to its connection's thread ({@link Dispatcher#verdictReady}). Lines of connections with a
 * recent invalid attempt wait in a queue of their own that is served only when no other line waits, and may hold half
 * of the places at most: a flood of envelopes that do nothing delays the pool's other lines by one check at most.
 *
 * <p>Bounded: {@code max_waiting} lines in all; {@link #offer} refuses the next, which its sender is told of. Threads
 * start with the first line, so a relay that never checks a signature has none. Thread-safe.
 */
final class VerificationPool {
    private static final Logger log = LoggerFactory.getLogger(VerificationPool.class);

    private final int threads;
    private final int maxWaiting;
    /** Guards the queues; a test of this package holds it to keep the threads from taking lines. */
    final ReentrantLock lock = new ReentrantLock();
    private final Condition work = lock.newCondition();
    private final ArrayDeque<PendingLine> lines = new ArrayDeque<>();
    private final ArrayDeque<PendingLine> suspects = new ArrayDeque<>();
    private boolean started;
    private boolean closed;

    /** @param threads more than 0: the engine threads compute checks themselves when the pool has none. */
    VerificationPool(int threads, int maxWaiting) {
        if (threads < 1 || maxWaiting < 1) {
            throw new IllegalArgumentException("threads=" + threads + " maxWaiting=" + maxWaiting);
        }
        this.threads = threads;
        this.maxWaiting = maxWaiting;
    }

    /**
     * @param suspect whether its sender made an invalid attempt recently: its line waits behind every other.
     * @return whether the line waits for a thread; false when {@code max_waiting} lines wait already (for a suspect:
     *         half of them), or the pool is closed.
     */
    boolean offer(PendingLine line, boolean suspect) {
        lock.lock();
        try {
            if (closed || lines.size() + suspects.size() >= maxWaiting || (suspect && suspects.size() >= Math.max(1, maxWaiting / 2))) {
                return false;
            }
            if (!started) {
                start();
            }
            (suspect ? suspects : lines).addLast(line);
            work.signal();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** @return the lines waiting for a thread now, for monitoring. */
    int waiting() {
        lock.lock();
        try {
            return lines.size() + suspects.size();
        } finally {
            lock.unlock();
        }
    }

    /** The threads end once the lines waiting are done; lines offered later are refused. */
    void close() {
        lock.lock();
        try {
            closed = true;
            work.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void start() {
        started = true;
        for (int i = 0; i < threads; i++) {
            final Thread thread = new Thread(this::run, "summoner-verify-" + i);
            thread.setDaemon(true);
            thread.start();
        }
    }

    private void run() {
        PendingLine line;
        while ((line = next()) != null) {
            try {
                line.verify();
            } catch (Throwable error) {
                log.error("A signature check failed unexpectedly; the line is checked on its connection's thread", error);
            }
            line.handBack(); // whatever happened: its connection waits for it
        }
    }

    private PendingLine next() {
        lock.lock();
        try {
            while (true) {
                final PendingLine line = lines.isEmpty() ? suspects.pollFirst() : lines.pollFirst();
                if (line != null) {
                    return line;
                }
                if (closed) {
                    return null;
                }
                work.awaitUninterruptibly();
            }
        } finally {
            lock.unlock();
        }
    }
}
