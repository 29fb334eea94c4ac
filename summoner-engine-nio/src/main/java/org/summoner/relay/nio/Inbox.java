package org.summoner.relay.nio;

import java.util.ArrayList;

/**
 * Hands envelopes from other workers to one worker, a batch per producer turn: producers append under a lock,
 * the owner swaps the list out in O(1). Per-producer order is kept, so per-sender order holds across workers.
 *
 * <p>Bounded by its producers: each checks {@link #bytes()} before reading more from its own sockets (see
 * {@code NioWorker}), so the inbox never grows far past the high-water mark. Thread-safe.
 */
final class Inbox {
    private ArrayList<Envelope> incoming = new ArrayList<>();
    private ArrayList<Envelope> draining = new ArrayList<>();
    private volatile long bytes;

    /** Called by a producer worker. */
    void offerAll(ArrayList<Envelope> batch) {
        synchronized (this) {
            long added = 0;
            for (int i = 0, n = batch.size(); i < n; i++) {
                final Envelope envelope = batch.get(i);
                incoming.add(envelope);
                added += envelope.bytes.length;
            }
            bytes += added;
        }
    }

    /** Called by the cluster's receiving thread: one envelope. @return whether the inbox was empty (the owner needs a wakeup). */
    boolean offer(Envelope envelope) {
        synchronized (this) {
            final boolean wasEmpty = incoming.isEmpty();
            incoming.add(envelope);
            bytes += envelope.bytes.length;
            return wasEmpty;
        }
    }

    /**
     * Called by the owner only. The returned list is the owner's until its next call; the owner clears it.
     */
    ArrayList<Envelope> drain() {
        final ArrayList<Envelope> batch;
        synchronized (this) {
            batch = incoming;
            incoming = draining;
            bytes = 0;
        }
        draining = batch;
        return batch;
    }

    boolean isEmpty() {
        return bytes == 0;
    }

    /** @return the bytes of the envelopes waiting; read without the lock by producers deciding to pause. */
    long bytes() {
        return bytes;
    }
}
