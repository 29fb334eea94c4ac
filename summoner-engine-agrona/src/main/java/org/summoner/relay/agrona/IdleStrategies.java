package org.summoner.relay.agrona;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.SleepingIdleStrategy;
import org.agrona.concurrent.YieldingIdleStrategy;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * The idle strategies by name, and the wake-up that lets parked agents answer at once.
 *
 * <ul>
 *   <li>{@code sleeping} (default): park at once, for up to 1 ms; a producer that hands work to a parked agent
 *       unparks it, so waiting costs no latency, and nothing runs that has nothing to do. On 2 cores it measured
 *       best at max rate and no worse in latency than {@code backoff} (docs/benchmarks/jmh-agrona-idle.txt).</li>
 *   <li>{@code backoff}: spin, then yield, then park for 1 µs doubling to 1 ms: the short timed parks and the yields
 *       take the cores the other threads need when there are few.</li>
 *   <li>{@code yielding}: {@code Thread.yield()}: a core each, shared with whatever else runs.</li>
 *   <li>{@code busy-spin}: never gives the core up: the lowest latency on a machine with cores to spare, and
 *       a bad choice on a small one.</li>
 * </ul>
 *
 * I/O agents do not park: they block in {@code select()}, which sockets and {@code wakeup()} end (see
 * {@link IoAgent}); these strategies only decide whether they spin or yield first.
 */
final class IdleStrategies {
    static final String BACKOFF = "backoff";
    static final String SLEEPING = "sleeping";
    static final String YIELDING = "yielding";
    static final String BUSY_SPIN = "busy-spin";
    static final List<String> NAMES = List.of(BACKOFF, SLEEPING, YIELDING, BUSY_SPIN);

    static final long MAX_SPINS = 10;
    static final long MAX_YIELDS = 5;
    static final long MIN_PARK_NANOS = TimeUnit.MICROSECONDS.toNanos(1);
    static final long MAX_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private IdleStrategies() {
    }

    static IdleStrategy create(String name) {
        return switch (name) {
            case BACKOFF -> new BackoffIdleStrategy(MAX_SPINS, MAX_YIELDS, MIN_PARK_NANOS, MAX_PARK_NANOS);
            case SLEEPING -> new SleepingIdleStrategy(MAX_PARK_NANOS);
            case YIELDING -> new YieldingIdleStrategy();
            case BUSY_SPIN -> new BusySpinIdleStrategy();
            default -> throw new IllegalArgumentException("unknown idle strategy: " + name);
        };
    }

    /**
     * An idle strategy that its producers can cut short. Before it idles it says so, then looks for work once more
     * ({@code hasWork}); a producer publishes, then calls {@link #wake()}. Either the agent sees the work, or the
     * producer sees the agent idle and unparks it (a permit given before the park makes the park return at once):
     * no wake-up is lost.
     */
    static final class Wakeable implements IdleStrategy {
        private final IdleStrategy delegate;
        private final BooleanSupplier hasWork;
        private volatile boolean idle;
        private volatile Thread thread;

        Wakeable(IdleStrategy delegate, BooleanSupplier hasWork) {
            this.delegate = delegate;
            this.hasWork = hasWork;
        }

        /** Called by a producer after it published something for this agent; cheap when the agent is busy. */
        void wake() {
            if (idle) {
                final Thread parked = thread;
                if (parked != null) {
                    LockSupport.unpark(parked);
                }
            }
        }

        @Override
        public void idle(int workCount) {
            if (workCount > 0) {
                delegate.reset();
                return;
            }
            idle();
        }

        @Override
        public void idle() {
            if (thread == null) {
                thread = Thread.currentThread();
            }
            idle = true;
            if (!hasWork.getAsBoolean()) {
                delegate.idle();
            }
            idle = false;
        }

        @Override
        public void reset() {
            delegate.reset();
        }

        @Override
        public String alias() {
            return delegate.alias();
        }
    }
}
