package org.summoner.relay.policy;

/**
 * {@code rate_limit_msgs_per_minute} for one client, as a token bucket: the bucket holds at most one minute's
 * allowance, starts full, and refills continuously at the allowance per minute. A client may therefore send a
 * burst of up to {@code perMinute} lines, then {@code perMinute} lines a minute on average; unlike the
 * reference's fixed window, there is no boundary at which twice the allowance gets through in a moment.
 *
 * <p>One per connection; not thread-safe (the connection's owning thread calls it); allocates nothing.
 */
public final class RateLimiter {
    private static final double NANOS_PER_MINUTE = 60e9;

    private double capacity;
    private double tokensPerNano;
    private double tokens;
    private long lastNanos;

    public RateLimiter(int perMinute, long nowNanos) {
        this(perMinute, perMinute / NANOS_PER_MINUTE, nowNanos);
        if (perMinute < 1) {
            throw new IllegalArgumentException("perMinute=" + perMinute);
        }
    }

    private RateLimiter(double capacity, double tokensPerNano, long nowNanos) {
        this.capacity = capacity;
        this.tokensPerNano = tokensPerNano;
        this.tokens = capacity;
        this.lastNanos = nowNanos;
    }

    /** @return a bucket of {@code burst} that refills at {@code perSecond}, full now. */
    public static RateLimiter perSecond(int burst, int perSecond, long nowNanos) {
        if (burst < 1 || perSecond < 1) {
            throw new IllegalArgumentException("burst=" + burst + ", perSecond=" + perSecond);
        }
        return new RateLimiter(burst, perSecond / 1e9, nowNanos);
    }

    /** @return the bucket's size: the allowance per minute it was made for (or last {@linkplain #retune retuned} to). */
    public double capacity() {
        return capacity;
    }

    /**
     * A reload changed {@code rate_limit_msgs_per_minute}: the bucket holds and refills the new allowance, counted from
     * its last line (the time since is refilled at the new rate by the next {@link #tryAcquire}); what it holds is kept,
     * cut to the new size, so a reload never hands a client a fresh burst.
     */
    public void retune(int perMinute) {
        if (perMinute < 1) {
            throw new IllegalArgumentException("perMinute=" + perMinute);
        }
        capacity = perMinute;
        tokensPerNano = perMinute / NANOS_PER_MINUTE;
        tokens = Math.min(tokens, capacity);
    }

    /**
     * @return true if one more line may be relayed now (and counts it), false if it is over the limit.
     */
    public boolean tryAcquire(long nowNanos) {
        final long elapsed = nowNanos - lastNanos;
        if (elapsed > 0) {
            tokens = Math.min(capacity, tokens + elapsed * tokensPerNano);
            lastNanos = nowNanos;
        }
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        return false;
    }
}
