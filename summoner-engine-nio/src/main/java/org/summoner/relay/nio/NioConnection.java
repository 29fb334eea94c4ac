package org.summoner.relay.nio;

import org.summoner.relay.wire.LineFramer;

import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/**
 * One client, owned by one {@link NioWorker}: its socket, its framer, its envelope prefix and what waits to be
 * written to it. Touched only by the owning worker's thread.
 */
final class NioConnection {
    /** Where a connection is in its life; it only moves forward. */
    enum State {
        /** Reads are relayed, envelopes are queued. */
        OPEN,
        /** A last notice is being written; reads are discarded, nothing more is queued. */
        DRAINING,
        /** Output is shut down after the notice; reads are discarded until the peer closes or time runs out. */
        LINGERING,
        CLOSED
    }

    final SocketChannel channel;
    final String remoteAddr;
    final byte[] envelopePrefix;
    final LineFramer framer;
    final OutboundQueue queue = new OutboundQueue();

    SelectionKey key;
    /** Position in the worker's connection array, for O(1) removal. */
    int index;
    int interestOps;
    boolean dirty;
    boolean closeScheduled;
    State state = State.OPEN;
    long lingerDeadlineNanos;

    NioConnection(SocketChannel channel, String remoteAddr, byte[] envelopePrefix, LineFramer framer) {
        this.channel = channel;
        this.remoteAddr = remoteAddr;
        this.envelopePrefix = envelopePrefix;
        this.framer = framer;
    }

    boolean acceptsDeliveries() {
        return state == State.OPEN && !closeScheduled;
    }
}
