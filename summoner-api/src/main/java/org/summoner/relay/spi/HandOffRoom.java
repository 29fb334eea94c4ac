package org.summoner.relay.spi;

import org.summoner.relay.counters.RelayCounters;

import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * The bounded wait of a producer outside the engine (the cluster's backplane thread) before it hands an envelope to an
 * engine thread: over the high-water mark it waits, counted once in {@code handOffWaits}, until the hand-off is under
 * the low-water mark or the engine stops. The engines' own hand-offs between their threads pause reading instead.
 */
public final class HandOffRoom {
    private static final long WAIT_NANOS = 50_000;

    private HandOffRoom() {
    }

    /**
     * @param waiting the bytes waiting in the hand-off now (a volatile or atomic read).
     * @param stopped whether the engine thread stopped (then nothing more is waited for).
     */
    public static void await(LongSupplier waiting, BooleanSupplier stopped, long highWater, long lowWater, RelayCounters counters) {
        if (waiting.getAsLong() <= highWater) {
            return;
        }
        counters.handOffWaited();
        while (waiting.getAsLong() >= lowWater && !stopped.getAsBoolean()) {
            LockSupport.parkNanos(WAIT_NANOS);
        }
    }
}
