package org.summoner.relay.nio;

import org.summoner.relay.core.RelayCore;
import org.summoner.relay.core.Route;
import org.summoner.relay.core.Session;
import org.summoner.relay.policy.ReadPause;
import org.summoner.relay.selector.SelectorLoop;
import org.summoner.relay.spi.HandOffRoom;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * One selector loop of the NIO engine and the connections it owns ({@code summoner-nio-worker-N}). Everything
 * about a connection is touched by this thread only; other workers reach it through its {@link Inbox}.
 *
 * <p>A turn: wait for socket events and read (each line is encoded once by its session, and its envelope queued,
 * by reference, for every local recipient its route includes, and kept for the other workers); take the envelopes
 * other workers handed over; hand this turn's envelopes to the other workers in one batch each; write every
 * connection that got something, once, gathering its envelopes into one direct buffer per write call; then the
 * loop's housekeeping (idle sweep, goodbyes, closes, counters).
 *
 * <p>Bounds of its own: reads stop while another worker's inbox holds more than {@link #INBOX_HIGH_WATER_BYTES}
 * (until it is under {@link #INBOX_LOW_WATER_BYTES}), so the slowest worker sets the pace; at most
 * {@link #MAX_WRITES_PER_FLUSH} writes per connection per turn.
 */
final class NioWorker extends SelectorLoop<NioConnection> implements Runnable {
    static final int WRITE_BUFFER_BYTES = 256 * 1024;
    private static final int MAX_WRITES_PER_FLUSH = 8;
    static final long INBOX_HIGH_WATER_BYTES = 8L * 1024 * 1024;
    static final long INBOX_LOW_WATER_BYTES = 2L * 1024 * 1024;
    private static final long PAUSED_SELECT_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long CLOSING_SELECT_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private final ReadPause readPause;
    private final Inbox inbox = new Inbox();
    private final ArrayList<NioConnection> dirty = new ArrayList<>();
    private final ArrayList<Envelope> outbox = new ArrayList<>();
    private final ByteBuffer writeBuffer = ByteBuffer.allocateDirect(WRITE_BUFFER_BYTES);
    private volatile boolean running = true;
    private final LongSupplier inboxBytes = inbox::bytes;
    private final BooleanSupplier stopped = () -> !running;
    private NioWorker[] peers = new NioWorker[0];
    private boolean waitingForPeers;

    NioWorker(RelayCore core) throws IOException {
        super(core);
        this.readPause = core.readPause();
    }

    void peers(NioWorker[] others) {
        this.peers = others;
    }

    /** Called by the engine: tell every client, close every connection, end the thread. */
    void shutdown() {
        running = false;
        selector.wakeup();
    }

    @Override
    public void run() {
        try {
            while (running) {
                updateReadPause();
                select(selectTimeout());
                registerAdopted();
                drainInbox();
                publishOutbox();
                flushDirty();
                housekeeping();
            }
            drainInbox();
            beginShutdown();
            while (!shutdownDone()) {
                flushDirty();
                housekeeping();
                select(CLOSING_SELECT_NANOS);
            }
        } catch (Throwable t) {
            failed(t);
        } finally {
            turnEnded();
            closeSelector();
        }
    }

    private long selectTimeout() {
        long timeout = selectTimeoutNanos(MAX_SELECT_NANOS);
        if (readsPaused()) {
            final long pauseLeft = readPause.untilNanos() - now();
            timeout = Math.min(timeout, pauseLeft > 0 ? pauseLeft : PAUSED_SELECT_NANOS);
        }
        return timeout;
    }

    @Override
    protected boolean hasWork() {
        return !inbox.isEmpty();
    }

    /** @return the bytes of envelopes other workers handed to this one, not taken yet: a volatile read, from any thread. */
    long inboxBytes() {
        return inbox.bytes();
    }

    @Override
    protected NioConnection connect(SocketChannel channel) {
        return new NioConnection(channel, this);
    }

    @Override
    protected void onWritable(NioConnection connection) {
        flush(connection);
    }

    // ---- envelopes ----

    /** The envelope is copied once into an array every recipient, here and on other workers, shares. */
    @Override
    protected void dispatch(Session sender, byte[] envelope, int length, Route route) {
        final Envelope shared = new Envelope(Arrays.copyOf(envelope, length), sender, route);
        deliverLocally(shared);
        if (peers.length > 0) {
            outbox.add(shared);
        }
    }

    /**
     * An envelope from another node of the cluster, on the backplane's thread: waits (the backplane's back pressure)
     * while this worker's inbox is over its high-water mark, then queues it; the worker delivers it on its next turn.
     */
    void offerFromCluster(Envelope envelope) {
        HandOffRoom.await(inboxBytes, stopped, INBOX_HIGH_WATER_BYTES, INBOX_LOW_WATER_BYTES, core().counters());
        if (running && inbox.offer(envelope)) {
            wakeup();
        }
    }

    private void deliverLocally(Envelope envelope) {
        final Session sender = envelope.sender;
        final Route route = envelope.route;
        final byte[] bytes = envelope.bytes;
        for (int i = 0, n = sessionCount(); i < n; i++) {
            final Session recipient = session(i);
            if (recipient != sender && route.includes(recipient)) {
                final NioConnection connection = connection(recipient);
                try {
                    if (connection.acceptsDeliveries() && enqueue(connection, bytes)) {
                        delivered(recipient, 1);
                    }
                } catch (Throwable error) {
                    faulted(connection, error); // that recipient alone
                }
            }
        }
    }

    /** @return whether it was queued (past {@code max_queued_bytes} the recipient is closed instead). */
    private boolean enqueue(NioConnection connection, byte[] line) {
        if (!admit(connection, line.length, 1)) {
            return false;
        }
        connection.queue.add(line);
        markDirty(connection);
        queuedWhileBlocked(connection);
        return true;
    }

    void markDirty(NioConnection connection) {
        if (!connection.dirty) {
            connection.dirty = true;
            dirty.add(connection);
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

    /**
     * Stops reading from this worker's clients while a throttle or flow-control pause is in force, or while another
     * worker's inbox is over its high-water mark (until it is under the low-water mark).
     */
    private void updateReadPause() {
        boolean waiting = false;
        if (peers.length > 0) {
            long most = 0;
            for (NioWorker peer : peers) {
                most = Math.max(most, peer.inbox.bytes());
            }
            waiting = waitingForPeers ? most >= INBOX_LOW_WATER_BYTES : most > INBOX_HIGH_WATER_BYTES;
            if (waiting && !waitingForPeers) {
                core().counters().handOffWaited();
            }
        }
        waitingForPeers = waiting;
        pauseReads(waiting || readPause.untilNanos() - now() > 0);
    }

    // ---- writing ----

    private void flushDirty() {
        final ArrayList<NioConnection> dirty = this.dirty;
        for (int i = 0; i < dirty.size(); i++) {
            final NioConnection connection = dirty.get(i);
            connection.dirty = false;
            // A connection waiting for OP_WRITE has a full socket buffer; the selector says when to try again.
            if (!connection.closing() && !connection.blocked()) {
                try {
                    flush(connection);
                } catch (Throwable error) {
                    faulted(connection, error);
                }
            }
        }
        dirty.clear();
    }

    /** Writes what is queued, gathering lines into one direct buffer per write call; then what is left is judged. */
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
                written = connection.wire().write(buffer);
            } catch (IOException e) {
                connection.session().failed(e);
                return;
            }
            turnCounts().bytesSent(written);
            queue.consume(written);
            if (written < staged) {
                break;
            }
        }
        afterWrite(connection);
    }
}
