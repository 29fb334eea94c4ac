package org.summoner.relay.selector;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.summoner.relay.core.Dispatcher;
import org.summoner.relay.core.Faults;
import org.summoner.relay.core.OutboundBudget;
import org.summoner.relay.core.RelayCore;
import org.summoner.relay.core.Session;
import org.summoner.relay.tls.ServerTls;
import org.summoner.relay.wire.Untrusted;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import javax.net.ssl.SSLException;

/**
 * One selector and the connections it owns, for an engine on {@code java.nio} channels: what the NIO engine's
 * workers and the Agrona engine's I/O agents do alike. Other threads reach it only through {@link #adopt} (the
 * acceptor) and {@link #wakeup}. On its own thread it registers adopted sockets (each gets its {@link Session}),
 * reads ready sockets with a bounded loop into its sessions, keeps interest ops in step with what waits and with
 * read pauses, applies the {@link OutboundBudget} to what waits for a client, writes goodbyes and lingers, closes,
 * and shuts down. The engine subclass decides how it writes and how envelopes cross its threads ({@link
 * #dispatch}), and drives the turn: {@link #select}, then its own work, then {@link #housekeeping}.
 *
 * @param <C> the engine's connection type.
 */
public abstract class SelectorLoop<C extends SelectorConnection> extends Dispatcher {
    private static final Logger log = LoggerFactory.getLogger(SelectorLoop.class);
    public static final int READ_BUFFER_BYTES = 64 * 1024;
    /** Reads of one connection per readiness: one busy client cannot starve the others. */
    private static final int MAX_READS_PER_WAKEUP = 4;
    /** The longest a loop waits in {@code select()} with nothing timed to do. */
    protected static final long MAX_SELECT_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** How often a loop with connections saying goodbye looks at them. */
    private static final long LINGER_CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    /** A socket the acceptor admitted, with the address admission counted it under. */
    private record Adopted(SocketChannel channel, InetSocketAddress remote) {
    }

    protected final Selector selector;
    private final OutboundBudget budget;
    /** TLS on the relay port, or null. */
    private final ServerTls tls;
    private TlsWire.Buffers tlsBuffers;
    private final TlsReader tlsReader = new TlsReader();
    private final ConcurrentLinkedQueue<Adopted> adopted = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean mayBlock = new AtomicBoolean();
    private final Consumer<SelectionKey> onReady = this::onReady;
    private final ByteBuffer readBuffer = ByteBuffer.allocate(READ_BUFFER_BYTES);
    private final ArrayList<SelectorConnection> closing = new ArrayList<>();
    private final ArrayList<SelectorConnection> lingering = new ArrayList<>();
    /** Connections whose reads alone are paused ({@link SelectorConnection#pauseReading}), until their deadline. */
    private final ArrayList<SelectorConnection> paused = new ArrayList<>();
    private volatile boolean alive = true;
    private boolean readsPaused;
    private boolean clockStale;
    private boolean shuttingDown;
    private long shutdownDeadlineNanos;

    protected SelectorLoop(RelayCore core) throws IOException {
        super(core);
        this.budget = core.budget();
        this.tls = core.tls();
        this.selector = Selector.open();
    }

    // ---- any thread ----

    /** Called by the acceptor for an admitted socket: the loop registers it on its next turn. */
    public final void adopt(SocketChannel channel, InetSocketAddress remote) {
        adopted.offer(new Adopted(channel, remote));
        wakeup();
    }

    /** Ends a {@code select()} in progress; cheap when the loop is busy. */
    public final void wakeup() {
        if (mayBlock.compareAndSet(true, false)) {
            selector.wakeup();
        }
    }

    /** @return false once the loop's thread has stopped on an unexpected error: give it no more sockets. */
    public final boolean alive() {
        return alive;
    }

    /** For an engine that fails to start, before the loop's thread exists. */
    public final void closeSelector() {
        closeQuietly(selector);
    }

