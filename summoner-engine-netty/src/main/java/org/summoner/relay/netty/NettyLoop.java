package org.summoner.relay.netty;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.ssl.SslHandler;
import org.summoner.relay.core.Dispatcher;
import org.summoner.relay.core.Faults;
import org.summoner.relay.core.OutboundBudget;
import org.summoner.relay.core.RelayCore;
import org.summoner.relay.core.Route;
import org.summoner.relay.core.Session;
import org.summoner.relay.core.SpanTable;
import org.summoner.relay.policy.ReadPause;
import org.summoner.relay.spi.HandOffRoom;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One Netty event loop's dispatcher and the clients it owns, on that loop's thread only. Its sessions' envelopes go
 * into the loop's {@link EnvelopeBatch}; at the end of the loop's I/O batch (or once it holds
 * {@link #BATCH_SEAL_BYTES}) each local recipient gets retained slices of it (no copy), the batch goes to every
 * other loop in one task each, and every recipient that got something is flushed once.
 *
 * <p>A recipient's backlog is the envelopes in what Netty holds for it after a flush, or when its write buffer is
 * over the high water mark; the core's {@link OutboundBudget} says what it means. Throttle and flow control turn
 * auto-read off on every loop while the server's {@link ReadPause} lasts.
 *
 * <p>The hand-off between loops is bounded: while another loop has more than {@link #INBOX_HIGH_WATER_BYTES} of
 * envelopes from its peers still to deliver, this loop stops reading (until that falls under
 * {@link #INBOX_LOW_WATER_BYTES}), so the slowest loop sets the pace instead of a task queue growing.
 */
final class NettyLoop extends Dispatcher {
    /** A batch this large is handed out before the I/O batch ends, so one fast sender cannot grow it. */
    static final int BATCH_SEAL_BYTES = 16 * 1024;
    static final long INBOX_HIGH_WATER_BYTES = 8L * 1024 * 1024;
    static final long INBOX_LOW_WATER_BYTES = 2L * 1024 * 1024;
    private static final long INBOX_CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    /** A sealed batch on its way to other loops: its buffer, its envelopes, and its spans unless all were broadcast. */
    private record Sealed(ByteBuf buffer, int messages, SpanTable spans) {
    }

    final EventLoop loop;
    /** Shared by the handlers of this loop's channels, which run one at a time. */
    private final byte[] readScratch = new byte[64 * 1024];
    /** Writes to this loop's clients under the outbound budget. */
    final NettyWrites writes;
    /** Whether each client is read. */
    final NettyReading reading;
    private final EnvelopeBatch batch;
    private final EnvelopeBatch.Sink<NettyConnection> toRecipient = this::deliver;
    private final EnvelopeBatch.Slicer<NettyConnection> slicer = new EnvelopeBatch.Slicer<>();
    /** Counts the batches this loop sealed; a connection that sent into the current one is marked with it. */
    private long batchSequence;
    private final ArrayList<Sealed> outbox = new ArrayList<>();
    private final Runnable endBatch = this::endBatch;
    private final Runnable peersCheck = this::peersCheck;
    private final Runnable resumeHeld = this::resumeHeld;
    private boolean heldScheduled;
    /** When the scheduled run of the timed duties is due; {@code Long.MAX_VALUE} while none is scheduled. */
    private long dutyAtNanos = Long.MAX_VALUE;
    /** Bytes of envelopes other loops handed to this one and it has not delivered yet. */
    private final AtomicLong inboxBytes = new AtomicLong();
    private final FromClusterQueue fromCluster = new FromClusterQueue();
    private final Runnable takeFromCluster = this::takeFromCluster;
    private NettyLoop[] peers = new NettyLoop[0];
    private boolean batchScheduled;
    private CountDownLatch shutdownDone;

    NettyLoop(EventLoop loop, RelayCore core, ByteBufAllocator allocator) {
        super(core);
        this.loop = loop;
        this.writes = new NettyWrites(this, core.budget());
        this.reading = new NettyReading(this, loop, core.readPause());
        this.batch = new EnvelopeBatch(allocator);
    }

    void peers(NettyLoop[] others) {
        this.peers = others;
    }

    /** Schedules the timed duties (idle sweep); called once, on the loop, before any client. */
    void start() {
        tick();
        scheduleDuties(nextTimedDutyNanos());
    }

    void readClock() {
        tick();
    }

    /** A client was admitted on this loop: its session, from now on a recipient. */
    void register(Channel channel, InetSocketAddress remote) {
        tick();
        final NettyConnection connection = new NettyConnection(channel, this);
        connection.session = open(remote, connection);
        if (!reading.reading()) {
            channel.config().setAutoRead(false);
        }
        channel.pipeline().addLast(new SessionHandler(connection, readScratch));
        if (core().tls() == null) {
            connection.session.start();
        } else {
            connection.tls = true; // the session starts once the TLS handshake is done (NettyConnection.onTlsReady)
            channel.pipeline().addFirst(new TlsDetector(core().tls(), connection));
        }
    }

    /** The TLS handshake is done: the session starts, and what it sends first (a challenge) goes out. */
    void tlsReady(NettyConnection connection) {
        tick();
        connection.session.start();
        scheduleBatchEnd();
    }

    /** A plaintext client of the TLS port, told and with its output shut: the core closes it after the linger. */
    void refusedPlaintext(NettyConnection connection) {
        tick();
        connection.session.closeAfterLinger();
    }

    // ---- envelopes ----

    @Override
    protected void dispatch(Session sender, byte[] envelope, int length, Route route) {
        batch.append(sender.id(), route, envelope, length);
        ((NettyConnection) sender.output()).lastBatch = batchSequence;
        if (batch.readableBytes() >= BATCH_SEAL_BYTES) {
            seal();
        }
        scheduleBatchEnd();
    }

    /** Hands the batch out: every local recipient gets its slices of it; other loops get it at the end of the I/O batch. */
    private void seal() {
        if (batch.isEmpty()) {
            return;
        }
        for (int i = 0, n = sessionCount(); i < n; i++) {
            final Session session = session(i);
            if (session.isOpen()) {
                final NettyConnection connection = (NettyConnection) session.output();
                batch.writeTo(session, connection, connection.lastBatch == batchSequence, toRecipient);
            }
        }
        final int messages = batch.messages();
        final SpanTable spans = batch.spans().allBroadcast() ? null : batch.spans().copy();
        final ByteBuf sealed = batch.take();
        batchSequence++;
        if (peers.length > 0) {
            outbox.add(new Sealed(sealed, messages, spans)); // released once handed to the other loops
        } else {
            sealed.release();
        }
    }

    /** The {@link EnvelopeBatch.Sink} of this loop's recipients. */
    private void deliver(NettyConnection recipient, ByteBuf slice, int messages) {
        try {
            if (writes.enqueue(recipient, slice, messages, recipient.channel.voidPromise())) {
                delivered(recipient.session, messages);
            }
        } catch (Throwable error) {
            recipient.session.fault(Faults.Where.ENGINE, error); // that recipient alone
        }
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
        nextTurn(); // the loop's iteration is a turn: every connection's verification budget is renewed
        seal();
        if (!outbox.isEmpty()) {
            long bytes = 0;
            for (int i = 0, n = outbox.size(); i < n; i++) {
                bytes += outbox.get(i).buffer().readableBytes();
            }
            for (NettyLoop peer : peers) {
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
            if (!reading.peersBackedUp() && mostBehindPeer() > INBOX_HIGH_WATER_BYTES) {
                core().counters().handOffWaited();
                reading.peersBackedUp(true);
                loop.schedule(peersCheck, INBOX_CHECK_NANOS, TimeUnit.NANOSECONDS);
            }
        }
        writes.flushDirty();
        turnEnded();
    }

    /** Batches from another loop, in that loop's order: every client here gets its part of each, then they are released. */
    private void deliverBatches(ArrayList<Sealed> batches, long bytes) {
        tick();
        for (int b = 0, m = batches.size(); b < m; b++) {
            final Sealed sealed = batches.get(b);
            for (int i = 0, n = sessionCount(); i < n; i++) {
                final Session session = session(i);
                if (session.isOpen()) {
                    EnvelopeBatch.writeTo(sealed.buffer(), sealed.spans(), sealed.messages(), session,
                            (NettyConnection) session.output(), toRecipient, slicer);
                }
            }
            sealed.buffer().release();
        }
        inboxBytes.addAndGet(-bytes);
        writes.flushDirty();
        turnEnded();
    }

    /**
     * An envelope from another node, on the backplane's thread ({@code copy} is this loop's until it takes it): waits
     * while this loop or another has more than {@link #INBOX_HIGH_WATER_BYTES} of envelopes to deliver (the backplane's
     * back pressure, as between loops), then queues it; one task takes all that wait ({@link FromClusterQueue}).
     */
    void offerFromCluster(byte[] copy, Route route) {
        HandOffRoom.await(() -> Math.max(inboxBytes.get(), mostBehindPeer()), loop::isShuttingDown, INBOX_HIGH_WATER_BYTES,
                INBOX_LOW_WATER_BYTES, core().counters());
        if (loop.isShuttingDown()) {
            return;
        }
        inboxBytes.addAndGet(copy.length);
        if (fromCluster.add(copy, route)) {
            loop.execute(takeFromCluster);
        }
    }

    /**
     * The lines from other nodes that wait, in order, into this loop's batch as lines of no local sender (id 0): its
     * clients get their slices of it and the other loops the batch, as for this loop's own clients' lines.
     */
    private void takeFromCluster() {
        fromCluster.taking();
        tick();
        FromClusterQueue.Line line;
        while ((line = fromCluster.poll()) != null) {
            batch.append(0, line.route(), line.envelope(), line.envelope().length);
            inboxBytes.addAndGet(-line.envelope().length);
            if (batch.readableBytes() >= BATCH_SEAL_BYTES) {
                seal();
            }
        }
        scheduleBatchEnd();
    }

    private long mostBehindPeer() {
        long most = 0;
        for (NettyLoop peer : peers) {
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
        reading.peersBackedUp(false);
    }

    // ---- the session's output ----

    /** A line of the server's own, in order with the envelopes already relayed to this client. */
    void sendLine(NettyConnection connection, byte[] line) {
        seal(); // what was relayed before the line reaches this client first
        if (writes.enqueue(connection, Unpooled.wrappedBuffer(line), 1, connection.channel.voidPromise())) {
            scheduleBatchEnd();
        }
    }

    /** Writes a last line, then shuts output down (a FIN after it); the core closes it at the deadline. */
    void goodbye(NettyConnection connection, byte[] line) {
        seal();
        final Channel channel = connection.channel;
        final ChannelPromise written = channel.newPromise();
        written.addListener((ChannelFutureListener) done -> {
            if (done.isSuccess() && channel instanceof DuplexChannel && channel.isActive()) {
                connection.session.outputShut();
                final SslHandler ssl = channel.pipeline().get(SslHandler.class);
                if (ssl == null) {
                    ((DuplexChannel) channel).shutdownOutput();
                } else { // close_notify first, then the FIN
                    ssl.closeOutbound().addListener(notified -> ((DuplexChannel) channel).shutdownOutput());
                }
            }
        });
        if (writes.enqueue(connection, Unpooled.wrappedBuffer(line), 1, written)) {
            channel.flush();
            connection.unflushed = 0;
        }
    }

    /** The channel closed (by us or by the client). */
    void closed(NettyConnection connection) {
        connection.session.closed();
        turnEnded();
        if (shutdownDone != null && sessionCount() == 0) {
            shutdownDone.countDown();
            shutdownDone = null;
        }
    }

    // ---- timed duties and input held ----

    @Override
    protected void timedDutyAdded(long atNanos) {
        scheduleDuties(atNanos);
    }

    /** One run of the timed duties is scheduled, at the earliest time asked for; a later one that was superseded is ignored. */
    private void scheduleDuties(long atNanos) {
        if (atNanos == Long.MAX_VALUE || (dutyAtNanos != Long.MAX_VALUE && dutyAtNanos - atNanos <= 0)) {
            return;
        }
        dutyAtNanos = atNanos;
        loop.schedule(() -> runDuties(atNanos), Math.max(1, atNanos - now()), TimeUnit.NANOSECONDS);
    }

    private void runDuties(long scheduledAtNanos) {
        if (scheduledAtNanos != dutyAtNanos) {
            return; // superseded by an earlier run
        }
        dutyAtNanos = Long.MAX_VALUE;
        tick();
        runTimedDuties();
        turnEnded();
        scheduleDuties(nextTimedDutyNanos());
    }

    /** From any thread: a reload published new settings; the duties run on this loop now to apply them. */
    void settingsPublished() {
        loop.execute(() -> runDuties(dutyAtNanos)); // the run scheduled now, whenever it was due
    }

    /** From a verification thread: lines are back for this loop's sessions; a turn for held input takes them up. */
    @Override
    protected void wake() {
        loop.execute(this::inputHeld);
    }

    @Override
    protected void inputHeld() {
        if (!heldScheduled) {
            heldScheduled = true;
            // Scheduled, not executed: it runs after the loop's next reads, so held input never starves the sockets.
            loop.schedule(resumeHeld, 0, TimeUnit.NANOSECONDS);
        }
    }

    /** A turn for the input sessions hold: each takes up what it can within the turn's budget. */
    private void resumeHeld() {
        heldScheduled = false;
        tick();
        nextTurn();
        resumeHeldInput();
        scheduleBatchEnd();
        if (holdsInput()) {
            inputHeld();
        }
    }

    /** Server shutdown: every client is told and closed; {@code done} counts down when none is left. */
    void shutdown(CountDownLatch done) {
        tick();
        if (sessionCount() == 0) {
            done.countDown();
            return;
        }
        shutdownDone = done;
        sayGoodbyeToAll(now() + LINGER_NANOS);
    }
}
