package org.summoner.relay.wire;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The bytes the server holds for all its clients together of what they sent and it has not handled yet
 * ({@code hyper_parameters.max_buffered_input_bytes}): unfinished lines gathered by their {@link LineFramer}s, and input
 * a connection holds until its next turn (its verification budget spent). One client's unfinished line is bounded by
 * {@code max_line_bytes}; this bounds them all, so that many connections each parked on a long unfinished line cannot
 * grow memory with their number. When it is spent, a line that needs more is dropped and its sender told
 * ({@link ServerNotice#INPUT_FULL}), and held input is handled at once instead of waiting.
 *
 * <p>Thread-safe: every engine thread takes and gives back; a compare-and-set per buffer grown or released, never per
 * line.
 */
public final class InputBudget {
    /** No bound: for tests and tools that frame lines outside a server. */
    public static final InputBudget UNBOUNDED = new InputBudget(Long.MAX_VALUE);

    private final long maxBytes;
    private final AtomicLong used = new AtomicLong();

    public InputBudget(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    /** @return whether {@code bytes} more may be held; if so they are counted until {@link #giveBack given back}. */
    public boolean tryTake(long bytes) {
        while (true) {
            final long now = used.get();
            if (bytes > maxBytes - now) {
                return false;
            }
            if (used.compareAndSet(now, now + bytes)) {
                return true;
            }
        }
    }

    /** {@code bytes} taken earlier are no longer held. */
    public void giveBack(long bytes) {
        used.addAndGet(-bytes);
    }

    /** @return the bytes held now, for monitoring. */
    public long used() {
        return used.get();
    }

    public long maxBytes() {
        return maxBytes;
    }
}