    // ---- the engine's part ----

    /** @return the engine's connection for a new socket; its session is attached next. */
    protected abstract C connect(SocketChannel channel);

    /** The socket has room again ({@code OP_WRITE}): write what waits, then call {@link #afterWrite}. */
    protected abstract void onWritable(C connection);

    /** @return whether the loop has work that must not wait for a socket (e.g. envelopes from other threads). */
    protected boolean hasWork() {
        return false;
    }

    /** @return whether reading may go on within one read turn (false stops it, e.g. while a hand-off is full). */
    protected boolean mayRead() {
        return true;
    }

    /** A connection and its session were registered. */
    protected void opened(C connection) {
    }

    /** A connection was closed, before its session does its bookkeeping. */
    protected void closed(C connection) {
    }

    // ---- the turn ----

    /**
     * Waits up to {@code timeoutNanos} for ready sockets (not at all when there is work or {@code 0}) and handles
     * them; the turn's clock is read once, at the first ready key or on waking.
     *
     * @return the keys handled.
     */
    protected final int select(long timeoutNanos) throws IOException {
        final long millis = TimeUnit.NANOSECONDS.toMillis(timeoutNanos + 999_999);
        clockStale = true;
        nextTurn();
        final int ready;
        if (millis == 0) {
            ready = selector.selectNow(onReady); // does not wait: no wake-up is needed, so none is asked for
        } else {
            mayBlock.set(true);
            ready = mustNotWait() ? selector.selectNow(onReady) : selector.select(onReady, millis);
            mayBlock.set(false);
        }
        if (clockStale) {
            tick();
        }
        resumeHeldInput(); // after this turn's reads: every connection has one budget per turn
        return ready;
    }

    /** @return whether the loop has something to do without a socket: adopted sockets, input held, the engine's work. */
    private boolean mustNotWait() {
        return !adopted.isEmpty() || holdsInput() || hasWork();
    }

