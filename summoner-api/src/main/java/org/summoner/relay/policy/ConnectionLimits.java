package org.summoner.relay.policy;

import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code max_connections} and {@code max_connections_per_ip} (ours): how many clients may be connected at once,
 * in all and from one address. 0 means no limit. Every successful {@link #tryAcquire} must be matched by one
 * {@link #release} when that connection closes. Thread-safe; per-address entries are removed when they reach 0,
 * so the map holds only addresses with open connections.
 */
public final class ConnectionLimits {
    /** The outcome of {@link #tryAcquire}. */
    public enum Result {
        ADMITTED, SERVER_FULL, TOO_MANY_FROM_ADDRESS
    }

    private final int maxConnections;
    private final int maxPerAddress;
    private final AtomicInteger total;
    private final ConcurrentHashMap<InetAddress, AtomicInteger> perAddress;

    public ConnectionLimits(int maxConnections, int maxPerAddress) {
        this(maxConnections, maxPerAddress, new AtomicInteger(), new ConcurrentHashMap<>());
    }

    private ConnectionLimits(int maxConnections, int maxPerAddress, AtomicInteger total,
                             ConcurrentHashMap<InetAddress, AtomicInteger> perAddress) {
        this.maxConnections = maxConnections;
        this.maxPerAddress = maxPerAddress;
        this.total = total;
        this.perAddress = perAddress;
    }

    /**
     * @return limits with {@code max_connections} as given (a reload), counting the same connections as these;
     *         {@code max_connections_per_ip} stays, since the addresses are counted only while it is set.
     */
    ConnectionLimits withMaxConnections(int newMaxConnections) {
        return new ConnectionLimits(newMaxConnections, maxPerAddress, total, perAddress);
    }

    public int maxConnections() {
        return maxConnections;
    }

    public int maxPerAddress() {
        return maxPerAddress;
    }

    public Result tryAcquire(InetAddress address) {
        if (total.incrementAndGet() > maxConnections && maxConnections > 0) {
            total.decrementAndGet();
            return Result.SERVER_FULL;
        }
        if (maxPerAddress > 0) {
            final boolean[] admitted = {false};
            perAddress.compute(address, (key, count) -> {
                final AtomicInteger current = count == null ? new AtomicInteger() : count;
                if (current.get() < maxPerAddress) {
                    current.incrementAndGet();
                    admitted[0] = true;
                }
                return current.get() == 0 ? null : current;
            });
            if (!admitted[0]) {
                total.decrementAndGet();
                return Result.TOO_MANY_FROM_ADDRESS;
            }
        }
        return Result.ADMITTED;
    }

    public void release(InetAddress address) {
        total.decrementAndGet();
        if (maxPerAddress > 0) {
            perAddress.computeIfPresent(address, (key, count) -> count.decrementAndGet() <= 0 ? null : count);
        }
    }

    /** @return connections counted now. */
    public int connections() {
        return total.get();
    }
}
