package org.summoner.relay.netty;

import org.summoner.relay.core.Route;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The lines from other nodes of a cluster waiting for one event loop: queued by the backplane's receiving thread,
 * taken by the loop in one task for all that came meanwhile (a task per line was a task, a wake-up and a flush per
 * line). Each line is a copy of its envelope, the loop's until it takes it into its batch.
 *
 * <p>One producer (the receiving thread) and one consumer (the loop); thread-safe.
 */
final class FromClusterQueue {
    /** A line and its route on this node. */
    record Line(byte[] envelope, Route route) {
    }

    private final ConcurrentLinkedQueue<Line> lines = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();

    /** @return whether the caller must schedule the loop's task: none is scheduled that will take this line. */
    boolean add(byte[] envelope, Route route) {
        lines.add(new Line(envelope, route));
        return scheduled.compareAndSet(false, true);
    }

    /** The loop's task begins: a line added from now on schedules another. */
    void taking() {
        scheduled.set(false);
    }

    /** @return the oldest line, or null when none waits. */
    Line poll() {
        return lines.poll();
    }
}
