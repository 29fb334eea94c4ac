package org.summoner.relay.core;

import java.util.concurrent.atomic.LongAdder;

/**
 * The relay's drain, for a rolling upgrade: once {@link #begin begun}, every {@link Dispatcher} tells its open clients
 * {@code Warning: Server is draining; reconnect.} and closes them, a few at a time, spread over the period, so they
 * reconnect to the next version a few at a time. Who is told when is decided here and in the dispatchers, the same
 * for every engine; the engine only stops accepting ({@code RelayEngine.stopAccepting()}) and has its threads run their
 * timed duties when the drain begins, through the listener it gives {@link RelayCore#onReload}.
 *
 * <p>The schedule, per dispatcher: its first open client is told when it sees the drain begin, and each next one after
 * {@code (end - last slot) / clients still open}, so the last is told before the period ends, clients that arrive
 * late (accepted just before the listener closed) shorten the steps and clients that leave on their own lengthen them.
 * At the period's end those still open are told at once.
 *
 * <p>It also counts what leaving costs: the lines clients sent after they were told to go (drain, shutdown, idle,
 * anything that ends a session with a last line), which are read only to see the client close and never relayed.
 *
 * <p>Thread-safe: {@link #begin} from any thread, once; the rest is read by the dispatchers and the monitoring.
 */
public final class Drain {
    /** Whose listener has the engine threads run their timed duties now ({@link RelayCore#onReload}). */
    private final LiveReference engines;
    private final LongAdder clientsTold = new LongAdder();
    private final LongAdder linesAfterGoodbye = new LongAdder();
    private volatile boolean begun;
    private volatile long startNanos;
    private volatile long endNanos;

    Drain(LiveReference engines) {
        this.engines = engines;
    }

    /**
     * Begins the drain: the clients of every dispatcher are told and closed over {@code periodNanos} from
     * {@code nowNanos}, from each one's timed duties, which the engine's threads run now. Only the first call counts.
     *
     * @return whether this call began it (false: it had begun already).
     */
    public boolean begin(long nowNanos, long periodNanos) {
        synchronized (this) {
            if (begun) {
                return false;
            }
            startNanos = nowNanos;
            endNanos = nowNanos + Math.max(0, periodNanos);
            begun = true;
        }
        engines.wakeEngineThreads();
        return true;
    }

    /** @return whether the drain has begun. */
    public boolean begun() {
        return begun;
    }

    /** @return when it began, on {@link System#nanoTime()}'s clock; meaningful once {@link #begun()}. */
    long startNanos() {
        return startNanos;
    }

    /** @return when its period ends, on {@link System#nanoTime()}'s clock; meaningful once {@link #begun()}. */
    public long endNanos() {
        return endNanos;
    }

    void told() {
        clientsTold.increment();
    }

    /** {@code session}, told to go, sent bytes: their line ends are counted. */
    void linesAfterGoodbye(Session session, byte[] bytes, int offset, int length) {
        if (session.state() == Session.State.CLOSED) {
            return;
        }
        int lines = 0;
        for (int i = offset, end = offset + length; i < end; i++) {
            if (bytes[i] == '\n') {
                lines++;
            }
        }
        if (lines > 0) {
            linesAfterGoodbye.add(lines);
        }
    }

    /** @return the clients told by the drain to reconnect ({@code summoner_drain_clients_told_total}). */
    public long clientsTold() {
        return clientsTold.sum();
    }

    /**
     * @return the lines clients sent after they were told to go, not relayed
     *         ({@code summoner_lines_after_goodbye_total}).
     */
    public long linesAfterGoodbye() {
        return linesAfterGoodbye.sum();
    }
}
