package org.summoner.relay.agrona;

import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.summoner.relay.core.Route;
import org.summoner.relay.counters.RelayCounters;

import java.util.concurrent.locks.LockSupport;

/**
 * Lines from other nodes of the cluster into the engine: written by the backplane's thread into the lines ring, as an
 * I/O agent writes its sessions' lines, with sender id 0 (no session's: ids start at 1), so the fan-out agent batches
 * them with the rest and every I/O agent delivers them by the same rule. A full ring is back pressure: the backplane's
 * thread waits for room (counted once per wait in {@code handOffWaits}) until the engine stops.
 *
 * <p>Used by one thread at a time (the backplane's receiver).
 */
final class ClusterIntake {
    static final long SENDER = 0;
    private static final long WAIT_NANOS = 50_000;

    private final RingBuffer lines;
    private final Runnable wakeFanOut;
    private final RelayCounters counters;
    private final int maxPiece;
    private final UnsafeBuffer record;
    private volatile boolean stopped;

    ClusterIntake(RingBuffer lines, Runnable wakeFanOut, RelayCounters counters) {
        this.lines = lines;
        this.wakeFanOut = wakeFanOut;
        this.counters = counters;
        this.maxPiece = lines.maxMsgLength() - Records.ENVELOPE_HEADER_BYTES;
        this.record = new UnsafeBuffer(new byte[lines.maxMsgLength()]);
    }

    void relay(byte[] envelope, int offset, int length, Route route) {
        Records.writeEnvelopeHeader(record, 0, SENDER, route);
        int at = offset;
        int left = length;
        while (left > maxPiece && write(Records.ENVELOPE_PART, envelope, at, maxPiece)) {
            at += maxPiece;
            left -= maxPiece;
        }
        if (left <= maxPiece) {
            write(Records.ENVELOPE, envelope, at, left);
        }
        wakeFanOut.run();
    }

    /** @return whether it was written; false once the engine stops. */
    private boolean write(int type, byte[] bytes, int offset, int length) {
        record.putBytes(Records.ENVELOPE_HEADER_BYTES, bytes, offset, length);
        if (lines.write(type, record, 0, Records.ENVELOPE_HEADER_BYTES + length)) {
            return true;
        }
        counters.handOffWaited();
        wakeFanOut.run();
        while (!stopped) {
            LockSupport.parkNanos(WAIT_NANOS);
            if (lines.write(type, record, 0, Records.ENVELOPE_HEADER_BYTES + length)) {
                return true;
            }
        }
        return false;
    }

    void stop() {
        stopped = true;
    }
}
