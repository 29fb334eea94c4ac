package org.summoner.relay.core;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.summoner.relay.counters.LogThrottle;
import org.summoner.relay.wire.Untrusted;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * The fault barrier's books (SPEC section 10, "Faults"): whatever a line, a frame or a timer makes the code throw is
 * caught where it entered the core ({@link Session}, {@link Dispatcher}, the cluster's intake, an engine's loop), at
 * most the connection concerned is closed, and the fault comes here: counted by {@link Where} (Prometheus
 * {@code summoner_faults_total{where=...}}) and logged at WARN at most once per {@link #LOG_INTERVAL_NANOS}, with the
 * stack trace of the first fault of each kind (its exception class and the frame it was thrown from) and the count of
 * those not logged since. A relay thread that dies anyway ({@link #threadDied}) is logged at ERROR and makes the
 * relay unhealthy ({@link #unhealthy()}: {@code /healthz} answers 503).
 *
 * <p>Thread-safe; recording a fault allocates only when it is logged.
 */
public final class Faults {
    private static final Logger log = LoggerFactory.getLogger(Faults.class);
    /** Faults are logged at most this often; the others are counted, and the next line says how many. */
    public static final long LOG_INTERVAL_NANOS = LogThrottle.DEFAULT_INTERVAL_NANOS;
    /** Kinds of fault whose stack trace was logged; bounded so that a fuzzing client cannot grow it. */
    private static final int MAX_KINDS_TRACED = 256;

    /** Where a fault entered the core: the label of {@code summoner_faults_total}. */
    public enum Where {
        /** Bytes or a line from a client: framing, the checks, routing, encoding, dispatch. */
        LINE("line"),
        /** A timed duty: the idle sweep, a handshake deadline, a read pause, a goodbye. */
        TIMER("timer"),
        /** A frame from another node of the cluster. */
        CLUSTER("cluster"),
        /** An engine's handling of a connection outside a line: a write, a hand-off between its threads. */
        ENGINE("engine");

        private final String label;

        Where(String label) {
            this.label = label;
        }

        /** @return the {@code where} label's value. */
        public String label() {
            return label;
        }
    }

    private final LongAdder[] counts = new LongAdder[Where.values().length];
    private final LogThrottle throttle;
    private final Set<String> kindsTraced = ConcurrentHashMap.newKeySet();
    private final AtomicReference<String> unhealthy = new AtomicReference<>();

    public Faults() {
        this(LOG_INTERVAL_NANOS);
    }

    /** @param logIntervalNanos how often faults are logged at most: {@link #LOG_INTERVAL_NANOS}, or less in tests. */
    Faults(long logIntervalNanos) {
        this.throttle = new LogThrottle(logIntervalNanos);
        for (int i = 0; i < counts.length; i++) {
            counts[i] = new LongAdder();
        }
    }

    /**
     * A fault was caught at the barrier.
     *
     * @param where   where it entered the core.
     * @param subject what it concerned, for the log: a client's {@code remote_addr}, a node's name (escaped here).
     * @param action  what was done about it, for the log, e.g. {@code "the client was told and disconnected"}.
     */
    public void record(Where where, String subject, String action, Throwable error) {
        counts[where.ordinal()].increment();
        final long quiet = throttle.tryLog(System.nanoTime());
        if (quiet < 0) {
            return;
        }
        final String message = "fault handling " + where.label() + " of " + Untrusted.text(subject) + ": "
                + Untrusted.text(String.valueOf(error)) + "; " + action + "; every other connection is served on"
                + "; counted in summoner_faults_total" + throttle.since(quiet);
        if (firstOfItsKind(error)) {
            log.warn(message, Untrusted.throwable(error));
        } else {
            log.warn(message);
        }
    }

    /**
     * A relay thread stopped on an error no barrier caught, or met one the JVM cannot recover from (out of memory):
     * logged at ERROR, and the relay is unhealthy from now on ({@code /healthz} answers 503) until the process is
     * restarted, so that an orchestrator replaces it.
     */
    public void threadDied(String threadName, Throwable error) {
        unhealthy.compareAndSet(null, "relay thread " + threadName + " failed: " + Untrusted.text(String.valueOf(error)));
        log.error("{} failed with an error no barrier can serve on after; the relay is unhealthy (/healthz answers 503) "
                + "until it is restarted", threadName, Untrusted.throwable(error));
    }

    /** @return why the relay is unhealthy (a relay thread died), or null while it is healthy. */
    public String unhealthy() {
        return unhealthy.get();
    }

    /** @return the faults caught at {@code where} so far. */
    public long count(Where where) {
        return counts[where.ordinal()].sum();
    }

    /** @return every fault caught so far. */
    public long total() {
        long total = 0;
        for (LongAdder count : counts) {
            total += count.sum();
        }
        return total;
    }

    private boolean firstOfItsKind(Throwable error) {
        final StackTraceElement[] trace = error.getStackTrace();
        final String kind = error.getClass().getName() + (trace.length == 0 ? "" : " at " + trace[0]);
        return kindsTraced.size() < MAX_KINDS_TRACED && kindsTraced.add(kind);
    }

    /**
     * @return whether the barrier may catch {@code error} and serve on: anything but a {@link VirtualMachineError}
     *         (out of memory, an internal error), except a stack overflow, which unwinds cleanly to the barrier.
     */
    public static boolean recoverable(Throwable error) {
        return !(error instanceof VirtualMachineError) || error instanceof StackOverflowError;
    }
}
