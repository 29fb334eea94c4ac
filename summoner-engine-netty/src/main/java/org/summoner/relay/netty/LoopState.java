package org.summoner.relay.netty;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.DuplexChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.summoner.relay.policy.FairUsePolicy;
import org.summoner.relay.policy.ReadPause;
import org.summoner.relay.spi.BacklogJudge;
import org.summoner.relay.spi.CounterBatch;
import org.summoner.relay.spi.EngineContext;
import org.summoner.relay.spi.RelayCounters;
import org.summoner.relay.spi.RelayedLines;
import org.summoner.relay.wire.EnvelopeEncoder;
import org.summoner.relay.wire.NoticeLines;
import org.summoner.relay.wire.RemoteAddresses;
import org.summoner.relay.wire.ServerNotice;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Everything one Netty event loop does for the clients it owns, on that loop's thread only. A relayed line is
 * encoded once into the loop's {@link EnvelopeBatch}; at the end of the loop's I/O batch (or once it holds
 * {@link #BATCH_SEAL_BYTES}) each local recipient gets one retained slice of it (no copy), the batch goes to every
 * other loop in one task each, and every recipient that got something is flushed once.
 *
 * <p>Fair use ({@link FairUsePolicy}) is applied at the same points as in the NIO engine: the rate limiter per
 * line; the backpressure gate on a recipient's real backlog (the envelopes in what Netty holds for it after a
 * flush, or when its write buffer is over the high water mark); the idle check every {@code timeout_check_interval_secs}; a pause of
 * reading on every loop (the engine's {@link ReadPause}, which tells every loop when a pause starts). A recipient past {@code max_queued_bytes} pending is closed whatever the
 * policy.
 *
 * <p>The hand-off between loops is bounded too: while another loop has more than {@link #INBOX_HIGH_WATER_BYTES} of
 * envelopes from its peers still to deliver, this loop stops reading (until that falls under
 * {@link #INBOX_LOW_WATER_BYTES}), so the slowest loop sets the pace instead of a task queue growing.
 */
final class LoopState {
    private static final Logger log = LoggerFactory.getLogger(LoopState.class);
    /** How long a connection that was told to go away may take to read its last notice. */
    static final long LINGER_NANOS = TimeUnit.SECONDS.toNanos(2);
    /** A batch this large is handed out before the I/O batch ends, so one fast sender cannot grow it. */
    static final int BATCH_SEAL_BYTES = 16 * 1024;
    static final long INBOX_HIGH_WATER_BYTES = 8L * 1024 * 1024;
    static final long INBOX_LOW_WATER_BYTES = 2L * 1024 * 1024;
    private static final long INBOX_CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    final EventLoop loop;
    /** Shared by the decoders of this loop's channels, which run one at a time. */
    final byte[] readScratch = new byte[64 * 1024];
    private final RelayCounters counters;
    private final CounterBatch counts;
    private final FairUsePolicy policy;
    private final BacklogJudge judge;
    private final long maxQueuedBytes;
    private final int maxLineBytes;
    private final ReadPause pauses;
    private final EnvelopeBatch batch;
    private final EnvelopeBatch.Sink<NettyConnection> toRecipient = this::deliver;
    /** Counts the batches this loop sealed; a connection that sent into the current one is marked with it. */
    private long batchSequence;
    /** Notices shared by every write: unreleasable, so each write gets a duplicate that Netty may "release". */
    private final ByteBuf[] notices = new ByteBuf[ServerNotice.values().length];
    private final ArrayList<NettyConnection> connections = new ArrayList<>();
    private final ArrayList<NettyConnection> dirty = new ArrayList<>();
    private final ArrayList<Sealed> outbox = new ArrayList<>();
    private final Runnable endBatch = this::endBatch;
    private final Runnable pause = this::pause;
    private final Runnable resumeCheck = this::resumeCheck;
    private final Runnable peersCheck = this::peersCheck;
    /** Bytes of envelopes other loops handed to this one and it has not delivered yet. */
    private final AtomicLong inboxBytes = new AtomicLong();
    private LoopState[] peers = new LoopState[0];
    private boolean batchScheduled;
    private boolean paused;
    private boolean peersBackedUp;
    private CountDownLatch shutdownDone;
    private long now = System.nanoTime();


    /** A sealed batch on its way to other loops: its buffer and how many envelopes it holds. */
    private record Sealed(ByteBuf buffer, int messages) {
    }

    LoopState(EventLoop loop, EngineContext context, BacklogJudge judge, ReadPause pauses, ByteBufAllocator allocator) {
        this.loop = loop;
        this.batch = new EnvelopeBatch(allocator, context.config().hyperParameters().maxEnvelopeBytes());
        this.counters = context.counters();
        this.counts = new CounterBatch(counters);
        this.policy = context.policy();
        this.judge = judge;
        this.maxQueuedBytes = context.config().hyperParameters().maxQueuedBytes();
        this.maxLineBytes = context.config().hyperParameters().maxLineBytes();
        this.pauses = pauses;
        final NoticeLines lines = new NoticeLines(maxLineBytes, context.config().hyperParameters().maxEnvelopeBytes());
        for (ServerNotice notice : ServerNotice.values()) {
            if (!notice.atAdmission()) {
                notices[notice.ordinal()] = Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(lines.line(notice)));
            }
        }
    }

    void peers(LoopState[] others) {
        this.peers = others;
    }

    /** Starts the idle check; called once, before any client. */
    void start() {
        if (policy.idleTimeoutEnabled()) {
            final long interval = policy.idleCheckIntervalNanos();
            loop.scheduleAtFixedRate(this::closeIdle, interval, interval, TimeUnit.NANOSECONDS);
        }
    }

    /** A client was admitted on this loop: from now on it receives what is relayed. */
    NettyConnection register(Channel channel, InetSocketAddress remote) {
        now = System.nanoTime();
        final String remoteAddr = RemoteAddresses.format(remote);
        final NettyConnection connection = new NettyConnection(channel, this, remote.getAddress(), remoteAddr,
                EnvelopeEncoder.prefix(remoteAddr), policy.newRateLimiter(now), judge.join(remote.getAddress(), remoteAddr), now);
        connection.index = connections.size();
        connections.add(connection);
        if (!reading()) {
            channel.config().setAutoRead(false);
        }
        channel.pipeline().addLast(new LineFrameDecoder(maxLineBytes, connection, readScratch));
        counters.connectionOpened();
        log.debug("{} connected.", remoteAddr);
        return connection;
    }

    boolean onBytes(NettyConnection connection, int count) {
        now = System.nanoTime();
        counts.bytesReceived(count);
        connection.lastReadNanos = now;
        return connection.state == NettyConnection.State.OPEN;
    }

    void relay(NettyConnection sender, byte[] bytes, int offset, int length) {
        counts.lineReceived();
        if (!sender.acceptsDeliveries()) {
            return;
        }
        if (!sender.rateLimiter.tryAcquire(now)) {
            drop(sender, ServerNotice.RATE_LIMITED, false);
            return;
        }
        if (!batch.append(sender, sender.envelopePrefix, bytes, offset, length)) {
            drop(sender, ServerNotice.ENVELOPE_TOO_LONG, false);
            return;
        }
        if (RelayedLines.enabled()) {
            RelayedLines.received(sender.remoteAddr, bytes, offset, length);
        }
        sender.lastBatch = batchSequence;
        counts.lineRelayed();
        if (batch.readableBytes() >= BATCH_SEAL_BYTES) {
            seal();
        }
        scheduleBatchEnd();
    }

    /** A line that is not relayed: counted, logged at DEBUG, and the sender is told why. */
    void drop(NettyConnection sender, ServerNotice reason, boolean framed) {
        if (framed) {
            counts.lineReceived();
        }
        counters.linesDropped(reason, 1);
        log.debug("{} line dropped: {}", sender.remoteAddr, reason);
        if (sender.acceptsDeliveries()) {
            seal(); // what was relayed before the dropped line reaches everyone before the notice
            if (enqueue(sender, notices[reason.ordinal()].duplicate(), 1, sender.channel.voidPromise())) {
                scheduleBatchEnd();
            }
        }
    }

    /**
     * Hands the batch out: every local recipient gets its slices of it (a client that sent into it gets only the
     * others' envelopes); other loops get it at the end of the I/O batch.
     */
    private void seal() {
        if (batch.isEmpty()) {
            return;
        }
        final ArrayList<NettyConnection> connections = this.connections;
        for (int i = 0, n = connections.size(); i < n; i++) {
            final NettyConnection connection = connections.get(i);
            if (!connection.acceptsDeliveries()) {
                continue;
            }
            if (connection.lastBatch == batchSequence) {
                batch.writeExcept(connection, toRecipient);
            } else {
                batch.writeAll(connection, toRecipient);
            }
        }
        final int messages = batch.messages();
        final ByteBuf sealed = batch.take();
        batchSequence++;
        if (peers.length > 0) {
            outbox.add(new Sealed(sealed, messages)); // released once handed to the other loops
        } else {
            sealed.release();
        }
    }

    /** The {@link EnvelopeBatch.Sink} of this loop's recipients. */
    private void deliver(NettyConnection recipient, ByteBuf slice, int messages) {
        if (enqueue(recipient, slice, messages, recipient.channel.voidPromise())) {
            counts.delivered(messages);
        }
    }

    /**
     * Writes {@code message}, which carries {@code messages} envelopes, and takes ownership of it (not flushed;
     * {@code promise} is completed when it is written).
     * Past {@code max_queued_bytes} the recipient is closed as a slow consumer; over its high water mark, its
     * backlog is judged right away.
     *
     * @return whether it was written.
     */
    private boolean enqueue(NettyConnection connection, ByteBuf message, int messages, ChannelPromise promise) {
        final ChannelOutboundBuffer pending = connection.channel.unsafe().outboundBuffer();
        if (pending == null) {
            message.release();
            return false; // closing
        }
        final int size = message.readableBytes();
        final PendingWrites writes = connection.pendingWrites;
        writes.trimTo(pending.size() + connection.unflushed);
        if (writes.bytes() > 0 && writes.bytes() + size > maxQueuedBytes) {
            message.release();
            counters.deliveriesDropped(messages);
            slowConsumer(connection, "max_queued_bytes");
            return false;
        }
        connection.channel.write(message, promise);
        connection.unflushed++;
        writes.add(messages, size);
        counts.bytesSent(size);
        if (!connection.dirty) {
            connection.dirty = true;
            dirty.add(connection);
        }
        if (!connection.channel.isWritable()) {
            judgeBacklog(connection);
        }
        return true;
    }

    /** @return envelopes waiting to be written to the client: in flushed writes Netty still holds, and unflushed. */
    private static long backlog(NettyConnection connection, ChannelOutboundBuffer pending) {
        connection.pendingWrites.trimTo(pending.size() + connection.unflushed);
        return connection.pendingWrites.messages();
    }

    /** @return bytes of those envelopes; call after {@link #backlog}. */
    private static long backlogBytes(NettyConnection connection) {
        return connection.pendingWrites.bytes();
    }

    /**
     * Applies the backpressure gate to what really waits for a recipient. Only while its socket is full, that is
     * while Netty still holds envelopes it was told to flush: a burst written in this batch and not yet flushed is
     * not a backlog, even if it puts the channel over its high water mark.
     */
    void judgeBacklog(NettyConnection connection) {
        if (connection.state != NettyConnection.State.OPEN) {
            return;
        }
        final ChannelOutboundBuffer pending = connection.channel.unsafe().outboundBuffer();
        // Nothing flushed is waiting: whatever is unflushed goes out at the end of this batch, so no backlog.
        final long backlog = pending == null || pending.size() == 0 ? 0 : backlog(connection, pending);
        if (judge.mustJudge(connection.recipient, backlog)
                && judge.judge(connection.recipient, backlog, backlog == 0 ? 0 : backlogBytes(connection), now)) {
            close(connection);
        }
    }

    private void slowConsumer(NettyConnection connection, String limit) {
        if (connection.state == NettyConnection.State.CLOSED) {
            return;
        }
        final ChannelOutboundBuffer pending = connection.channel.unsafe().outboundBuffer();
        judge.slowConsumer(connection.recipient, limit, pending == null ? 0 : backlog(connection, pending),
                backlogBytes(connection), now);
        close(connection);
    }

    /** Flushes and hands the batch's envelopes to the other loops once per loop iteration, however many reads. */
    void scheduleBatchEnd() {
        if (!batchScheduled) {
            batchScheduled = true;
            loop.execute(endBatch);
        }
    }

    private void endBatch() {
        batchScheduled = false;
        seal();
        if (!outbox.isEmpty()) {
            long bytes = 0;
            for (int i = 0, n = outbox.size(); i < n; i++) {
                bytes += outbox.get(i).buffer().readableBytes();
            }
            for (LoopState peer : peers) {
                final ArrayList<Sealed> batches = new ArrayList<>(outbox);
                for (int i = 0, n = batches.size(); i < n; i++) {
                    batches.get(i).buffer().retain();
                }
                final long batchBytes = bytes;
                peer.inboxBytes.addAndGet(batchBytes);
                peer.loop.execute(() -> peer.deliverBatches(batches, batchBytes));
            }
            for (int i = 0, n = outbox.size(); i < n; i++) {
                outbox.get(i).buffer().release();
            }
            outbox.clear();
            if (!peersBackedUp && mostBehindPeer() > INBOX_HIGH_WATER_BYTES) {
                peersBackedUp = true;
                counters.handOffWaited();
                updateReading();
                loop.schedule(peersCheck, INBOX_CHECK_NANOS, TimeUnit.NANOSECONDS);
            }
        }
        flushDirty();
        counts.publish();
    }

    /** Batches from another loop, in that loop's order: every client here gets each whole, then they are released. */
    private void deliverBatches(ArrayList<Sealed> batches, long bytes) {
        now = System.nanoTime();
        final ArrayList<NettyConnection> connections = this.connections;
        for (int b = 0, m = batches.size(); b < m; b++) {
            final Sealed sealed = batches.get(b);
            for (int i = 0, n = connections.size(); i < n; i++) {
                final NettyConnection connection = connections.get(i);
                if (connection.acceptsDeliveries()) {
                    deliver(connection, sealed.buffer().retainedSlice(), sealed.messages());
                }
            }
            sealed.buffer().release();
        }
        inboxBytes.addAndGet(-bytes);
        flushDirty();
        counts.publish();
    }

    private long mostBehindPeer() {
        long most = 0;
        for (LoopState peer : peers) {
            most = Math.max(most, peer.inboxBytes.get());
        }
        return most;
    }

    /** While reading is held back for a peer: reads again once every peer is under the low-water mark. */
    private void peersCheck() {
        if (mostBehindPeer() >= INBOX_LOW_WATER_BYTES) {
            loop.schedule(peersCheck, INBOX_CHECK_NANOS, TimeUnit.NANOSECONDS);
            return;
        }
        peersBackedUp = false;
        updateReading();
    }

    private void flushDirty() {
        final ArrayList<NettyConnection> dirty = this.dirty;
        for (int i = 0; i < dirty.size(); i++) {
            final NettyConnection connection = dirty.get(i);
            connection.dirty = false;
            if (connection.state == NettyConnection.State.CLOSED) {
                continue;
            }
            connection.channel.flush();
            connection.unflushed = 0;
            judgeBacklog(connection);
        }
        dirty.clear();
    }

    /** Every {@code timeout_check_interval_secs}: tells clients silent for {@code client_timeout_secs}, closes them. */
    private void closeIdle() {
        now = System.nanoTime();
        for (int i = 0; i < connections.size(); i++) {
            final NettyConnection connection = connections.get(i);
            if (connection.acceptsDeliveries() && policy.isIdle(connection.lastReadNanos, now)) {
                counters.idleDisconnected();
                log.debug("{} idle; disconnecting", connection.remoteAddr);
                sayGoodbye(connection, ServerNotice.IDLE_TIMEOUT);
            }
        }
    }

    /**
     * Writes a last notice, then shuts output down (FIN after the notice) and lets the client close, or closes it
     * when {@link #LINGER_NANOS} have passed.
     */
    private void sayGoodbye(NettyConnection connection, ServerNotice notice) {
        if (connection.state != NettyConnection.State.OPEN) {
            return;
        }
        seal(); // what was relayed before the notice reaches this client first
        connection.state = NettyConnection.State.DRAINING;
        final Channel channel = connection.channel;
        final ChannelPromise written = channel.newPromise();
        written.addListener((ChannelFutureListener) done -> {
            if (done.isSuccess() && channel instanceof DuplexChannel && channel.isActive()) {
                ((DuplexChannel) channel).shutdownOutput();
            }
        });
        if (enqueue(connection, notices[notice.ordinal()].duplicate(), 1, written)) {
            channel.flush();
            connection.unflushed = 0;
        }
        loop.schedule(() -> close(connection), LINGER_NANOS, TimeUnit.NANOSECONDS);
    }

    void endOfInput(NettyConnection connection) {
        log.debug("{} disconnected.", connection.remoteAddr);
        scheduleBatchEnd(); // the last line's envelopes
        close(connection);
    }

    void failed(NettyConnection connection, Throwable cause) {
        log.debug("{} failed: {}", connection.remoteAddr, cause.toString());
        close(connection);
    }

    /** Closes the channel; what was still waiting for it is counted as dropped. */
    private void close(NettyConnection connection) {
        if (connection.state == NettyConnection.State.CLOSED) {
            return;
        }
        final ChannelOutboundBuffer pending = connection.channel.unsafe().outboundBuffer();
        if (pending != null) {
            final long dropped = backlog(connection, pending);
            if (dropped > 0) {
                counters.deliveriesDropped(dropped);
            }
            counts.bytesSent(-backlogBytes(connection));
        }
        connection.state = NettyConnection.State.CLOSED;
        connection.channel.close();
    }

    /** The channel closed (by us or by the client): forget the connection. */
    void closed(NettyConnection connection) {
        connection.state = NettyConnection.State.CLOSED;
        final int index = connection.index;
        final NettyConnection last = connections.remove(connections.size() - 1);
        if (last != connection) {
            connections.set(index, last);
            last.index = index;
        }
        judge.leave(connection.recipient);
        counters.connectionClosed();
        policy.admission().release(connection.address);
        counts.publish();
        if (shutdownDone != null && connections.isEmpty()) {
            shutdownDone.countDown();
            shutdownDone = null;
        }
    }

    /** A pause started somewhere: stop reading here too, until the deadline. Called from any thread. */
    void announcePause() {
        loop.execute(pause);
    }

    private void pause() {
        if (!paused) {
            paused = true;
            updateReading();
        }
        loop.schedule(resumeCheck, Math.max(0, pauses.untilNanos() - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    private void resumeCheck() {
        final long left = pauses.untilNanos() - System.nanoTime();
        if (left > 0) {
            loop.schedule(resumeCheck, left, TimeUnit.NANOSECONDS);
            return;
        }
        if (paused) {
            paused = false;
            updateReading();
        }
    }

    /** Reading goes on unless a throttle or flow-control pause is in force or a peer loop is backed up. */
    private boolean reading() {
        return !paused && !peersBackedUp;
    }

    private void updateReading() {
        final boolean reading = reading();
        for (int i = 0; i < connections.size(); i++) {
            final NettyConnection connection = connections.get(i);
            if (connection.state == NettyConnection.State.OPEN) {
                connection.channel.config().setAutoRead(reading);
            }
        }
    }

    /** Server shutdown: every client is told and closed; {@code done} counts down when none is left. */
    void shutdown(CountDownLatch done) {
        now = System.nanoTime();
        if (connections.isEmpty()) {
            done.countDown();
            return;
        }
        shutdownDone = done;
        for (int i = 0; i < connections.size(); i++) {
            sayGoodbye(connections.get(i), ServerNotice.SHUTTING_DOWN);
        }
        loop.schedule(() -> {
            for (int i = connections.size() - 1; i >= 0; i--) {
                close(connections.get(i));
            }
        }, LINGER_NANOS, TimeUnit.NANOSECONDS);
    }

}
