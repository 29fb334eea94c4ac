package org.summoner.relay.policy;

import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RateLimiterTest {
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    private static int allowed(RateLimiter limiter, int attempts, long now) {
        int allowed = 0;
        for (int i = 0; i < attempts; i++) {
            if (limiter.tryAcquire(now)) {
                allowed++;
            }
        }
        return allowed;
    }

    @Test
    void a_full_minutes_allowance_may_come_at_once_and_no_more() {
        final RateLimiter limiter = new RateLimiter(300, 0);
        assertEquals(300, allowed(limiter, 1000, 0));
        assertFalse(limiter.tryAcquire(0));
    }

    @Test
    void the_allowance_refills_continuously_at_the_rate() {
        final RateLimiter limiter = new RateLimiter(60, 0); // one a second
        assertEquals(60, allowed(limiter, 60, 0));
        assertFalse(limiter.tryAcquire(SECOND / 2));
        assertTrue(limiter.tryAcquire(SECOND + 1));
        assertFalse(limiter.tryAcquire(SECOND + 2));
        assertEquals(10, allowed(limiter, 100, 11 * SECOND + 1));
    }

    @Test
    void over_any_minute_at_most_twice_the_allowance_passes_and_on_average_the_allowance() {
        final RateLimiter limiter = new RateLimiter(300, 0);
        int total = 0;
        for (long t = 0; t <= 60 * SECOND; t += SECOND / 100) {
            total += allowed(limiter, 10, t);
        }
        assertEquals(600, total); // the burst of 300, then 300 refilled over the minute
    }

    @Test
    void an_idle_client_does_not_bank_more_than_one_minute() {
        final RateLimiter limiter = new RateLimiter(10, 0);
        assertEquals(10, allowed(limiter, 100, TimeUnit.HOURS.toNanos(5)));
    }

    @Test
    void a_clock_that_goes_back_refills_nothing() {
        final RateLimiter limiter = new RateLimiter(1, 10 * SECOND);
        assertTrue(limiter.tryAcquire(10 * SECOND));
        assertFalse(limiter.tryAcquire(5 * SECOND));
    }

    @Test
    void a_retuned_bucket_keeps_what_it_holds_cut_to_the_new_size_and_refills_at_the_new_rate_since_its_last_line() {
        final RateLimiter limiter = new RateLimiter(600, 0);
        limiter.retune(2);
        assertEquals(2, allowed(limiter, 10, 0), "a full bucket of 600 cut to 2, no fresh burst");
        limiter.retune(60); // one a second from the last line on
        assertFalse(limiter.tryAcquire(SECOND / 2));
        assertTrue(limiter.tryAcquire(SECOND + SECOND / 10));
        assertThrows(IllegalArgumentException.class, () -> limiter.retune(0));
    }

    @Test
    void the_limit_must_be_positive() {
        assertThrows(IllegalArgumentException.class, () -> new RateLimiter(0, 0));
    }
}
