package org.summoner.relay.selector;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.summoner.relay.core.Dispatcher;
import org.summoner.relay.core.Faults;
import org.summoner.relay.core.OutboundBudget;
import org.summoner.relay.core.RelayCore;
import org.summoner.relay.core.Session;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * One selector and the connections it owns, for an engine on {@code java.nio} channels: what the NIO engine's
 * workers and the Agrona engine's I/O agents do alike. Other threads reach it only through {@link #adopt} (the
 * acceptor) and {@link #wakeup}. On its own thread it registers adopted sockets (each gets its {@link Session}),
 * reads ready sockets with a bounded loop into its sessions (through {@link SelectorTls} over TLS), and shuts down;
 * its {@link ConnectionControl} keeps interest ops in step with what waits and with read pauses, applies the
 * {@link OutboundBudget} to what waits for a client, writes goodbyes, and closes. The engine subclass decides how it writes and how envelopes cross its threads ({@link
 * #dispatch}), and drives the turn: {@link #select}, then its own work, then {@link #housekeeping}.
 *
 * @param <C> the engine's connection type.
 */
public abstract class SelectorLoop<C extends SelectorConnection> extends Dispatcher {
    private static final Logger log = LoggerFactory.getLogger(SelectorLoop.class);
    public static final int READ_BUFFER_BYTES = 64 * 1024;
    /** Reads of one connection per readiness: one busy client cannot starve the others. */
    static final int MAX_READS_PER_WAKEUP = 4;
    /** The longest a loop waits in {@code select()} with nothing timed to do. */
    protected static final long MAX_SELECT_NANOS = TimeUnit.SECONDS.toNanos(1);

    /** A socket the acceptor admitted, with the address admission counted it under. */
    private record Adopted(SocketChannel channel, InetSocketAddress remote) {
    }

    protected final Selector selector;
    /** TLS on the relay port, or null. */
    private final SelectorTls tls;
    /** Interest ops, reads, goodbyes and closes. */
    final ConnectionControl control;
    private final ConcurrentLinkedQueue<Adopted> adopted = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean mayBlock = new AtomicBoolean();
    private final Consumer<SelectionKey> onReady = this::onReady;
    private final ByteBuffer readBuffer = ByteBuffer.allocate(READ_BUFFER_BYTES);
    private volatile boolean alive = true;
    private boolean clockStale;
    private boolean shuttingDown;
    private long shutdownDeadlineNanos;

    protected SelectorLoop(RelayCore core) throws IOException {
        super(core);
        this.tls = core.tls() == null ? null : new SelectorTls(this, core.tls(), readBuffer);
        this.control = new ConnectionControl(this, core.budget());
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

    /** Lines are back from the verification pool: a {@code select()} in progress ends ({@link #mustNotWait()} sees them). */
    @Override
    protected final void wake() {
        wakeup();
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
     *         deadline, a goodbye's deadline, the end of a client's read pause), or {@code capNanos}.
     */
    protected final long selectTimeoutNanos(long capNanos) {
        return nanosToTimedDuty(capNanos);
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
                    connection.tls = tls.wire(channel, next.remote());
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
     * Once per turn, after the engine's work: the core's timed duties (idle sweep, handshake deadlines, goodbyes out of
     * time, read pauses that ended), closes, counts.
     */
    protected final void housekeeping() {
        runTimedDuties();
        control.closeScheduled();
        turnEnded();
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
            if ((ready & SelectionKey.OP_WRITE) != 0 && (connection.tls == null || tls.flush(connection))) {
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
            tls.read(connection);
            return;
        }
        final Session session = connection.session();
        final byte[] array = readBuffer.array();
        for (int i = 0; i < MAX_READS_PER_WAKEUP && mayRead() && !connection.readsStopped; i++) {
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

    // ---- reads ----

    /** Stops or resumes reading from every open session (throttle, flow control, a full hand-off). */
    protected final void pauseReads(boolean pause) {
        control.pauseReads(pause);
    }

    protected final boolean readsPaused() {
        return control.readsPaused();
    }

    /** Interest in reads and writes follows the connection's state ({@link ConnectionControl#updateInterest}). */
    protected final void updateInterest(SelectorConnection connection) {
        control.updateInterest(connection);
    }

    // ---- what waits for a client: the outbound budget ({@link ConnectionControl}) ----

    /** @return whether {@code bytes} of {@code messages} may be queued for a client; if not, it was closed. */
    protected final boolean admit(SelectorConnection connection, long bytes, int messages) {
        return control.admit(connection, bytes, messages);
    }

    /** Something was queued for a client whose socket is full: what waits is a real backlog, judged now. */
    protected final void queuedWhileBlocked(SelectorConnection connection) {
        control.queuedWhileBlocked(connection);
    }

    /** After a write attempt: a finished goodbye shuts output; interest and the budget follow what is left. */
    protected final void afterWrite(SelectorConnection connection) {
        control.afterWrite(connection);
    }

    /** A connection was closed ({@link ConnectionControl#closeNow}): the engine's {@link #closed} hook. */
    @SuppressWarnings("unchecked")
    final void closedConnection(SelectorConnection connection) {
        closed((C) connection);
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
            control.scheduleClose(connection); // even the goodbye failed: the socket is closed at the end of the turn
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
            control.closeNow(connection(session(i)));
        }
        Adopted orphan;
        while ((orphan = adopted.poll()) != null) {
            closeQuietly(orphan.channel());
            core().policy().admission().release(orphan.remote().getAddress());
        }
        turnEnded();
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
