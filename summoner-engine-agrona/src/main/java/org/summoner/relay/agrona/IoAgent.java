package org.summoner.relay.agrona;

import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentTerminationException;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.summoner.relay.core.RelayCore;
import org.summoner.relay.core.Route;
import org.summoner.relay.core.Session;
import org.summoner.relay.core.SpanTable;
import org.summoner.relay.policy.ReadPause;
import org.summoner.relay.selector.SelectorLoop;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One socket I/O agent and the clients it owns ({@code summoner-agrona-io-N}), a {@link SelectorLoop} driven by an
 * Agrona {@code AgentRunner}: its sessions' envelopes go to the fan-out agent through the lines ring, with their
 * routes; envelope batches come back from its own outbound ring and are written to its clients straight from the
 * ring's memory. Other threads reach it through {@link #adopt} (the acceptor), its outbound ring (the fan-out
 * agent), {@link #wakeup} and {@link #beginShutdown()}.
 *
 * <p>Backpressure without loss: when the lines ring is full, records wait in a stash and this agent stops reading
 * its sockets until the stash is written out (a return code and {@code handOffWaits}, never an exception); a client
 * whose socket is full gets the rest of a batch copied into its own queue, under the loop's bounds.
 *
 * <p>When it has nothing to do, it blocks in {@code select()} ({@link #block()}), which a socket, a new client or the
 * fan-out agent ({@link #wakeup}) ends.
 */
final class IoAgent extends SelectorLoop<AgronaConnection> implements Agent {
    private static final int OUTBOUND_READ_LIMIT = 64;
    private static final long RETRY_BLOCK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final int agentIndex;
    private final ReadPause readPause;
    private final RingBuffer lines;
    private final int maxPiece;
    private final RingBuffer outbound;
    private final ByteBuffer outboundView;
    private final Runnable wakeFanOut;
    private final MessageHandler onBatch = this::onBatch;
    private final Long2ObjectHashMap<AgronaConnection> bySession = new Long2ObjectHashMap<>();
    private final ExpandableArrayBuffer stash = new ExpandableArrayBuffer(4096);
    private final SpanTable batchSpans = new SpanTable(Records.MAX_SPANS);
    private final RunWriter runWriter = new RunWriter(this);
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean shutdownRequested;
    private long batchSequence;
    private int stashLength;
    /** Whether this turn handed the fan-out agent anything: it is woken once per turn, not once per envelope. */
    private boolean published;

    IoAgent(int agentIndex, RelayCore core, RingBuffer lines, RingBuffer outbound, Runnable wakeFanOut) throws IOException {
        super(core);
        this.agentIndex = agentIndex;
        this.readPause = core.readPause();
        this.lines = lines;
        this.maxPiece = lines.maxMsgLength() - Records.ENVELOPE_HEADER_BYTES;
        this.outbound = outbound;
        this.outboundView = outbound.buffer().byteBuffer().duplicate();
        this.wakeFanOut = wakeFanOut;
    }

    @Override
    public String roleName() {
        return "summoner-agrona-io-" + agentIndex;
    }

    /** Tell every client, close every connection, then stop. Called by the engine. */
    void requestShutdown() {
        shutdownRequested = true;
        wakeup();
    }

    /** @return whether the agent stopped within {@code millis}. */
    boolean awaitStopped(long millis) throws InterruptedException {
        return stopped.await(millis, TimeUnit.MILLISECONDS);
    }

    @Override
    public int doWork() throws IOException {
        tick();
        int work = registerAdopted();
        if (stashLength > 0) {
            work += flushStash();
        }
        work += outbound.read(onBatch, OUTBOUND_READ_LIMIT);
        pauseReads(stashLength > 0 || readPause.untilNanos() - now() > 0);
        work += select(0);
        if (holdsInput()) {
            work++; // input waits for the next turn: no idling
        }
        housekeeping();
        if (published) {
            published = false;
            wakeFanOut.run();
        }
        if (shutdownRequested) {
            beginShutdown();
            if (shutdownDone()) {
                turnEnded();
                throw new AgentTerminationException();
            }
        }
        return work;
    }

    /**
     * The park of {@link SelectorIdleStrategy}: waits in {@code select()} until a socket is ready, a client is
     * adopted, a batch arrives or the next timed duty (idle sweep, linger, pause) is due.
     */
    void block() throws IOException {
        long timeout = selectTimeoutNanos(MAX_SELECT_NANOS);
        if (stashLength > 0) {
            timeout = Math.min(timeout, RETRY_BLOCK_NANOS);
        } else if (readsPaused()) {
            timeout = Math.min(timeout, Math.max(RETRY_BLOCK_NANOS, readPause.untilNanos() - now()));
        }
        block(timeout);
    }

    @Override
    protected boolean hasWork() {
        return outbound.size() > 0 || shutdownRequested;
    }

    @Override
    protected boolean mayRead() {
        return stashLength == 0;
    }

    @Override
    protected AgronaConnection connect(SocketChannel channel) {
        return new AgronaConnection(channel, this);
    }

    @Override
    protected void opened(AgronaConnection connection) {
        bySession.put(connection.session().id(), connection);
    }

    @Override
    protected void closed(AgronaConnection connection) {
        bySession.remove(connection.session().id());
    }

    // ---- envelopes to the fan-out agent ----

    /** The envelope goes into the lines ring with its sender and route, in pieces if it is longer than a record. */
    @Override
    protected void dispatch(Session sender, byte[] envelope, int length, Route route) {
        int at = 0;
        int left = length;
        while (left > maxPiece) {
            publish(Records.ENVELOPE_PART, sender.id(), route, envelope, at, maxPiece);
            at += maxPiece;
            left -= maxPiece;
        }
        publish(Records.ENVELOPE, sender.id(), route, envelope, at, left);
    }

    /**
     * Writes one record into the lines ring, or, when it is full or earlier records wait, into the stash; reading
     * stops until the stash is written out, so it holds at most one read's envelopes.
     */
    private void publish(int type, long sender, Route route, byte[] bytes, int offset, int length) {
        if (stashLength == 0) {
            final int index = lines.tryClaim(type, Records.ENVELOPE_HEADER_BYTES + length);
            if (index >= 0) {
                final MutableDirectBuffer buffer = lines.buffer();
                Records.writeEnvelopeHeader(buffer, index, sender, route);
                buffer.putBytes(index + Records.ENVELOPE_HEADER_BYTES, bytes, offset, length);
                lines.commit(index);
                published = true;
                return;
            }
            core().counters().handOffWaited();
        }
        stash.putInt(stashLength, type);
        stash.putInt(stashLength + Integer.BYTES, Records.ENVELOPE_HEADER_BYTES + length);
        final int record = stashLength + 2 * Integer.BYTES;
        Records.writeEnvelopeHeader(stash, record, sender, route);
        stash.putBytes(record + Records.ENVELOPE_HEADER_BYTES, bytes, offset, length);
        stashLength = record + Records.ENVELOPE_HEADER_BYTES + length;
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
            published = true;
            if (at < stashLength) {
                stash.putBytes(0, stash, at, stashLength - at);
            }
            stashLength -= at;
        }
        return moved;
    }

    // ---- batches from the fan-out agent to sockets ----

    /** One batch record: every local client gets what its spans say, written from the ring's memory. */
    private void onBatch(int type, MutableDirectBuffer buffer, int index, int length) {
        final int spans = buffer.getInt(index);
        final int spansAt = index + Records.SPAN_COUNT_BYTES;
        final int payloadAt = spansAt + spans * Records.SPAN_BYTES;
        final long sequence = ++batchSequence;
        batchSpans.clear();
        for (int s = 0; s < spans; s++) {
            final int at = spansAt + s * Records.SPAN_BYTES;
            final long sender = buffer.getLong(at);
            batchSpans.addSpan(sender, buffer.getInt(at + Records.SPAN_KIND_AT), buffer.getLong(at + Records.SPAN_TARGET_AT),
                    buffer.getInt(at + Records.SPAN_END_AT), buffer.getInt(at + Records.SPAN_MESSAGES_AT));
            final AgronaConnection local = bySession.get(sender);
            if (local != null) {
                local.lastBatch = sequence;
            }
        }
        runWriter.buffer = buffer;
        runWriter.payloadAt = payloadAt;
        for (int i = 0; i < sessionCount(); i++) {
            final AgronaConnection connection = connection(session(i));
            if (!connection.acceptsDeliveries()) {
                continue;
            }
            try {
                if (batchSpans.wholeFor(connection.session(), connection.lastBatch == sequence)) {
                    deliver(connection, buffer, payloadAt, batchSpans.end(), batchSpans.messages());
                } else {
                    runWriter.recipient = connection;
                    batchSpans.forEachRun(connection.session(), runWriter);
                    runWriter.finish();
                }
            } catch (Throwable error) {
                runWriter.reset();
                faulted(connection, error); // that recipient alone
            }
        }
        runWriter.buffer = null;
        runWriter.recipient = null;
    }

    /**
     * Writes bytes of the outbound ring to a client: straight to its socket when nothing waits for it, the rest into
     * its queue, under the loop's bounds.
     */
    void deliver(AgronaConnection connection, MutableDirectBuffer buffer, int offset, int length, int messages) {
        deliver(connection, buffer, outboundView, offset, length, messages);
    }

    /** @param view a {@link ByteBuffer} over the same memory as {@code buffer}, for the socket write. */
    void deliver(AgronaConnection connection, MutableDirectBuffer buffer, ByteBuffer view, int offset, int length, int messages) {
        final ByteQueue queue = connection.queue;
        if (queue.isEmpty() && !connection.blocked()) {
            view.clear().position(offset).limit(offset + length);
            final int written = write(connection, view);
            if (written < 0) {
                return;
            }
            if (written < length) {
                queue.append(buffer, offset + written, length - written);
                updateInterest(connection);
                queuedWhileBlocked(connection);
            }
        } else {
            if (!admit(connection, length, messages)) {
                return;
            }
            queue.append(buffer, offset, length);
            queuedWhileBlocked(connection);
        }
        delivered(connection.session(), messages);
    }

    /** A line of the server's own for one client, in order with what waits for it (the loop checked the bound). */
    void writeLine(AgronaConnection connection, byte[] line) {
        final ByteQueue queue = connection.queue;
        if (queue.isEmpty() && !connection.blocked()) {
            final int written = write(connection, ByteBuffer.wrap(line));
            if (written >= 0 && written < line.length) {
                queue.append(line, written, line.length - written);
                updateInterest(connection);
            }
        } else {
            queue.append(line, 0, line.length);
        }
    }

    /** @return bytes written, or -1 when the connection failed (it is then closed). */
    private int write(AgronaConnection connection, ByteBuffer bytes) {
        try {
            final int written = connection.wire().write(bytes);
            turnCounts().bytesSent(written);
            return written;
        } catch (IOException e) {
            connection.session().failed(e);
            return -1;
        }
    }

    /** OP_WRITE: writes what is queued; then what is left is judged, or a goodbye finished. */
    @Override
    protected void onWritable(AgronaConnection connection) {
        final ByteQueue queue = connection.queue;
        while (!queue.isEmpty()) {
            final int written;
            try {
                written = queue.writeTo(connection.wire());
            } catch (IOException e) {
                connection.session().failed(e);
                return;
            }
            turnCounts().bytesSent(written);
            if (written == 0) {
                break;
            }
        }
        afterWrite(connection);
    }

    /**
     * Its thread is ending on an error the JVM cannot recover from (Agrona rethrows it, and the runner does not call
     * {@link #onClose}): its clients are closed, the relay unhealthy, and the engine's close need not wait for it.
     */
    void dying(Throwable error) {
        try {
            failed(error);
            closeSelector();
        } finally {
            stopped.countDown();
        }
    }

    @Override
    public void onClose() {
        closeAll();
        closeSelector();
        stopped.countDown();
    }
}
