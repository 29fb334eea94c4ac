package org.summoner.relay.agrona;

import org.agrona.concurrent.IdleStrategy;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The idle strategy of an {@link IoAgent}, by the same names as the others ({@link IdleStrategies}), except that
 * where they park, it blocks in {@link IoAgent#block()}: {@code select()} returns as soon as a socket is ready or
 * the fan-out agent hands it a batch, so an idle I/O agent costs nothing and a busy one no latency.
 *
 * <ul>
 *   <li>{@code backoff}: spin, then yield, then block;</li>
 *   <li>{@code sleeping}: block at once;</li>
 *   <li>{@code yielding}: yield, never block;</li>
 *   <li>{@code busy-spin}: spin, never block.</li>
 * </ul>
 */
final class SelectorIdleStrategy implements IdleStrategy {
    private final String name;
    private final IoAgent agent;
    private long spins;
    private long yields;

    SelectorIdleStrategy(String name, IoAgent agent) {
        if (!IdleStrategies.NAMES.contains(name)) {
            throw new IllegalArgumentException("unknown idle strategy: " + name);
        }
        this.name = name;
        this.agent = agent;
    }

    @Override
    public void idle(int workCount) {
        if (workCount > 0) {
            reset();
            return;
        }
        idle();
    }

    @Override
    public void idle() {
        switch (name) {
            case IdleStrategies.BUSY_SPIN -> Thread.onSpinWait();
            case IdleStrategies.YIELDING -> Thread.yield();
            case IdleStrategies.SLEEPING -> block();
            default -> {
                if (spins < IdleStrategies.MAX_SPINS) {
                    spins++;
                    Thread.onSpinWait();
                } else if (yields < IdleStrategies.MAX_YIELDS) {
                    yields++;
                    Thread.yield();
                } else {
                    block();
                }
            }
        }
    }

    private void block() {
        try {
            agent.block();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void reset() {
        spins = 0;
        yields = 0;
    }

    @Override
    public String alias() {
        return "select-" + name;
    }
}
