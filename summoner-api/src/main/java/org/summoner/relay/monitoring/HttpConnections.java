package org.summoner.relay.monitoring;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.Channel;
import java.nio.channels.SelectionKey;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@link HttpListener}'s connections, what they count, and the earliest of their deadlines: one place that keeps
 * {@code active}, {@code lingering} and {@code blocked} true as connections are added, change interest, linger and
 * close, and the counts of connections closed by the listener on its own, by reason
 * ({@code summoner_monitoring_closed_total}).
 *
 * <p>Written by the listener's thread only (single writer); the counts may be read from any thread.
 */
final class HttpConnections {
    private static final Logger log = LoggerFactory.getLogger(HttpListener.class);

    private final HttpLimits limits;
    private final List<HttpConnection> all = new ArrayList<>();
    private long nextDeadlineNanos = Long.MAX_VALUE;
    private volatile int active;
    private volatile int lingering;
    private volatile int blocked;
    private volatile long refused;
    private volatile long headTimeouts;
    private volatile long writeTimeouts;
    private volatile long idleTimeouts;
    private volatile long headsTooLarge;
    private volatile long malformed;

    HttpConnections(HttpLimits limits) {
        this.limits = limits;
    }

    // ---- the counts, from any thread ----

    /** @return connections being read from or answered now. */
    int activeConnections() {
        return active;
    }

    /** @return connections answered for the last time, waiting for their client to close (at most the linger). */
    int lingeringConnections() {
        return lingering;
    }

    /** @return connections whose response waits for their client to read (the socket is full). */
    int blockedConnections() {
        return blocked;
    }

    /** @return connections refused at the bound ({@code 503}) since start. */
    long refused() {
        return refused;
    }

    /**
     * @return connections closed because a request's head was not complete in time: {@code 408} after a part of it,
     *         without an answer when a new connection sent nothing.
     */
    long headTimeouts() {
        return headTimeouts;
    }

    /** @return connections dropped because a response was not taken in time. */
    long writeTimeouts() {
        return writeTimeouts;
    }

    /** @return kept-alive connections closed after being idle for the idle timeout. */
    long idleTimeouts() {
        return idleTimeouts;
    }

    /** @return connections closed because a request's head was over the bound ({@code 414}, {@code 431}). */
    long headsTooLarge() {
        return headsTooLarge;
    }

    /** @return connections closed because a request's head was malformed ({@code 400}, {@code 505}). */
    long malformed() {
        return malformed;
    }

    void countRefused() {
        refused = refused + 1;
    }

    void countHeadTimeout() {
        headTimeouts = headTimeouts + 1;
    }

    void countWriteTimeout() {
        writeTimeouts = writeTimeouts + 1;
    }

    void countIdleTimeout() {
        idleTimeouts = idleTimeouts + 1;
    }

    void countHeadTooLarge() {
        headsTooLarge = headsTooLarge + 1;
    }

    void countMalformed() {
        malformed = malformed + 1;
    }

    // ---- the listener's thread ----

    /** @return whether the bound of connections served at once is reached. */
    boolean atBound() {
        return active >= limits.maxConnections();
    }

    /** @return whether another connection may linger. */
    boolean mayLinger() {
        return lingering < limits.maxLingering();
    }

    /** A connection accepted under the bound, to be served. */
    void addActive(HttpConnection connection) {
        all.add(connection);
        connection.countedActive = true;
        active = active + 1;
    }

    /** A connection refused at the bound, which only lingers. */
    void addRefused(HttpConnection connection) {
        all.add(connection);
    }

    /** {@code connection} will be served no more: it lingers, counted as such, until its client closes. */
    void linger(HttpConnection connection) {
        leaveActive(connection);
        connection.state = HttpConnection.State.LINGERING;
        lingering = lingering + 1;
    }

    /** {@code connection} is no longer counted as served. */
    void leaveActive(HttpConnection connection) {
        if (connection.countedActive) {
            connection.countedActive = false;
            active = active - 1;
        }
    }

