package org.summoner.relay.netty;

import io.netty.channel.Channel;
import org.summoner.relay.policy.RateLimiter;
import org.summoner.relay.spi.BacklogJudge;
import org.summoner.relay.wire.ServerNotice;

import java.net.InetAddress;

/**
 * One client: its channel, its envelope prefix, its rate limiter and what its loop knows of it. Its
 * {@link LineFrameDecoder.Lines} callbacks hand everything to the {@link LoopState} of its event loop, naming
 * itself, so no per-line object is needed. Touched only on that event loop.
 */
final class NettyConnection implements LineFrameDecoder.Lines {
    /** Where a connection is in its life; it only moves forward. */
    enum State {
        /** Lines are relayed, envelopes are written. */
        OPEN,
        /** A last notice is being written; what the client sends is discarded. */
        DRAINING,
        CLOSED
    }

    final Channel channel;
    final LoopState loop;
    final InetAddress address;
    final String remoteAddr;
    final byte[] envelopePrefix;
    final RateLimiter rateLimiter;
    final BacklogJudge.Recipient recipient;

    State state = State.OPEN;
    long lastReadNanos;
    /** Writes since the last flush: Netty's outbound buffer counts only flushed ones. */
    int unflushed;
    /** Envelopes in each write Netty holds for this client. */
    final PendingWrites pendingWrites = new PendingWrites();
    /** The sequence of the last {@link EnvelopeBatch} this client sent a line into. */
    long lastBatch = -1;
    boolean dirty;
    /** Position in the loop's connection list, for O(1) removal. */
    int index;

    NettyConnection(Channel channel, LoopState loop, InetAddress address, String remoteAddr, byte[] envelopePrefix,
                    RateLimiter rateLimiter, BacklogJudge.Recipient recipient, long nowNanos) {
        this.channel = channel;
        this.loop = loop;
        this.address = address;
        this.remoteAddr = remoteAddr;
        this.envelopePrefix = envelopePrefix;
        this.rateLimiter = rateLimiter;
        this.recipient = recipient;
        this.lastReadNanos = nowNanos;
    }

    boolean acceptsDeliveries() {
        return state == State.OPEN;
    }

    @Override
    public boolean onBytes(int count) {
        return loop.onBytes(this, count);
    }

    @Override
    public void onLine(byte[] buffer, int offset, int length) {
        loop.relay(this, buffer, offset, length);
    }

    @Override
    public void onLineDropped(ServerNotice reason) {
        loop.drop(this, reason, true);
    }

    @Override
    public void onReadComplete() {
        loop.scheduleBatchEnd();
    }

    @Override
    public void onEndOfInput() {
        loop.endOfInput(this);
    }

    @Override
    public void onFailure(Throwable cause) {
        loop.failed(this, cause);
    }

    @Override
    public void onWritabilityChanged(boolean writable) {
        if (!writable) {
            loop.judgeBacklog(this);
        }
    }

    @Override
    public void onClosed() {
        loop.closed(this);
    }
}
