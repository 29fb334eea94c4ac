package org.summoner.relay.server.logging;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.spi.ILoggingEvent;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An asynchronous appender that never makes a logging thread wait: when its queue is full, the event is dropped,
 * counted ({@link #dropped()}) and reported on standard error at most every 10 s, so a slow disk or terminal can
 * never slow the relay and nothing is lost without a word.
 */
final class DroppingAsyncAppender extends AsyncAppender {
    static final int QUEUE_SIZE = 8192;
    private static final long REPORT_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong reported = new AtomicLong();
    private final AtomicLong lastReportNanos = new AtomicLong(System.nanoTime() - REPORT_INTERVAL_NANOS);

    DroppingAsyncAppender() {
        setNeverBlock(true);
        setQueueSize(QUEUE_SIZE);
        setDiscardingThreshold(0); // never discard by level: only a full queue drops, and that is counted
        setIncludeCallerData(false);
    }

    @Override
    protected void append(ILoggingEvent event) {
        if (getRemainingCapacity() == 0) {
            dropped.incrementAndGet();
            report();
            return;
        }
        super.append(event);
    }

    /** @return events dropped because the queue was full. */
    long dropped() {
        return dropped.get();
    }

    private void report() {
        final long now = System.nanoTime();
        final long last = lastReportNanos.get();
        if (now - last >= REPORT_INTERVAL_NANOS && lastReportNanos.compareAndSet(last, now)) {
            final long total = dropped.get();
            System.err.println("logging: " + (total - reported.getAndSet(total)) + " events dropped by " + getName()
                    + " (queue of " + QUEUE_SIZE + " full; " + total + " in all)");
        }
    }
}
