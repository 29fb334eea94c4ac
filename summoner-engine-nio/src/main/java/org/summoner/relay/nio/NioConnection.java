package org.summoner.relay.nio;

import org.summoner.relay.policy.RateLimiter;
import org.summoner.relay.spi.BacklogJudge;
import org.summoner.relay.wire.LineFramer;

import java.net.InetAddress;
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
    final InetAddress address;
    final String remoteAddr;
    final byte[] envelopePrefix;
    final LineFramer framer;
    final RateLimiter rateLimiter;
    final BacklogJudge.Recipient recipient;
    final OutboundQueue queue = new OutboundQueue();

    SelectionKey key;
    /** Position in the worker's connection array, for O(1) removal. */
    int index;
    int interestOps;
    boolean dirty;
    boolean closeScheduled;
    State state = State.OPEN;
    long lingerDeadlineNanos;
    /** When the client last sent anything, for {@code client_timeout_secs}. */
    long lastReadNanos;

    NioConnection(SocketChannel channel, InetAddress address, String remoteAddr, byte[] envelopePrefix, LineFramer framer,
                  RateLimiter rateLimiter, BacklogJudge.Recipient recipient, long nowNanos) {
        this.channel = channel;
        this.address = address;
        this.remoteAddr = remoteAddr;
        this.envelopePrefix = envelopePrefix;
        this.framer = framer;
        this.rateLimiter = rateLimiter;
        this.recipient = recipient;
        this.lastReadNanos = nowNanos;
    }

    /** @return whether the socket buffer was full at the last write, so what is queued is a real backlog. */
    boolean blocked() {
        return (interestOps & SelectionKey.OP_WRITE) != 0;
    }

    boolean acceptsDeliveries() {
        return state == State.OPEN && !closeScheduled;
    }
}