    /**
     * For a loop that does not block in {@link #select} (an idle strategy decides when it waits): announces the
     * wait, gives up if work arrived meanwhile, then waits in {@code select()} for a socket, a {@link #wakeup} or the
     * next timed duty. The ready keys are handled by the next {@link #select}{@code (0)}.
     */
    protected final void block(long timeoutNanos) throws IOException {
        mayBlock.set(true);
        if (mustNotWait()) {
            mayBlock.set(false);
            return;
        }
        selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(timeoutNanos + 999_999))); // 0 would mean forever
        mayBlock.set(false);
        selector.selectedKeys().clear();
    }

    /**
     * @return how long the loop may wait with nothing to do: until the next timed duty (idle sweep, handshake
     *         deadline), linger check, end of a client's read pause, or {@code capNanos}.
     */
    protected final long selectTimeoutNanos(long capNanos) {
        long timeout = lingering.isEmpty() ? capNanos : Math.min(capNanos, LINGER_CHECK_NANOS);
        for (int i = 0; i < paused.size(); i++) {
            timeout = Math.min(timeout, Math.max(0, paused.get(i).readsPausedUntilNanos - now()));
        }
        return nanosToTimedDuty(timeout);
    }

    /** Sessions for the sockets the acceptor handed over since the last turn. @return how many. */
    protected final int registerAdopted() {
        int registered = 0;
        Adopted next;
        while ((next = adopted.poll()) != null) {
            final SocketChannel channel = next.channel();
            if (shuttingDown) {
                closeQuietly(channel);
                core().policy().admission().release(next.remote().getAddress());
                continue;
            }
            try {
                final C connection = connect(channel);
                if (tls != null) {
                    connection.tls = new TlsWire(channel, tls.newEngine(next.remote()), tlsBuffers());
                }
                connection.key = channel.register(selector, SelectionKey.OP_READ, connection);
                connection.interestOps = SelectionKey.OP_READ;
                connection.attach(open(next.remote(), connection));
                updateInterest(connection);
                opened(connection);
                if (connection.tls == null) {
                    connection.session().start(); // over TLS, once its handshake is done
                }
                registered++;
            } catch (IOException e) {
                log.debug("connection lost before it was registered: {}", e.toString());
                closeQuietly(channel);
                core().policy().admission().release(next.remote().getAddress());
            }
        }
        return registered;
    }

    /**
     * Once per turn, after the engine's work: timed duties (idle sweep, handshake deadlines), read pauses that ended,
     * goodbyes that are done or out of time, closes, counts.
     */
    protected final void housekeeping() {
        runTimedDuties();
        resumePaused();
        expireLingering();
        closeScheduled();
        turnCounts().publish();
    }

    @SuppressWarnings("unchecked")
    private void onReady(SelectionKey key) {
        if (clockStale) {
            tick();
            clockStale = false;
        }
        final C connection = (C) key.attachment();
        if (connection.closeScheduled || !key.isValid()) {
            return;
        }
        try {
            final int ready = key.readyOps();
            if ((ready & SelectionKey.OP_WRITE) != 0 && (connection.tls == null || flushTls(connection))) {
                onWritable(connection);
            }
            if ((ready & SelectionKey.OP_READ) != 0 && !connection.closeScheduled && (connection.interestOps & SelectionKey.OP_READ) != 0) {
                read(connection);
            }
        } catch (Throwable error) {
            faulted(connection, error);
        }
    }

    private void read(C connection) {
        if (connection.tls != null) {
            readTls(connection);
            return;
        }
        final Session session = connection.session();
        final byte[] array = readBuffer.array();
        for (int i = 0; i < MAX_READS_PER_WAKEUP && mayRead() && !connection.readsHeld; i++) {
            readBuffer.clear();
            final int n;
            try {
                n = connection.channel.read(readBuffer);
            } catch (IOException e) {
                session.failed(e);
                return;
            }
            if (n < 0) {
                session.onEndOfStream();
                session.close();
                return;
            }
            if (n == 0) {
                return;
            }
            session.onBytes(array, 0, n);
            if (n < array.length) {
                return;
            }
        }
    }

    // ---- TLS ----

    /** Where {@link TlsWire#read} puts what it decrypted: the session of the connection being read. */
    private static final class TlsReader implements TlsWire.Reader {
        Session session;

        @Override
        public void onPlaintext(byte[] bytes, int offset, int length) {
            session.onBytes(bytes, offset, length);
        }

        @Override
        public void onHandshakeDone() {
            session.start();
        }
    }

    private TlsWire.Buffers tlsBuffers() {
        if (tlsBuffers == null) {
            tlsBuffers = new TlsWire.Buffers(tls.newEngine(null));
        }
        return tlsBuffers;
    }

    /** Reads through TLS: the session starts when the handshake is done; a failed one is counted and closed. */
    private void readTls(C connection) {
        final Session session = connection.session();
        final TlsWire wire = connection.tls;
        try {
            for (int i = 0; i < MAX_READS_PER_WAKEUP && mayRead() && !connection.closeScheduled && !connection.readsHeld; i++) {
                tlsReader.session = session;
                final int n = wire.read(tlsReader, readBuffer);
                if (n == TlsWire.PLAINTEXT) {
                    refusePlaintext(connection);
                    return;
                }
                if (n < 0) {
                    session.onEndOfStream();
                    answerClose(connection);
                    session.close();
                    return;
                }
                if (n == 0) {
                    break;
                }
            }
        } catch (SSLException e) {
            if (!wire.ready()) {
                tls.handshakeFailed(session.remoteAddr(), e);
            } else if (log.isDebugEnabled()) { // a bad record, or a renegotiation the engine refused (counted there)
                log.debug("{} TLS failed: {}", session.remoteAddr(), quoted(e));
            }
            wire.sendAlert();
            session.close();
            return;
        } catch (IOException e) {
            session.failed(e);
            return;
        }
        updateInterest(connection); // the handshake may have left ciphertext waiting, or be done
    }

    /**
     * The client closed (its {@code close_notify}, or the end of its stream): what it sent is relayed, now it gets the
     * server's {@code close_notify}, best effort, before the connection closes. A client already gone (a reset) is
     * not answered.
     */
    private void answerClose(C connection) {
        try {
            connection.tls.shutdownOutput();
        } catch (IOException e) {
            if (log.isDebugEnabled()) {
                log.debug("{} gone before its close_notify was answered: {}", connection.session().remoteAddr(), quoted(e));
            }
        }
    }

    /** {@code OP_WRITE} on a TLS connection: ciphertext that waits goes first. @return whether the engine may write. */
    private boolean flushTls(C connection) {
        final TlsWire wire = connection.tls;
        try {
            if (!wire.flush()) {
                return false;
            }
            if (wire.resumeHandshake()) {
                connection.session().start();
            }
        } catch (IOException e) {
            if (!wire.ready() && e instanceof SSLException) {
                tls.handshakeFailed(connection.session().remoteAddr(), e);
            }
            connection.session().failed(e);
            return false;
        }
        if (connection.hasQueued()) {
            return true;
        }
        afterWrite(connection); // e.g. a goodbye whose last ciphertext just went
        return false;
    }

    /** @return a TLS exception as a log line may show it: the JDK's messages quote what the client sent. */
    private static String quoted(IOException e) {
        return Untrusted.text(e.toString());
    }

    /**
     * A client that spoke plaintext to the TLS port: told so in plaintext, its output shut, and closed when it closes
     * or after {@link Dispatcher#LINGER_NANOS}; it never became a recipient.
     */
    private void refusePlaintext(C connection) {
        final Session session = connection.session();
        tls.plaintextRefused(session.remoteAddr());
        try {
            connection.channel.write(ByteBuffer.wrap(ServerTls.plaintextNotice()));
            connection.channel.shutdownOutput();
        } catch (IOException e) {
            session.close();
            return;
        }
        connection.tls.refuse(); // what it sends now is read and dropped: its session never started
        connection.lingerDeadlineNanos = now() + LINGER_NANOS;
        lingering.add(connection);
    }

    // ---- reads ----

    /** Stops or resumes reading from every open session (throttle, flow control, a full hand-off). */
    protected final void pauseReads(boolean pause) {
        if (pause == readsPaused) {
            return;
        }
        readsPaused = pause;
        for (int i = 0; i < sessionCount(); i++) {
            updateInterest(connection(session(i)));
        }
    }

    protected final boolean readsPaused() {
        return readsPaused;
    }

    /** {@link SelectorConnection#pauseReading}: no reads from this client until the deadline. */
    final void pauseReading(SelectorConnection connection, long untilNanos) {
        if (connection.closeScheduled) {
            return;
        }
        if (connection.readsPausedUntilNanos == 0) {
            paused.add(connection);
        }
        connection.readsPausedUntilNanos = Math.max(connection.readsPausedUntilNanos, untilNanos);
        updateInterest(connection);
    }

    /** {@link SelectorConnection#holdReads}: no reads from this client while its session holds input. */
    final void holdReads(SelectorConnection connection, boolean hold) {
        if (connection.readsHeld != hold) {
            connection.readsHeld = hold;
            updateInterest(connection);
        }
    }

    private void resumePaused() {
        final long now = now();
        for (int i = paused.size() - 1; i >= 0; i--) {
            final SelectorConnection connection = paused.get(i);
            if (connection.closeScheduled || now - connection.readsPausedUntilNanos >= 0) {
                connection.readsPausedUntilNanos = 0;
                final SelectorConnection last = paused.remove(paused.size() - 1);
                if (i < paused.size()) {
                    paused.set(i, last);
                }
                updateInterest(connection);
            }
        }
    }

    /**
     * Interest in reads (unless paused, for everyone or for this client; a closing session is read to see its client
     * close) and in writes (if anything waits).
     */
    protected final void updateInterest(SelectorConnection connection) {
        if (connection.closeScheduled || connection.closed) {
            return;
        }
        final boolean open = connection.session().isOpen();
        final boolean reads = !(readsPaused && open) && !(open && (connection.readsPausedUntilNanos != 0 || connection.readsHeld));
        final TlsWire wire = connection.tls;
        final boolean writes = wire == null ? connection.hasQueued() : wire.pending() || (wire.ready() && connection.hasQueued());
        final int ops = (reads ? SelectionKey.OP_READ : 0) | (writes ? SelectionKey.OP_WRITE : 0);
        if (ops != connection.interestOps) {
            connection.interestOps = ops;
            connection.key.interestOps(ops);
        }
    }

    // ---- what waits for a client ----

    /**
     * Before {@code bytes} of {@code messages} messages are queued for a client: past {@code max_queued_bytes} it is
     * closed as a slow consumer and the messages counted as dropped.
     *
     * @return whether they may be queued.
     */
    protected final boolean admit(SelectorConnection connection, long bytes, int messages) {
        return budget.mayQueue(connection.session(), connection.queuedMessages(), connection.queuedBytes(), bytes, messages, now());
    }

    /** Something was queued for a client whose socket is full: what waits is a real backlog, judged now. */
    protected final void queuedWhileBlocked(SelectorConnection connection) {
        if (connection.blocked() && connection.session().isOpen()) {
            judge(connection);
        }
    }

    /**
     * After a write attempt: a goodbye that is written out shuts output down; interest follows what is left;
     * what is left is judged (also when it fell: the budget counts who is behind).
     */
    protected final void afterWrite(SelectorConnection connection) {
        if (connection.closeScheduled) {
            return;
        }
        final Session session = connection.session();
        if (!hasOutput(connection) && session.state() == Session.State.DRAINING) {
            shutOutput(connection);
        }
        updateInterest(connection);
        if (session.isOpen()) {
            judge(connection);
        }
    }

    private void judge(SelectorConnection connection) {
        budget.judge(connection.session(), connection.queuedMessages(), connection.queuedBytes(), now());
    }

    /** {@link SelectorConnection#send}: a line of the server's own, under the same bound as envelopes. */
    final void sendLine(SelectorConnection connection, byte[] line) {
        if (!connection.closeScheduled && admit(connection, line.length, 1)) {
            connection.queueLine(line);
            queuedWhileBlocked(connection);
        }
    }

    // ---- goodbyes and closing ----

    /** {@link SelectorConnection#goodbye}: the last line, then a FIN, then close when the client does or at the deadline. */
    final void goodbye(SelectorConnection connection, byte[] line, long deadlineNanos) {
        if (connection.closeScheduled) {
            return;
        }
        connection.lingerDeadlineNanos = deadlineNanos;
        lingering.add(connection);
        if (admit(connection, line.length, 1)) {
            connection.queueLine(line);
            if (!hasOutput(connection) && !connection.closeScheduled) {
                shutOutput(connection); // written at once
            }
        }
    }

    /** @return whether anything waits to be written: queued by the engine, or ciphertext. */
    private static boolean hasOutput(SelectorConnection connection) {
        return connection.hasQueued() || (connection.tls != null && connection.tls.pending());
    }

    private void shutOutput(SelectorConnection connection) {
        connection.session().outputShut();
        try {
            if (connection.tls != null) {
                connection.tls.shutdownOutput(); // close_notify first; the FIN once it is written
                updateInterest(connection);
            } else {
                connection.channel.shutdownOutput();
            }
        } catch (IOException e) {
            connection.session().failed(e);
        }
    }

    /** {@link SelectorConnection#close}: closed at the end of this turn. */
    final void scheduleClose(SelectorConnection connection) {
        if (!connection.closeScheduled) {
            connection.closeScheduled = true;
            closing.add(connection);
        }
    }

    private void expireLingering() {
        final long now = now();
        for (int i = lingering.size() - 1; i >= 0; i--) {
            final SelectorConnection connection = lingering.get(i);
            if (connection.closeScheduled || now - connection.lingerDeadlineNanos >= 0) {
                connection.session().close();
                final SelectorConnection last = lingering.remove(lingering.size() - 1);
                if (i < lingering.size()) {
                    lingering.set(i, last);
                }
            }
        }
    }

    private void closeScheduled() {
        for (int i = 0, n = closing.size(); i < n; i++) {
            closeNow(closing.get(i));
        }
        closing.clear();
    }

    @SuppressWarnings("unchecked")
    private void closeNow(SelectorConnection connection) {
        if (connection.closed) {
            return;
        }
        connection.closed = true;
        connection.closeScheduled = true;
        connection.key.cancel();
        closeQuietly(connection.channel);
        budget.droppedAtClose(connection.discardQueued());
        closed((C) connection);
        connection.session().closed();
    }

    // ---- shutdown and failure ----

    /** Server shutdown: every client is told and given {@link Dispatcher#LINGER_NANOS} to go. */
    protected final void beginShutdown() {
        if (!shuttingDown) {
            tick();
            registerAdopted(); // a client that arrived just now is told too
            shuttingDown = true;
            shutdownDeadlineNanos = now() + LINGER_NANOS;
            sayGoodbyeToAll(shutdownDeadlineNanos);
        }
    }

    /** @return true once every connection is closed; past the deadline, closes the rest. */
    protected final boolean shutdownDone() {
        if (sessionCount() > 0 && now() - shutdownDeadlineNanos >= 0) {
            closeAll();
        }
        return sessionCount() == 0;
    }

    /**
     * The engine's fault barrier for one connection: its handling outside the session's own barrier (a write, a
     * hand-off) threw. Counted and logged by the core's {@link Faults}; the connection alone
     * is told and closed, and the loop goes on. Errors the JVM cannot recover from end the thread ({@link #failed}).
     */
    protected final void faulted(SelectorConnection connection, Throwable error) {
        if (!Faults.recoverable(error)) {
            throw (Error) error;
        }
        try {
            connection.session().fault(Faults.Where.ENGINE, error);
        } catch (Throwable again) {
            if (!Faults.recoverable(again)) {
                throw (Error) again;
            }
            scheduleClose(connection); // even the goodbye failed: the socket is closed at the end of the turn
        }
    }

    /**
     * The loop's thread is ending on an error no barrier caught: its clients are closed, its adopted sockets released,
     * and the relay is unhealthy from now on ({@code /healthz} answers 503).
     */
    protected final void failed(Throwable error) {
        alive = false;
        core().faults().threadDied(Thread.currentThread().getName() + " (" + sessionCount() + " connections closed)", error);
        try {
            closeAll();
        } catch (Throwable again) {
            log.error("{} could not close all of its connections", Thread.currentThread().getName(), again);
        }
    }

    /** Closes every connection and adopted socket now, and the selector. */
    protected final void closeAll() {
        for (int i = sessionCount() - 1; i >= 0; i--) {
            closeNow(connection(session(i)));
        }
        Adopted orphan;
        while ((orphan = adopted.poll()) != null) {
            closeQuietly(orphan.channel());
            core().policy().admission().release(orphan.remote().getAddress());
        }
        turnCounts().publish();
    }

    protected final boolean shuttingDown() {
        return shuttingDown;
    }

    @SuppressWarnings("unchecked")
    protected final C connection(Session session) {
        return (C) session.output();
    }

    protected static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception ignored) {
            // Closing is best effort: the socket or selector is being discarded either way.
        }
    }
}
