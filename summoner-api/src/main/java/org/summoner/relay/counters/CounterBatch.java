package org.summoner.relay.counters;

/**
 * The counts one engine thread gathers between two publications to the shared {@link RelayCounters}: adding to a
 * plain field per line and to the shared adders once per loop turn keeps contended writes off the hot path.
 *
 * <p>Owned by one thread; not thread-safe.
 */
public final class CounterBatch {
    private final RelayCounters counters;
    private long linesReceived;
    private long bytesReceived;
    private long linesRelayed;
    private long deliveries;
    private long bytesSent;

    public CounterBatch(RelayCounters counters) {
        this.counters = counters;
    }

    /** A complete line was framed (relayed or not). */
    public void lineReceived() {
        linesReceived++;
    }

    public void bytesReceived(long bytes) {
        bytesReceived += bytes;
    }

    public void lineRelayed() {
        linesRelayed++;
    }

    /** Envelopes handed to recipients (one per recipient per line). */
    public void delivered(long envelopes) {
        deliveries += envelopes;
    }

    /** Bytes written to (or, negative, taken back from what was counted for) client sockets. */
    public void bytesSent(long bytes) {
        bytesSent += bytes;
    }

    /** Adds what was gathered to the shared counters and starts again from zero. */
    public void publish() {
        if ((linesReceived | bytesReceived) != 0) {
            counters.received(linesReceived, bytesReceived);
            linesReceived = 0;
            bytesReceived = 0;
        }
        if ((linesRelayed | deliveries) != 0) {
            counters.relayed(linesRelayed, deliveries);
            linesRelayed = 0;
            deliveries = 0;
        }
        if (bytesSent != 0) {
            counters.sent(bytesSent);
            bytesSent = 0;
        }
    }
}
