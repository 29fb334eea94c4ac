package org.summoner.relay.netty;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPromise;
import org.summoner.relay.core.OutboundBudget;
import org.summoner.relay.core.Session;

import java.util.ArrayList;

/**
 * Writes to one {@link NettyLoop}'s clients under the {@link OutboundBudget}: each write checked against
 * {@code max_queued_bytes} before it is queued, written unflushed, and flushed once per batch; what waits judged
 * where it is real (envelopes Netty holds that it was told to flush); what waited at a close counted as dropped.
 *
 * <p>Owned by its loop's thread.
 */
final class NettyWrites {
    private final NettyLoop owner;
    private final OutboundBudget budget;
    private final ArrayList<NettyConnection> dirty = new ArrayList<>();

    NettyWrites(NettyLoop owner, OutboundBudget budget) {
        this.owner = owner;
        this.budget = budget;
    }

    /**
     * Writes {@code message}, which carries {@code messages} envelopes, and takes ownership of it (not flushed;
     * {@code promise} is completed when it is written). Past {@code max_queued_bytes} the recipient is closed as a
     * slow consumer; over its high water mark, its backlog is judged right away.
     *
     * @return whether it was written.
     */
    boolean enqueue(NettyConnection connection, ByteBuf message, int messages, ChannelPromise promise) {
        final ChannelOutboundBuffer pending = connection.channel.unsafe().outboundBuffer();
        if (pending == null) {
            message.release();
            return false; // closing
        }
        final int size = message.readableBytes();
        final PendingWrites writes = connection.pendingWrites;
        connection.trimPendingWrites(pending);
        if (!budget.mayQueue(connection.session, writes.messages(), writes.bytes(), size, messages, owner.now())) {
            message.release();
            return false;
        }
        connection.channel.write(message, promise);
        connection.unflushed++;
        writes.add(messages, size);
        owner.turnCounts().bytesSent(size);
        if (!connection.dirty) {
            connection.dirty = true;
            dirty.add(connection);
        }
        if (!connection.channel.isWritable()) {
            judgeBacklog(connection);
        }
        return true;
    }

    /**
     * Applies the budget to what really waits for a recipient: the envelopes Netty holds that it was told to flush.
     * A burst written in this batch and not yet flushed is not a backlog, even if it puts the channel over its high
     * water mark.
     */
    void judgeBacklog(NettyConnection connection) {
        final Session session = connection.session;
        if (!session.isOpen()) {
            return;
        }
        final ChannelOutboundBuffer pending = connection.channel.unsafe().outboundBuffer();
        final long backlog = pending == null || pending.size() == 0 ? 0 : backlog(connection, pending);
        budget.judge(session, backlog, backlog == 0 ? 0 : connection.pendingWrites.bytes(), owner.now());
    }

    /** @return envelopes waiting to be written to the client: in flushed writes Netty still holds, and unflushed. */
    private static long backlog(NettyConnection connection, ChannelOutboundBuffer pending) {
        connection.trimPendingWrites(pending);
        return connection.pendingWrites.messages();
    }

    /** Flushes every client written to since the last flush, and judges what still waits for it. */
    void flushDirty() {
        final ArrayList<NettyConnection> dirty = this.dirty;
        for (int i = 0; i < dirty.size(); i++) {
            final NettyConnection connection = dirty.get(i);
            connection.dirty = false;
            if (connection.session.state() == Session.State.CLOSED) {
                continue;
            }
            connection.channel.flush();
            connection.unflushed = 0;
            judgeBacklog(connection);
        }
        dirty.clear();
    }

    /** Closes the channel; what was still waiting for it is counted as dropped. */
    void close(NettyConnection connection) {
        final ChannelOutboundBuffer pending = connection.channel.unsafe().outboundBuffer();
        if (pending != null) {
            budget.droppedAtClose(backlog(connection, pending));
            owner.turnCounts().bytesSent(-connection.pendingWrites.bytes());
        }
        connection.channel.close();
    }
}
