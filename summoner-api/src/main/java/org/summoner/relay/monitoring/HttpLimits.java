package org.summoner.relay.monitoring;

import java.util.concurrent.TimeUnit;

/**
 * The bounds of the monitoring listener ({@link HttpListener}): fixed in production ({@link #DEFAULT}, documented in
 * docs/OPERATING.md, Monitoring); tests build shorter ones so that a deadline is not waited for in seconds.
 *
 * @param maxHeadBytes        a request's head (request line, header fields and the empty line after them) must fit
 *                            in this many bytes, else {@code 414} (its request line alone does not fit) or
 *                            {@code 431}, and the connection is closed.
 * @param headTimeoutNanos    a new connection's first request head must be complete this long after the accept, and
 *                            a later one this long after its first byte, else {@code 408} and the connection is closed
 *                            (closed without an answer when nothing was sent). The clock is not reset by each byte, so
 *                            a client sending one byte a second is closed as one sending nothing.
 * @param idleTimeoutNanos    a kept-alive connection on which no byte of a next request arrives for this long is
 *                            closed without an answer (a client may always close an idle connection; HTTP clients
 *                            retry a request that met one).
 * @param writeTimeoutNanos   a response must be in the socket's buffer this long after it was ready, else the
 *                            connection is dropped; meanwhile the connection holds no thread.
 * @param lingerNanos         after the last response of a connection (and after a refusal), input is read and
 *                            discarded for at most this long before the socket is closed, so the kernel does not
 *                            answer unread input with a reset that could destroy the response on its way.
 * @param maxConnections      connections being read from or answered at once. At the bound, the connection idle the
 *                            longest (kept alive between requests) is closed to admit a new one; with none idle, the
 *                            new one is answered {@code 503} and closed.
 * @param maxLingering        connections lingering at once (closing, output done); beyond, one is closed at once.
 * @param renderThreads       threads rendering {@code /metrics} and {@code /connz} into memory.
 */
record HttpLimits(int maxHeadBytes, long headTimeoutNanos, long idleTimeoutNanos, long writeTimeoutNanos,
                  long lingerNanos, int maxConnections, int maxLingering, int renderThreads) {
    static final int MAX_HEAD_BYTES = 8 * 1024;
    static final long HEAD_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(5);
    static final long IDLE_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(60);
    static final long WRITE_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(5);
    static final long LINGER_NANOS = TimeUnit.SECONDS.toNanos(1);
    static final int MAX_CONNECTIONS = 64;
    static final int MAX_LINGERING = 64;
    static final int RENDER_THREADS = 2;

    /** The production bounds. */
    static final HttpLimits DEFAULT = new HttpLimits(MAX_HEAD_BYTES, HEAD_TIMEOUT_NANOS, IDLE_TIMEOUT_NANOS,
            WRITE_TIMEOUT_NANOS, LINGER_NANOS, MAX_CONNECTIONS, MAX_LINGERING, RENDER_THREADS);

    HttpLimits {
        if (maxHeadBytes < 64 || headTimeoutNanos <= 0 || idleTimeoutNanos <= 0 || writeTimeoutNanos <= 0
                || lingerNanos <= 0 || maxConnections < 1 || maxLingering < 0 || renderThreads < 1) {
            throw new IllegalArgumentException("invalid monitoring limits: " + describe(maxHeadBytes, headTimeoutNanos,
                    idleTimeoutNanos, writeTimeoutNanos, lingerNanos, maxConnections, maxLingering, renderThreads));
        }
    }

    @Override
    public String toString() {
        return describe(maxHeadBytes, headTimeoutNanos, idleTimeoutNanos, writeTimeoutNanos, lingerNanos, maxConnections,
                maxLingering, renderThreads);
    }

    private static String describe(int maxHeadBytes, long headTimeoutNanos, long idleTimeoutNanos, long writeTimeoutNanos,
                                   long lingerNanos, int maxConnections, int maxLingering, int renderThreads) {
        return "maxHeadBytes=" + maxHeadBytes + ", headTimeoutMillis=" + TimeUnit.NANOSECONDS.toMillis(headTimeoutNanos)
                + ", idleTimeoutMillis=" + TimeUnit.NANOSECONDS.toMillis(idleTimeoutNanos)
                + ", writeTimeoutMillis=" + TimeUnit.NANOSECONDS.toMillis(writeTimeoutNanos)
                + ", lingerMillis=" + TimeUnit.NANOSECONDS.toMillis(lingerNanos)
                + ", maxConnections=" + maxConnections + ", maxLingering=" + maxLingering + ", renderThreads=" + renderThreads;
    }
}
