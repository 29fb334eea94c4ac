package org.summoner.relay.agrona;

import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentTerminationException;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.ringbuffer.RingBuffer;
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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * One socket I/O agent and the clients it owns: it reads and frames their lines and hands each to the fan-out agent
 * through the lines ring; it takes envelope batches from its own outbound ring and writes them to its clients,
 * straight from the ring's memory. Everything about a client is touched by this agent's thread only; other threads
 * reach it through {@link #adopt} (the acceptor), its outbound ring (the fan-out agent), {@link #wake},
 * {@link #beginShutdown} and the engine-wide {@link ReadPause}.
 *
 * <p>Backpressure without loss: when the lines ring is full, lines wait in a stash and this agent stops reading its
 * sockets until the stash is empty (a return code and {@code handOffWaits}, never an exception); a client whose
 * socket is full gets the rest of a batch copied into its own queue, bounded by {@code max_queued_bytes}; the fair
 * use rules are applied where the NIO engine applies them.
 *
 * <p>When it has nothing to do, it blocks in {@code select()} ({@link #block}), which a socket, a new client or the
 * fan-out agent ({@link #wake}) ends.
 */
final class IoAgent implements Agent, LineHandler {
    private static final Logger log = LoggerFactory.getLogger(IoAgent.class);

    static final int READ_BUFFER_BYTES = 64 * 1024;
    private static final int MAX_READS_PER_WAKEUP = 4;
    private static final int OUTBOUND_READ_LIMIT = 64;
    private static final long MAX_BLOCK_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long CLOSING_BLOCK_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    private static final long RETRY_BLOCK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    /** How long a connection that was told to go away may take to read its last notice. */
    static final long LINGER_NANOS = TimeUnit.SECONDS.toNanos(2);

    private final int agentIndex;
    private final RelayCounters counters;
    private final CounterBatch counts;
    private final FairUsePolicy policy;
    private final BacklogJudge judge;
    private final int backlogToJudge;
    private final EnvelopeScratch scratch;
    private final ReadPause readPause;
    private final int maxLineBytes;
    private final long maxQueuedBytes;
    private final RingBuffer lines;
    private final int maxLinePiece;
    private final RingBuffer outbound;
    private final ByteBuffer outboundView;
    private final Runnable wakeFanOut;
    private final Selector selector;
    private final Consumer<SelectionKey> onReady = this::onReady;
    private final MessageHandler onBatch = this::onBatch;
    private final ConcurrentLinkedQueue<Adopted> adopted = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean mayBlock = new AtomicBoolean();
    private final byte[][] notices = new byte[ServerNotice.values().length][];
    private final Long2ObjectHashMap<AgronaConnection> byId = new Long2ObjectHashMap<>();
    private final ByteBuffer readBuffer = ByteBuffer.allocate(READ_BUFFER_BYTES);
    private final ExpandableArrayBuffer stash = new ExpandableArrayBuffer(4096);
    private final ArrayList<AgronaConnection> closing = new ArrayList<>();
    private final ArrayList<AgronaConnection> lingering = new ArrayList<>();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean shutdownRequested;

    private AgronaConnection[] connections = new AgronaConnection[64];
    private int connectionCount;
    private long nextConnectionSequence;
    private long batchSequence;
    private int stashLength;
    private AgronaConnection reading;
    private boolean readsPaused;
    private boolean shuttingDown;
    private long shutdownDeadlineNanos;
    private long now = System.nanoTime();
    private long nextIdleCheckNanos;


    /** A socket the acceptor admitted, with the address admission counted it under. */
    private record Adopted(SocketChannel channel, InetSocketAddress remote) {
    }

    IoAgent(int agentIndex, EngineContext context, BacklogJudge judge, ReadPause readPause, RingBuffer lines,
            RingBuffer outbound, Runnable wakeFanOut) throws IOException {
        final HyperParameters parameters = context.config().hyperParameters();
        this.agentIndex = agentIndex;
        this.counters = context.counters();
        this.counts = new CounterBatch(counters);
        this.policy = context.policy();
        this.judge = judge;
        this.backlogToJudge = judge.lowestThreshold();
        this.readPause = readPause;
        this.maxLineBytes = parameters.maxLineBytes();
        this.maxQueuedBytes = parameters.maxQueuedBytes();
        this.lines = lines;
        this.maxLinePiece = lines.maxMsgLength() - Records.ID_BYTES;
        this.outbound = outbound;
        this.outboundView = outbound.buffer().byteBuffer().duplicate();
        this.wakeFanOut = wakeFanOut;
        final NoticeLines noticeLines = new NoticeLines(maxLineBytes, parameters.maxEnvelopeBytes());
        for (ServerNotice notice : ServerNotice.values()) {
            if (!notice.atAdmission()) {
                notices[notice.ordinal()] = noticeLines.line(notice);
            }
        }
        this.scratch = new EnvelopeScratch(parameters.maxEnvelopeBytes());
        this.nextIdleCheckNanos = now + policy.idleCheckIntervalNanos();
        this.selector = Selector.open();
    }

    @Override
    public String roleName() {
        return "summoner-agrona-io-" + agentIndex;
    }

    /** Called by the acceptor for an admitted socket: the agent registers it on its next turn. */
    void adopt(SocketChannel channel, InetSocketAddress remote) {
        adopted.offer(new Adopted(channel, remote));
        wake();
    }

    /** Ends a {@link #block} in progress; cheap when the agent is busy. Called from any thread. */
    void wake() {
        if (mayBlock.compareAndSet(true, false)) {
            selector.wakeup();
        }
    }

    /** Tell every client, close every connection, then stop. Called by the engine. */
    void beginShutdown() {
        shutdownRequested = true;
        wake();
    }

    /** @return whether the agent stopped within {@code millis}. */
    boolean awaitStopped(long millis) throws InterruptedException {
        return stopped.await(millis, TimeUnit.MILLISECONDS);
    }

    /** Called by the engine when the agent never ran. */
    void closeSelector() {
        closeQuietly(selector);
    }

    @Override
    public int doWork() throws IOException {
        now = System.nanoTime();
        int work = registerAdopted();
        if (stashLength > 0) {
            work += flushStash();
        }
        work += outbound.read(onBatch, OUTBOUND_READ_LIMIT);
        updateReadPause();
        work += selector.selectNow(onReady);
        closeIdle();
        expireLingering();
        closeScheduled();
        counts.publish();
        if (shutdownRequested) {
            shutdownStep();
        }
        return work;
    }

    /**
     * The park of {@link SelectorIdleStrategy}: waits in {@code select()} until a socket is ready, a client is
     * adopted, a batch arrives ({@link #wake}) or the next timed duty (idle check, linger, pause) is due.
     */
    void block() throws IOException {
        mayBlock.set(true);
        if (outbound.size() > 0 || !adopted.isEmpty() || shutdownRequested) {
            mayBlock.set(false);
            return;
        }
        selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(blockNanos() + 999_999))); // 0 would mean forever
        mayBlock.set(false);
        selector.selectedKeys().clear(); // the next selectNow(onReady) handles what is ready
    }

    private long blockNanos() {
        long timeout = lingering.isEmpty() ? MAX_BLOCK_NANOS : CLOSING_BLOCK_NANOS;
        if (policy.idleTimeoutEnabled()) {
            timeout = Math.min(timeout, Math.max(0, nextIdleCheckNanos - now));
        }
        if (stashLength > 0) {
            timeout = Math.min(timeout, RETRY_BLOCK_NANOS);
        } else if (readsPaused) {
            timeout = Math.min(timeout, Math.max(RETRY_BLOCK_NANOS, readPause.untilNanos() - now));
        }
        return timeout;
    }

    // ---- reading: sockets to the lines ring ----

    private void onReady(SelectionKey key) {
        final AgronaConnection connection = (AgronaConnection) key.attachment();
        if (connection.closeScheduled || !key.isValid()) {
            return;
        }
        final int ready = key.readyOps();
        if ((ready & SelectionKey.OP_WRITE) != 0) {
            flush(connection);
        }
        if ((ready & SelectionKey.OP_READ) != 0 && !connection.closeScheduled
                && !(readsPaused && connection.state == AgronaConnection.State.OPEN)) {
            read(connection);
        }
    }

    private void read(AgronaConnection connection) {
        reading = connection;
        final byte[] array = readBuffer.array();
        for (int i = 0; i < MAX_READS_PER_WAKEUP && stashLength == 0; i++) {
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
                if (connection.state == AgronaConnection.State.OPEN) {
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
            if (connection.state == AgronaConnection.State.OPEN) {
                connection.framer.onBytes(array, 0, n, this);
            }
            if (n < array.length) {
                return;
            }
        }
    }

    @Override
    public void onLine(byte[] buffer, int offset, int length) {
        final AgronaConnection sender = reading;
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
        if (RelayedLines.enabled()) {
            RelayedLines.received(sender.remoteAddr, buffer, offset, length);
        }
        final byte[] envelope = scratch.bytes();
        int at = 0;
        int left = encoded;
        while (left > maxLinePiece) {
            publish(Records.ENVELOPE_PART, sender.id, envelope, at, maxLinePiece);
            at += maxLinePiece;
            left -= maxLinePiece;
        }
        publish(Records.ENVELOPE, sender.id, envelope, at, left);
    }

    @Override
    public void onLineDropped(ServerNotice reason) {
        counts.lineReceived();
        drop(reading, reason);
    }

    /** A line that is not relayed: counted, logged at DEBUG, and the sender is told why. */
    private void drop(AgronaConnection sender, ServerNotice reason) {
        counters.linesDropped(reason, 1);
        log.debug("{} line dropped: {}", sender.remoteAddr, reason);
        if (sender.acceptsDeliveries()) {
            deliver(sender, notices[reason.ordinal()]);
        }
    }

    /**
     * Writes one record into the lines ring, or, when it is full or earlier records wait, into the stash; reading
     * stops until the stash is written out, so it holds at most one read's lines.
     */
    private void publish(int type, long id, byte[] bytes, int offset, int length) {
        if (stashLength == 0) {
            final int index = lines.tryClaim(type, Records.ID_BYTES + length);
            if (index >= 0) {
                final MutableDirectBuffer buffer = lines.buffer();
                buffer.putLong(index, id);
                buffer.putBytes(index + Records.ID_BYTES, bytes, offset, length);
                lines.commit(index);
                wakeFanOut.run();
                return;
            }
            counters.handOffWaited();
        }
        stash.putInt(stashLength, type);
        stash.putInt(stashLength + Integer.BYTES, Records.ID_BYTES + length);
        stash.putLong(stashLength + 2 * Integer.BYTES, id);
        stash.putBytes(stashLength + 2 * Integer.BYTES + Records.ID_BYTES, bytes, offset, length);
        stashLength += 2 * Integer.BYTES + Records.ID_BYTES + length;
    }

    /** @return records moved from the stash into the lines ring. */
    private int flushStash() {
        int at = 0;
        int moved = 0;
        while (at < stashLength) {
            final int type = stash.getInt(at);
            final int length = stash.getInt(at + Integer.BYTES);
            if (!lines.write(type, stash, at + 2 * Integer.BYTES, length)) {
                break;
            }
            at += 2 * Integer.BYTES + length;
            moved++;
        }
        if (moved > 0) {
            wakeFanOut.run();
            if (at < stashLength) {
                stash.putBytes(0, stash, at, stashLength - at);
            }
            stashLength -= at;
        }
        return moved;
    }

    /**
     * Stops reading from this agent's clients while a throttle or flow-control pause is in force, or while lines
     * wait in the stash for room in the lines ring.
     */
    private void updateReadPause() {
        final boolean pause = stashLength > 0 || readPause.untilNanos() - now > 0;
        if (pause != readsPaused) {
            readsPaused = pause;
            for (int i = 0; i < connectionCount; i++) {
                if (!connections[i].closeScheduled) {
                    updateInterest(connections[i]);
                }
            }
        }
    }

    // ---- writing: the outbound ring to sockets ----

    /** One batch record: every local client gets the envelopes others sent, written from the ring's memory. */
    private void onBatch(int type, MutableDirectBuffer buffer, int index, int length) {
        final int spans = buffer.getInt(index);
        final int spansAt = index + Records.SPAN_COUNT_BYTES;
        final int payloadAt = spansAt + spans * Records.SPAN_BYTES;
        final int payloadLength = index + length - payloadAt;
        final long sequence = ++batchSequence;
        int messages = 0;
        for (int s = 0; s < spans; s++) {
            final int at = spansAt + s * Records.SPAN_BYTES;
            messages += buffer.getInt(at + Long.BYTES + Integer.BYTES);
            final AgronaConnection sender = byId.get(buffer.getLong(at));
            if (sender != null) {
                sender.lastBatch = sequence;
            }
        }
        for (int i = 0; i < connectionCount; i++) {
            final AgronaConnection connection = connections[i];
            if (!connection.acceptsDeliveries()) {
                continue;
            }
            if (connection.lastBatch != sequence) {
                deliver(connection, buffer, payloadAt, payloadLength, messages);
            } else {
                deliverOthers(connection, buffer, spans, spansAt, payloadAt);
            }
        }
    }

    /** The runs of a batch that others sent, each written as one piece. */
    private void deliverOthers(AgronaConnection recipient, MutableDirectBuffer buffer, int spans, int spansAt, int payloadAt) {
        int runStart = -1;
        int runEnd = 0;
        int runMessages = 0;
        int spanStart = 0;
        for (int s = 0; s < spans && recipient.acceptsDeliveries(); s++) {
            final int at = spansAt + s * Records.SPAN_BYTES;
            final int spanEnd = buffer.getInt(at + Long.BYTES);
            if (buffer.getLong(at) == recipient.id) {
                if (runStart >= 0) {
                    deliver(recipient, buffer, payloadAt + runStart, runEnd - runStart, runMessages);
                    runStart = -1;
                    runMessages = 0;
                }
            } else {
                if (runStart < 0) {
                    runStart = spanStart;
                }
                runEnd = spanEnd;
                runMessages += buffer.getInt(at + Long.BYTES + Integer.BYTES);
            }
            spanStart = spanEnd;
        }
        if (runStart >= 0 && recipient.acceptsDeliveries()) {
            deliver(recipient, buffer, payloadAt + runStart, runEnd - runStart, runMessages);
        }
    }

    /**
     * Writes bytes of the outbound ring to a client: straight to its socket when nothing waits for it, the rest
     * into its queue. Past {@code max_queued_bytes} the client is closed as a slow consumer, whatever the policy.
     */
    private void deliver(AgronaConnection connection, MutableDirectBuffer buffer, int offset, int length, int messages) {
        final ByteQueue queue = connection.queue;
        if (queue.isEmpty() && !connection.blocked()) {
            outboundView.clear().position(offset).limit(offset + length);
            final int written = write(connection, outboundView);
            if (written < 0) {
                return;
            }
            if (written < length) {
                queue.append(buffer, offset + written, length - written);
                blocked(connection);
            }
        } else {
            if (queue.bytes() + length > maxQueuedBytes) {
                counters.deliveriesDropped(messages);
                slowConsumer(connection, "max_queued_bytes");
                return;
            }
            queue.append(buffer, offset, length);
            if (connection.blocked() && queue.messages() >= backlogToJudge) {
                judgeBacklog(connection);
            }
        }
        counts.delivered(messages);
    }

    /**
     * A notice (or any line of this agent's own) for one client, in order with what waits for it, under the same
     * bounds as envelopes: a client that floods bad lines and never reads cannot grow its queue past them.
     */
    private void deliver(AgronaConnection connection, byte[] line) {
        final ByteQueue queue = connection.queue;
        if (queue.isEmpty() && !connection.blocked()) {
            final int written = write(connection, ByteBuffer.wrap(line));
            if (written >= 0 && written < line.length) {
                queue.append(line, written, line.length - written);
                blocked(connection);
            }
        } else if (queue.bytes() + line.length > maxQueuedBytes) {
            counters.deliveriesDropped(1);
            slowConsumer(connection, "max_queued_bytes");
        } else {
            queue.append(line, 0, line.length);
            if (connection.blocked() && queue.messages() >= backlogToJudge && connection.state == AgronaConnection.State.OPEN) {
                judgeBacklog(connection);
            }
        }
    }

    /** @return bytes written, or -1 when the connection failed (it is then scheduled to close). */
    private int write(AgronaConnection connection, ByteBuffer bytes) {
        try {
            final int written = connection.channel.write(bytes);
            counts.bytesSent(written);
            return written;
        } catch (IOException e) {
            log.debug("{} write failed: {}", connection.remoteAddr, e.toString());
            scheduleClose(connection);
            return -1;
        }
    }

    /** The socket is full: wait for OP_WRITE, and judge what waits. */
    private void blocked(AgronaConnection connection) {
        updateInterest(connection);
        if (connection.queue.messages() >= backlogToJudge && connection.state == AgronaConnection.State.OPEN) {
            judgeBacklog(connection);
        }
    }

    /** OP_WRITE: writes what is queued; then judges the rest, or finishes a goodbye. */
    private void flush(AgronaConnection connection) {
        final ByteQueue queue = connection.queue;
        while (!queue.isEmpty()) {
            final int written;
            try {
                written = queue.writeTo(connection.channel);
            } catch (IOException e) {
                log.debug("{} write failed: {}", connection.remoteAddr, e.toString());
                scheduleClose(connection);
                return;
            }
            counts.bytesSent(written);
            if (written == 0) {
                break;
            }
        }
        if (queue.isEmpty() && connection.state == AgronaConnection.State.DRAINING) {
            shutDownOutput(connection);
        }
        updateInterest(connection);
        if (connection.state == AgronaConnection.State.OPEN && judge.mustJudge(connection.recipient, queue.messages())) {
            judgeBacklog(connection); // also when it fell: the room counts who is behind
        }
    }

    private void updateInterest(AgronaConnection connection) {
        if (connection.closeScheduled || connection.state == AgronaConnection.State.CLOSED) {
            return;
        }
        final boolean reads = !(readsPaused && connection.state == AgronaConnection.State.OPEN);
        final int ops = (reads ? SelectionKey.OP_READ : 0) | (connection.queue.isEmpty() ? 0 : SelectionKey.OP_WRITE);
        if (ops != connection.interestOps) {
            connection.interestOps = ops;
            connection.key.interestOps(ops);
        }
    }

    /** Applies the backpressure gate to what really waits for a client. */
    private void judgeBacklog(AgronaConnection connection) {
        if (!connection.closeScheduled && judge.judge(connection.recipient, connection.queue.messages(), connection.queue.bytes(), now)) {
            scheduleClose(connection);
        }
    }

    /** Closes a client that cannot keep up, and quarantines its address. */
    private void slowConsumer(AgronaConnection connection, String limit) {
        if (!connection.closeScheduled) {
            judge.slowConsumer(connection.recipient, limit, connection.queue.messages(), connection.queue.bytes(), now);
            scheduleClose(connection);
        }
    }

    // ---- connections: adoption, goodbyes, closing ----

    private int registerAdopted() {
        int registered = 0;
        Adopted next;
        while ((next = adopted.poll()) != null) {
            final SocketChannel channel = next.channel();
            if (shutdownRequested) {
                closeQuietly(channel);
                policy.admission().release(next.remote().getAddress());
                continue;
            }
            try {
                final String remoteAddr = RemoteAddresses.format(next.remote());
                final long id = ((long) agentIndex << 48) | nextConnectionSequence++;
                final AgronaConnection connection = new AgronaConnection(id, channel, next.remote().getAddress(), remoteAddr,
                        EnvelopeEncoder.prefix(remoteAddr), new LineFramer(maxLineBytes), policy.newRateLimiter(now),
                        judge.join(next.remote().getAddress(), remoteAddr), now);
                connection.key = channel.register(selector, SelectionKey.OP_READ, connection);
                connection.interestOps = SelectionKey.OP_READ;
                addConnection(connection);
                updateInterest(connection);
                counters.connectionOpened();
                registered++;
                log.debug("{} connected.", remoteAddr);
            } catch (IOException e) {
                log.debug("connection lost before it was registered: {}", e.toString());
                closeQuietly(channel);
                policy.admission().release(next.remote().getAddress());
            }
        }
        return registered;
    }

    /** Every {@code timeout_check_interval_secs}: tells clients silent for {@code client_timeout_secs} and closes them. */
    private void closeIdle() {
        if (!policy.idleTimeoutEnabled() || now - nextIdleCheckNanos < 0) {
            return;
        }
        nextIdleCheckNanos = now + policy.idleCheckIntervalNanos();
        for (int i = 0; i < connectionCount; i++) {
            final AgronaConnection connection = connections[i];
            if (connection.acceptsDeliveries() && policy.isIdle(connection.lastReadNanos, now)) {
                counters.idleDisconnected();
                log.debug("{} idle; disconnecting", connection.remoteAddr);
                beginDraining(connection, ServerNotice.IDLE_TIMEOUT, now + LINGER_NANOS);
            }
        }
    }

    /** Writes a last notice; the connection closes once it is written and the peer has closed, or time is up. */
    private void beginDraining(AgronaConnection connection, ServerNotice notice, long deadlineNanos) {
        if (connection.closeScheduled || connection.state == AgronaConnection.State.CLOSED) {
            return;
        }
        if (connection.state != AgronaConnection.State.OPEN) {
            connection.lingerDeadlineNanos = Math.min(connection.lingerDeadlineNanos, deadlineNanos);
            return;
        }
        connection.state = AgronaConnection.State.DRAINING;
        connection.lingerDeadlineNanos = deadlineNanos;
        lingering.add(connection);
        deliver(connection, notices[notice.ordinal()]);
        if (connection.queue.isEmpty() && !connection.closeScheduled) {
            shutDownOutput(connection);
        }
    }

    /** FIN after the last notice; reads are discarded until the peer closes. */
    private void shutDownOutput(AgronaConnection connection) {
        connection.state = AgronaConnection.State.LINGERING;
        try {
            connection.channel.shutdownOutput();
        } catch (IOException e) {
            scheduleClose(connection);
        }
    }

    private void expireLingering() {
        for (int i = lingering.size() - 1; i >= 0; i--) {
            final AgronaConnection connection = lingering.get(i);
            final boolean gone = connection.closeScheduled || connection.state == AgronaConnection.State.CLOSED;
            if (gone || now - connection.lingerDeadlineNanos >= 0) {
                scheduleClose(connection);
                final AgronaConnection last = lingering.remove(lingering.size() - 1);
                if (i < lingering.size()) {
                    lingering.set(i, last);
                }
            }
        }
    }

    private void scheduleClose(AgronaConnection connection) {
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

    private void closeNow(AgronaConnection connection) {
        if (connection.state == AgronaConnection.State.CLOSED) {
            return;
        }
        connection.state = AgronaConnection.State.CLOSED;
        connection.key.cancel();
        closeQuietly(connection.channel);
        removeConnection(connection);
        final long dropped = connection.queue.clear();
        if (dropped > 0) {
            counters.deliveriesDropped(dropped);
        }
        judge.leave(connection.recipient);
        counters.connectionClosed();
        policy.admission().release(connection.address);
    }

    private void addConnection(AgronaConnection connection) {
        if (connectionCount == connections.length) {
            connections = Arrays.copyOf(connections, connections.length * 2);
        }
        connection.index = connectionCount;
        connections[connectionCount++] = connection;
        byId.put(connection.id, connection);
    }

    private void removeConnection(AgronaConnection connection) {
        final int index = connection.index;
        final AgronaConnection last = connections[--connectionCount];
        connections[index] = last;
        last.index = index;
        connections[connectionCount] = null;
        byId.remove(connection.id);
    }

    /** Server shutdown: every client is told and given {@link #LINGER_NANOS} to go; then the agent stops. */
    private void shutdownStep() {
        if (!shuttingDown) {
            shuttingDown = true;
            shutdownDeadlineNanos = now + LINGER_NANOS;
            for (int i = 0; i < connectionCount; i++) {
                beginDraining(connections[i], ServerNotice.SHUTTING_DOWN, shutdownDeadlineNanos);
            }
        }
        if (connectionCount == 0 || now - shutdownDeadlineNanos >= 0) {
            for (int i = connectionCount - 1; i >= 0; i--) {
                closeNow(connections[i]);
            }
            counts.publish();
            throw new AgentTerminationException();
        }
    }

    @Override
    public void onClose() {
        for (int i = connectionCount - 1; i >= 0; i--) {
            closeNow(connections[i]);
        }
        Adopted orphan;
        while ((orphan = adopted.poll()) != null) {
            closeQuietly(orphan.channel());
            policy.admission().release(orphan.remote().getAddress());
        }
        counts.publish();
        closeQuietly(selector);
        stopped.countDown();
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception ignored) {
            // Closing is best effort: the socket or selector is being discarded either way.
        }
    }
}
