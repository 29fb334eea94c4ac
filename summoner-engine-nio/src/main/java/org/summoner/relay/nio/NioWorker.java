package org.summoner.relay.nio;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.summoner.relay.config.HyperParameters;
import org.summoner.relay.policy.FairUsePolicy;
import org.summoner.relay.policy.ReadPause;
import org.summoner.relay.spi.BacklogJudge;
import org.summoner.relay.spi.CounterBatch;
import org.summoner.relay.spi.EngineContext;
import org.summoner.relay.spi.RelayCounters;
import org.summoner.relay.spi.RelayedLines;
import org.summoner.relay.wire.EnvelopeEncoder;
import org.summoner.relay.wire.EnvelopeScratch;
import org.summoner.relay.wire.LineFramer;
import org.summoner.relay.wire.LineHandler;
import org.summoner.relay.wire.NoticeLines;
import org.summoner.relay.wire.RemoteAddresses;
import org.summoner.relay.wire.ServerNotice;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * One selector loop and the connections it owns. Everything about a connection (its framer, its queue, its
 * socket, its rate limiter) is touched only by this thread; other threads reach a worker only through
 * {@link #adopt} (new sockets from the acceptor), {@link Inbox#offerAll} (envelopes from other workers),
 * {@link #wakeup}, {@link #shutdown} and the engine-wide {@link ReadPause}.
 *
 * <p>A turn: wait for socket events and read (each line is encoded once and queued, by reference, for every
 * local recipient and handed to the other workers); take envelopes from the inbox; hand this turn's envelopes to
 * the other workers in one batch each; write every connection that got something, once; close idle clients and
 * whatever must close; add this turn's counts to the shared counters.
 *
 * <p>Fair use ({@link FairUsePolicy}): each line passes the sender's rate limiter; a recipient's backlog is judged
 * by the {@link BacklogJudge} after a write attempt, or when queueing to a recipient whose socket is already
 * full, never mid-batch; a slow consumer is closed and its address quarantined; a throttle or flow-control pause
 * stops reading on every worker. Hard bounds: {@code max_queued_bytes} per recipient; reads stop while another
 * worker's inbox holds more than {@link #INBOX_HIGH_WATER_BYTES}; reads and writes per connection per turn are
 * bounded.
 */
final class NioWorker implements Runnable, LineHandler {
    private static final Logger log = LoggerFactory.getLogger(NioWorker.class);

    static final int READ_BUFFER_BYTES = 64 * 1024;
    static final int WRITE_BUFFER_BYTES = 256 * 1024;
    private static final int MAX_READS_PER_WAKEUP = 4;
    private static final int MAX_WRITES_PER_FLUSH = 8;
    static final long INBOX_HIGH_WATER_BYTES = 8L * 1024 * 1024;
    static final long INBOX_LOW_WATER_BYTES = 2L * 1024 * 1024;
    private static final long IDLE_SELECT_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long CLOSING_SELECT_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    private static final long INBOX_PAUSE_SELECT_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    /** How long a connection that was told to go away may take to read its last notice. */
    static final long LINGER_NANOS = TimeUnit.SECONDS.toNanos(2);

    private final RelayCounters counters;
    private final CounterBatch counts;
    private final FairUsePolicy policy;
    private final BacklogJudge judge;
    private final int backlogToJudge;
    private final ReadPause readPause;
    private final int maxLineBytes;
    private final long maxQueuedBytes;
    private final Selector selector;
    private final Consumer<SelectionKey> onReady = this::onReady;
    private final Consumer<SelectionKey> onSelected = this::onSelected;
    private final ConcurrentLinkedQueue<Adopted> adopted = new ConcurrentLinkedQueue<>();
    private final Inbox inbox = new Inbox();
    private final AtomicBoolean mayBlock = new AtomicBoolean();
    private final Envelope[] notices = new Envelope[ServerNotice.values().length];
    private volatile boolean running = true;
    private volatile boolean alive = true;
    private NioWorker[] peers = new NioWorker[0];

    private NioConnection[] connections = new NioConnection[64];
    private int connectionCount;
    private final ArrayList<NioConnection> dirty = new ArrayList<>();
    private final ArrayList<NioConnection> closing = new ArrayList<>();
    private final ArrayList<NioConnection> lingering = new ArrayList<>();
    private final ArrayList<Envelope> outbox = new ArrayList<>();
    private final ByteBuffer readBuffer = ByteBuffer.allocate(READ_BUFFER_BYTES);
    private final ByteBuffer writeBuffer = ByteBuffer.allocateDirect(WRITE_BUFFER_BYTES);
    private final EnvelopeScratch scratch;
    private NioConnection reading;
    private boolean readsPaused;
    /** The clock of this turn, read once after each select. */
    private long now = System.nanoTime();
    private boolean clockStale;
    private long nextIdleCheckNanos;


    /** A socket the acceptor admitted, with the address admission counted it under. */
    private record Adopted(SocketChannel channel, InetSocketAddress remote) {
    }

    NioWorker(EngineContext context, BacklogJudge judge, ReadPause readPause) throws IOException {
        final HyperParameters parameters = context.config().hyperParameters();
        this.counters = context.counters();
        this.counts = new CounterBatch(counters);
        this.policy = context.policy();
        this.judge = judge;
        this.backlogToJudge = judge.lowestThreshold();
        this.readPause = readPause;
        this.maxLineBytes = parameters.maxLineBytes();
        this.maxQueuedBytes = parameters.maxQueuedBytes();
        final NoticeLines lines = new NoticeLines(maxLineBytes, parameters.maxEnvelopeBytes());
        for (ServerNotice notice : ServerNotice.values()) {
            if (!notice.atAdmission()) {
                notices[notice.ordinal()] = new Envelope(lines.line(notice), null);
            }
        }
        this.scratch = new EnvelopeScratch(parameters.maxEnvelopeBytes());
        this.nextIdleCheckNanos = now + policy.idleCheckIntervalNanos();
        this.selector = Selector.open();
    }

    void peers(NioWorker[] others) {
        this.peers = others;
    }

    /** Called by the acceptor for an admitted socket: the worker registers it on its next turn. */
    void adopt(SocketChannel channel, InetSocketAddress remote) {
        adopted.offer(new Adopted(channel, remote));
        wakeup();
    }

    /** Called by the engine when it fails to start, before the worker's thread exists. */
    void closeSelector() {
        closeQuietly(selector);
    }

    /** Called by the engine: tell every client, close every connection, end the thread. */
    void shutdown() {
        running = false;
        selector.wakeup();
    }

    /** @return false once the worker's thread has stopped on an unexpected error. */
    boolean alive() {
        return alive;
    }

    /** Wakes the selector if the worker may be blocked in it; cheap when it is awake. */
    void wakeup() {
        if (mayBlock.compareAndSet(true, false)) {
            selector.wakeup();
        }
    }

    @Override
    public void run() {
        try {
            while (running) {
                runOnce();
            }
            shutdownGracefully();
        } catch (Throwable t) {
            alive = false;
            log.error("{} stopped by an unexpected error; closing its {} connections",
                    Thread.currentThread().getName(), connectionCount, t);
            for (int i = connectionCount - 1; i >= 0; i--) {
                closeNow(connections[i]);
            }
            Adopted orphan;
            while ((orphan = adopted.poll()) != null) {
                closeQuietly(orphan.channel());
                policy.admission().release(orphan.remote().getAddress());
            }
        } finally {
            counts.publish();
            closeQuietly(selector);
        }
    }

    private void runOnce() throws IOException {
        updateReadPause();
        select(selectTimeoutNanos());
        registerAdopted();
        drainInbox();
        publishOutbox();
        flushDirty();
        closeIdle();
        expireLingering();
        closeScheduled();
        counts.publish();
    }

    private long selectTimeoutNanos() {
        long timeout = lingering.isEmpty() ? IDLE_SELECT_NANOS : CLOSING_SELECT_NANOS;
        if (policy.idleTimeoutEnabled()) {
            timeout = Math.min(timeout, Math.max(0, nextIdleCheckNanos - now));
        }
        if (readsPaused) {
            final long pauseLeft = readPause.untilNanos() - now;
            timeout = Math.min(timeout, pauseLeft > 0 ? pauseLeft : INBOX_PAUSE_SELECT_NANOS);
        }
        return timeout;
    }

    private void select(long timeoutNanos) throws IOException {
        mayBlock.set(true);
        clockStale = true;
        final long millis = TimeUnit.NANOSECONDS.toMillis(timeoutNanos + 999_999);
        if (!running || !inbox.isEmpty() || !adopted.isEmpty() || millis == 0) {
            selector.selectNow(onSelected);
        } else {
            selector.select(onSelected, millis);
        }
        mayBlock.set(false);
        if (clockStale) {
            now = System.nanoTime();
        }
    }

    /** Reads the clock at the first ready key of a select, so every line of a turn shares one reading. */
    private void onSelected(SelectionKey key) {
        if (clockStale) {
            now = System.nanoTime();
            clockStale = false;
        }
        onReady(key);
    }

    private void onReady(SelectionKey key) {
        final NioConnection connection = (NioConnection) key.attachment();
        if (connection.closeScheduled || !key.isValid()) {
            return;
        }
        final int ready = key.readyOps();
        if ((ready & SelectionKey.OP_WRITE) != 0) {
            flush(connection);
        }
        if ((ready & SelectionKey.OP_READ) != 0 && !connection.closeScheduled
                && !(readsPaused && connection.state == NioConnection.State.OPEN)) {
            read(connection);
        }
    }

    private void read(NioConnection connection) {
        reading = connection;
        final byte[] array = readBuffer.array();
        for (int i = 0; i < MAX_READS_PER_WAKEUP; i++) {
            readBuffer.clear();
            final int n;
            try {
                n = connection.channel.read(readBuffer);
            } catch (IOException e) {
                log.debug("{} read failed: {}", connection.remoteAddr, e.toString());
                scheduleClose(connection);
                return;
            }
            if (n < 0) {
                if (connection.state == NioConnection.State.OPEN) {
                    connection.framer.onEndOfStream(this);
                }
                log.debug("{} disconnected.", connection.remoteAddr);
                scheduleClose(connection);
                return;
            }
            if (n == 0) {
                return;
            }
            counts.bytesReceived(n);
            connection.lastReadNanos = now;
            if (connection.state == NioConnection.State.OPEN) {
                connection.framer.onBytes(array, 0, n, this);
            }
            if (n < array.length) {
                return;
            }
        }
    }

    @Override
    public void onLine(byte[] buffer, int offset, int length) {
        final NioConnection sender = reading;
        counts.lineReceived();
        if (sender.closeScheduled) {
            return;
        }
        if (!sender.rateLimiter.tryAcquire(now)) {
            drop(sender, ServerNotice.RATE_LIMITED);
            return;
        }
        final int encoded = scratch.encode(sender.envelopePrefix, buffer, offset, length);
        if (encoded == EnvelopeEncoder.TOO_LONG) {
            drop(sender, ServerNotice.ENVELOPE_TOO_LONG);
            return;
        }
        final Envelope envelope = new Envelope(Arrays.copyOf(scratch.bytes(), encoded), sender);
        if (RelayedLines.enabled()) {
            RelayedLines.received(sender.remoteAddr, buffer, offset, length);
        }
        counts.lineRelayed();
        deliverLocally(envelope);
        if (peers.length > 0) {
            outbox.add(envelope);
        }
    }

    @Override
    public void onLineDropped(ServerNotice reason) {
        counts.lineReceived();
        drop(reading, reason);
    }

    /** A line that is not relayed: counted, logged at DEBUG, and the sender is told why. */
    private void drop(NioConnection sender, ServerNotice reason) {
        counters.linesDropped(reason, 1);
        log.debug("{} line dropped: {}", sender.remoteAddr, reason);
        if (sender.acceptsDeliveries()) {
            enqueue(sender, notices[reason.ordinal()]);
        }
    }

    private void deliverLocally(Envelope envelope) {
        final NioConnection[] connections = this.connections;
        final int count = connectionCount;
        int queued = 0;
        for (int i = 0; i < count; i++) {
            final NioConnection connection = connections[i];
            if (connection != envelope.sender && connection.acceptsDeliveries() && enqueue(connection, envelope)) {
                queued++;
            }
        }
        counts.delivered(queued);
    }

    /**
     * Queues an envelope. Past {@code max_queued_bytes} the recipient is closed as a slow consumer, whatever the
     * policy; when its socket is already full, the backlog is judged by the gate right away.
     *
     * @return whether it was queued.
     */
    private boolean enqueue(NioConnection connection, Envelope envelope) {
        final OutboundQueue queue = connection.queue;
        if (queue.size() > 0 && queue.bytes() + envelope.bytes.length > maxQueuedBytes) {
            counters.deliveriesDropped(1);
            slowConsumer(connection, "max_queued_bytes");
            return false;
        }
        queue.add(envelope);
        markDirty(connection);
        if (connection.blocked() && queue.size() >= backlogToJudge) {
            judgeBacklog(connection);
        }
        return true;
    }

    /** Applies the backpressure gate to what really waits for a recipient. */
    private void judgeBacklog(NioConnection connection) {
        if (!connection.closeScheduled && judge.judge(connection.recipient, connection.queue.size(), connection.queue.bytes(), now)) {
            scheduleClose(connection);
        }
    }

    /** Closes a recipient that cannot keep up, and quarantines its address. */
    private void slowConsumer(NioConnection connection, String limit) {
        if (!connection.closeScheduled) {
            judge.slowConsumer(connection.recipient, limit, connection.queue.size(), connection.queue.bytes(), now);
            scheduleClose(connection);
        }
    }

    private void markDirty(NioConnection connection) {
        if (!connection.dirty) {
            connection.dirty = true;
            dirty.add(connection);
        }
    }

    private void flushDirty() {
        final ArrayList<NioConnection> dirty = this.dirty;
        for (int i = 0; i < dirty.size(); i++) {
            final NioConnection connection = dirty.get(i);
            connection.dirty = false;
            // A connection waiting for OP_WRITE has a full socket buffer; the selector says when to try again.
            if (!connection.closeScheduled && !connection.blocked()) {
                flush(connection);
            }
        }
        dirty.clear();
    }

    /** Writes what is queued, gathering envelopes into one direct buffer per write call; then judges the rest. */
    private void flush(NioConnection connection) {
        final OutboundQueue queue = connection.queue;
        final ByteBuffer buffer = writeBuffer;
        for (int round = 0; round < MAX_WRITES_PER_FLUSH && !queue.isEmpty(); round++) {
            buffer.clear();
            queue.copyTo(buffer);
            buffer.flip();
            final int staged = buffer.remaining();
            final int written;
            try {
                written = connection.channel.write(buffer);
            } catch (IOException e) {
                log.debug("{} write failed: {}", connection.remoteAddr, e.toString());
                scheduleClose(connection);
                return;
            }
            counts.bytesSent(written);
            queue.consume(written);
            if (written < staged) {
                break;
            }
        }
        if (queue.isEmpty() && connection.state == NioConnection.State.DRAINING) {
            connection.state = NioConnection.State.LINGERING;
            try {
                connection.channel.shutdownOutput();
            } catch (IOException e) {
                scheduleClose(connection);
                return;
            }
        }
        updateInterest(connection);
        if (connection.state == NioConnection.State.OPEN && judge.mustJudge(connection.recipient, queue.size())) {
            judgeBacklog(connection); // also when it fell: the room counts who is behind
        }
    }

    private void updateInterest(NioConnection connection) {
        final boolean reads = !(readsPaused && connection.state == NioConnection.State.OPEN);
        final int ops = (reads ? SelectionKey.OP_READ : 0) | (connection.queue.isEmpty() ? 0 : SelectionKey.OP_WRITE);
        if (ops != connection.interestOps) {
            connection.interestOps = ops;
            connection.key.interestOps(ops);
        }
    }

    /**
     * Stops reading from this worker's clients while a throttle or flow-control pause is in force, or while
     * another worker's inbox is over its high-water mark (until it is under the low-water mark): the slowest
     * worker sets the pace instead of an inbox growing.
     */
    private void updateReadPause() {
        boolean pause = readPause.untilNanos() - now > 0;
        if (!pause && peers.length > 0) {
            long most = 0;
            for (NioWorker peer : peers) {
                most = Math.max(most, peer.inbox.bytes());
            }
            pause = readsPaused ? most >= INBOX_LOW_WATER_BYTES : most > INBOX_HIGH_WATER_BYTES;
            if (pause && !readsPaused) {
                counters.handOffWaited();
            }
        }
        if (pause != readsPaused) {
            readsPaused = pause;
            for (int i = 0; i < connectionCount; i++) {
                if (!connections[i].closeScheduled) {
                    updateInterest(connections[i]);
                }
            }
        }
    }

    private void registerAdopted() {
        Adopted next;
        while ((next = adopted.poll()) != null) {
            final SocketChannel channel = next.channel();
            try {
                final String remoteAddr = RemoteAddresses.format(next.remote());
                final NioConnection connection = new NioConnection(channel, next.remote().getAddress(), remoteAddr,
                        EnvelopeEncoder.prefix(remoteAddr), new LineFramer(maxLineBytes), policy.newRateLimiter(now),
                        judge.join(next.remote().getAddress(), remoteAddr), now);
                connection.key = channel.register(selector, SelectionKey.OP_READ, connection);
                connection.interestOps = SelectionKey.OP_READ;
                addConnection(connection);
                updateInterest(connection);
                counters.connectionOpened();
                log.debug("{} connected.", remoteAddr);
            } catch (IOException e) {
                log.debug("connection lost before it was registered: {}", e.toString());
                closeQuietly(channel);
                policy.admission().release(next.remote().getAddress());
            }
        }
    }

    private void drainInbox() {
        if (inbox.isEmpty()) {
            return;
        }
        final ArrayList<Envelope> batch = inbox.drain();
        for (int i = 0, n = batch.size(); i < n; i++) {
            deliverLocally(batch.get(i));
        }
        batch.clear();
    }

    private void publishOutbox() {
        if (outbox.isEmpty()) {
            return;
        }
        for (NioWorker peer : peers) {
            peer.inbox.offerAll(outbox);
            peer.wakeup();
        }
        outbox.clear();
    }

    /** Every {@code timeout_check_interval_secs}: tells clients silent for {@code client_timeout_secs} and closes them. */
    private void closeIdle() {
        if (!policy.idleTimeoutEnabled() || now - nextIdleCheckNanos < 0) {
            return;
        }
        nextIdleCheckNanos = now + policy.idleCheckIntervalNanos();
        for (int i = 0; i < connectionCount; i++) {
            final NioConnection connection = connections[i];
            if (connection.acceptsDeliveries() && policy.isIdle(connection.lastReadNanos, now)) {
                counters.idleDisconnected();
                log.debug("{} idle; disconnecting", connection.remoteAddr);
                beginDraining(connection, ServerNotice.IDLE_TIMEOUT, now + LINGER_NANOS);
            }
        }
    }

    /** Queues a last notice; the connection closes once it is written and the peer has closed, or time is up. */
    private void beginDraining(NioConnection connection, ServerNotice notice, long deadlineNanos) {
        if (connection.closeScheduled || connection.state == NioConnection.State.CLOSED) {
            return;
        }
        if (connection.state != NioConnection.State.OPEN) {
            connection.lingerDeadlineNanos = Math.min(connection.lingerDeadlineNanos, deadlineNanos);
            return;
        }
        connection.state = NioConnection.State.DRAINING;
        connection.lingerDeadlineNanos = deadlineNanos;
        lingering.add(connection);
        connection.queue.add(notices[notice.ordinal()]);
        markDirty(connection);
    }

    private void expireLingering() {
        if (lingering.isEmpty()) {
            return;
        }
        for (int i = lingering.size() - 1; i >= 0; i--) {
            final NioConnection connection = lingering.get(i);
            final boolean gone = connection.closeScheduled || connection.state == NioConnection.State.CLOSED;
            if (gone || now - connection.lingerDeadlineNanos >= 0) {
                scheduleClose(connection);
                final NioConnection last = lingering.remove(lingering.size() - 1);
                if (i < lingering.size()) {
                    lingering.set(i, last);
                }
            }
        }
    }

    private void scheduleClose(NioConnection connection) {
        if (!connection.closeScheduled) {
            connection.closeScheduled = true;
            closing.add(connection);
        }
    }

    private void closeScheduled() {
        for (int i = 0, n = closing.size(); i < n; i++) {
            closeNow(closing.get(i));
        }
        closing.clear();
    }

    private void closeNow(NioConnection connection) {
        if (connection.state == NioConnection.State.CLOSED) {
            return;
        }
        connection.state = NioConnection.State.CLOSED;
        connection.key.cancel();
        closeQuietly(connection.channel);
        removeConnection(connection);
        final int dropped = connection.queue.clear();
        if (dropped > 0) {
            counters.deliveriesDropped(dropped);
        }
        judge.leave(connection.recipient);
        counters.connectionClosed();
        policy.admission().release(connection.address);
    }

    private void addConnection(NioConnection connection) {
        if (connectionCount == connections.length) {
            connections = Arrays.copyOf(connections, connections.length * 2);
        }
        connection.index = connectionCount;
        connections[connectionCount++] = connection;
    }

    private void removeConnection(NioConnection connection) {
        final int index = connection.index;
        final NioConnection last = connections[--connectionCount];
        connections[index] = last;
        last.index = index;
        connections[connectionCount] = null;
    }

    private void shutdownGracefully() throws IOException {
        now = System.nanoTime();
        registerAdopted();
        drainInbox();
        final long deadline = now + LINGER_NANOS;
        for (int i = 0; i < connectionCount; i++) {
            beginDraining(connections[i], ServerNotice.SHUTTING_DOWN, deadline);
        }
        while (true) {
            flushDirty();
            expireLingering();
            closeScheduled();
            counts.publish();
            if (connectionCount == 0) {
                return;
            }
            selector.select(onReady, TimeUnit.NANOSECONDS.toMillis(CLOSING_SELECT_NANOS));
            now = System.nanoTime();
        }
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception ignored) {
            // Closing is best effort: the socket or selector is being discarded either way.
        }
    }
}