    /** Sets what the selector waits for on {@code connection}, counting it blocked while it waits to write. */
    void interest(HttpConnection connection, int ops) {
        final int was = connection.interestOps;
        if (was != ops) {
            connection.key.interestOps(ops);
            connection.interestOps = ops;
            if ((was & SelectionKey.OP_WRITE) != (ops & SelectionKey.OP_WRITE)) {
                blocked = blocked + ((ops & SelectionKey.OP_WRITE) != 0 ? 1 : -1);
            }
        }
    }

    /** Closes {@code connection} and forgets it; idempotent. */
    void close(HttpConnection connection) {
        if (!connection.open) {
            return;
        }
        connection.open = false;
        if (connection.countedActive) {
            connection.countedActive = false;
            active = active - 1;
        } else if (connection.state == HttpConnection.State.LINGERING) {
            lingering = lingering - 1;
        }
        if ((connection.interestOps & SelectionKey.OP_WRITE) != 0) {
            blocked = blocked - 1;
        }
        all.remove(connection);
        connection.key.cancel();
        closeQuietly(connection.channel);
    }

    /** Closes every connection (the listener stops). */
    void closeAll() {
        for (int i = all.size() - 1; i >= 0; i--) {
            close(all.get(i));
        }
    }

    /**
     * @return whether an idle connection was closed to make room, the one idle the longest: kept alive between two
     *         requests, or new and silent for {@link HttpListener#FRESH_EVICTABLE_NANOS} (a pre-connect, a port scan).
     */
    boolean evictIdle(long now) {
        HttpConnection oldest = null;
        for (int i = 0, n = all.size(); i < n; i++) {
            final HttpConnection c = all.get(i);
            final boolean idle = c.state == HttpConnection.State.READING_HEAD && !c.requestStarted && c.inputLength() == 0
                    && (c.served > 0 || now - c.idleSinceNanos >= HttpListener.FRESH_EVICTABLE_NANOS);
            if (idle && (oldest == null || c.idleSinceNanos - oldest.idleSinceNanos < 0)) {
                oldest = c;
            }
        }
        if (oldest == null) {
            return false;
        }
        log.debug("monitoring connection {} closed: idle, and a new connection needed its place", oldest.remote);
        close(oldest);
        return true;
    }

    // ---- deadlines ----

    /** The next turn starts by {@code deadlineNanos} at the latest. */
    void wakeBy(long deadlineNanos) {
        if (nextDeadlineNanos == Long.MAX_VALUE || deadlineNanos - nextDeadlineNanos < 0) {
            nextDeadlineNanos = deadlineNanos;
        }
    }

    /** @return the earliest deadline known, {@link Long#MAX_VALUE} for none. */
    long nextDeadlineNanos() {
        return nextDeadlineNanos;
    }

    /**
     * Hands each connection past its deadline to {@code expire}, then finds the next deadline, at the latest
     * {@code alsoByNanos} (0 for none); a turn's one walk over the connections.
     */
    void expire(long now, long alsoByNanos, Expiry expire) {
        if (nextDeadlineNanos == Long.MAX_VALUE || now - nextDeadlineNanos < 0) {
            return;
        }
        boolean any = alsoByNanos != 0;
        long next = alsoByNanos;
        for (int i = all.size() - 1; i >= 0; i--) {
            final HttpConnection connection = all.get(i);
            if (connection.state != HttpConnection.State.RENDERING && now - connection.deadlineNanos >= 0) {
                expire.expired(connection, now);
            }
            if (connection.open && connection.state != HttpConnection.State.RENDERING
                    && (!any || connection.deadlineNanos - next < 0)) {
                any = true;
                next = connection.deadlineNanos;
            }
        }
        nextDeadlineNanos = any ? next : Long.MAX_VALUE;
    }

    /** What is done with a connection past its deadline. */
    interface Expiry {
        void expired(HttpConnection connection, long now);
    }

    static void closeQuietly(Channel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            log.debug("closing a monitoring connection: {}", e.toString());
        }
    }
}
