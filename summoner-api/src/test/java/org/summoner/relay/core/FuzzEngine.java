package org.summoner.relay.core;

import org.summoner.relay.policy.AdmissionControl;
import org.summoner.relay.spi.RelayEngine;

import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The fuzz targets' engine: {@link FakeEngine} without sockets, but one that delivers. It does what a selector loop
 * does with the core, on one thread, each operation one turn: admission at accept, bytes to {@link Session#onBytes}
 * (held while reads are paused, per client or room-wide, or held by the session for a later turn), the held input taken
 * up at each turn ({@link #resumeHeldInput}), end of stream, envelopes to every open session the route
 * includes but the sender, under the real {@link OutboundBudget} ({@code beforeQueue} before queueing,
 * {@code onBacklog} on what waits), goodbyes that shut output once read and close at their deadline, closes at the
 * end of the turn, the timed duties, the counters published once per turn. Nothing is written to a socket until the
 * client reads ({@link #read}): every queued line is a backlog.
 *
 * <p>Every line the server queues for a client is shown to an {@link Observer} at that moment, with the sender,
 * so an oracle can judge it against the state of the room when it was written. Every call into the core's entry
 * points ({@code onBytes}, {@code onEndOfStream}, {@code start}, {@code runTimedDuties}) goes through the
 * {@link Barrier}, which decides what an exception means (the real engines' fault barrier closes the connection).
 *
 * <p>Owned by one thread; not thread-safe.
 */
final class FuzzEngine extends Dispatcher implements RelayEngine {
    /** {@code -Dsummoner.fuzz.trace=true}: every line queued for a client, on stderr. */
    private static final boolean TRACE = Boolean.getBoolean("summoner.fuzz.trace");

    /** How a line reached a client. */
    enum Kind {
        /** A line of the server's own ({@link SessionOutput#send}): a notice or the challenge. */
        NOTICE,
        /** The last line before output is shut ({@link SessionOutput#goodbye}). */
        GOODBYE,
        /** A relayed envelope from a local sender. */
        ENVELOPE,
        /** A relayed envelope from another node of the cluster ({@link RelayEngine#relayFromCluster}). */
        CLUSTER_ENVELOPE,
        /** The acceptor's refusal of a connection it did not admit; the connection never had a session. */
        REFUSAL
    }

    /** Sees every line queued for a client, when it is queued. */
    interface Observer {
        /** @param sender the local sender of an {@link Kind#ENVELOPE}, else null. */
        void written(Connection to, Kind kind, byte[] line, Session sender);
    }

    /** Decides what an exception thrown by the core at one of its entry points means. */
    interface Barrier {
        /** @param session the connection concerned, or null for a timed duty of the whole dispatcher. */
        void fault(String entryPoint, Session session, Throwable error);
    }

    /** One client connection: what waits for it, what it sent that was not read yet, and how it ends. */
    final class Connection implements SessionOutput {
        final InetSocketAddress remote;
        Session session;
        /** Every line the server queued for this client, in order. */
        final List<byte[]> written = new ArrayList<>();
        private final ArrayDeque<byte[]> backlog = new ArrayDeque<>();
        private long backlogBytes;
        /** Chunks the client sent that were not read yet (reads paused); then, maybe, its end of stream. */
        private final ArrayDeque<byte[]> inbound = new ArrayDeque<>();
        private boolean endOfStream;
        /** The core said not to read it ({@link SessionOutput#reading}): its pause, or input its session holds. */
        boolean readsStopped;
        /** Complete lines fed to its session after it stopped being open, at most (the framer may have had part of one). */
        int linesFedAfterClose;
        boolean goodbyeSent;
        boolean outputShut;
        boolean closeScheduled;
        boolean closed;
        /** Refused at accept: never a session. */
        boolean refused;

        Connection(InetSocketAddress remote) {
            this.remote = remote;
        }

        @Override
        public void send(byte[] line) {
            if (!closeScheduled) {
                queue(line, Kind.NOTICE, null);
            }
        }

        @Override
        public void goodbye(byte[] line) {
            if (closeScheduled) {
                return;
            }
            goodbyeSent = true;
            queue(line, Kind.GOODBYE, null);
            shutOutputIfWritten();
        }

        @Override
        public void close() {
            closeScheduled = true;
        }

        @Override
        public void reading(boolean read) {
            readsStopped = !read;
        }

        @Override
        public long backlogBytes() {
            return backlogBytes;
        }

        int backlogMessages() {
            return backlog.size();
        }

        /** Under the budget, as a selector loop's {@code admit} then {@code queuedWhileBlocked}: nothing is written yet. */
        private boolean queue(byte[] line, Kind kind, Session sender) {
            final OutboundBudget budget = core().budget();
            if (!budget.mayQueue(session, backlog.size(), backlogBytes, line.length, 1, now())) {
                return false;
            }
            final byte[] copy = Arrays.copyOf(line, line.length);
            backlog.add(copy);
            backlogBytes += copy.length;
            written.add(copy);
            if (TRACE) {
                System.err.println("[trace] " + remote + " is written " + kind + ": " + LinePathOracle.shown(copy) + " (" + session.state() + ")");
            }
            observer.written(this, kind, copy, sender);
            judge();
            return true;
        }

        private void judge() {
            if (session.isOpen()) {
                core().budget().judge(session, backlog.size(), backlogBytes, now());
            }
        }

        private void shutOutputIfWritten() {
            if (backlog.isEmpty() && session.state() == Session.State.DRAINING && !outputShut) {
                outputShut = true;
                session.outputShut();
            }
        }

        private boolean readable() {
            final boolean open = session.isOpen();
            final boolean roomPaused = core().readPause().untilNanos() - now() > 0;
            return !closeScheduled && !(open && roomPaused) && !readsStopped;
        }
    }

    private final Observer observer;
    private final Barrier barrier;
    private final List<Connection> connections = new ArrayList<>();

    FuzzEngine(RelayCore core, Observer observer, Barrier barrier) {
        super(core);
        this.observer = observer;
        this.barrier = barrier;
    }

    /** @return every connection accepted so far, refused ones included, in order. */
    List<Connection> connections() {
        return connections;
    }

    static Connection connection(Session session) {
        return (Connection) session.output();
    }

    // ---- the client's side ----

    /**
     * A client connects: admitted (then a session, started) or told why not by the acceptor. {@code introduce} learns
     * of the connection before anything is written to it.
     */
    Connection accept(InetSocketAddress remote, java.util.function.Consumer<Connection> introduce) {
        final Connection connection = new Connection(remote);
        connections.add(connection);
        introduce.accept(connection);
        final AdmissionControl.Rejection refusal = core().policy().admission().admit(remote.getAddress(), now());
        if (refusal != null) {
            connection.refused = true;
            connection.closed = true;
            final byte[] line = refusal.line();
            connection.written.add(line);
            observer.written(connection, Kind.REFUSAL, line, null);
            return connection;
        }
        connection.session = open(remote, connection);
        enter("Session.start", connection.session, connection.session::start);
        turnEnds();
        return connection;
    }

    /** The client sent {@code chunk}: read at once unless reads are paused. */
    void clientSends(Connection connection, byte[] chunk) {
        if (connection.refused || connection.closed || connection.endOfStream) {
            return;
        }
        connection.inbound.add(chunk);
        readWhatWaits(connection);
        turnEnds();
    }

    /** The client closed its side (a FIN): read after what it sent before. */
    void clientCloses(Connection connection) {
        if (connection.refused || connection.closed || connection.endOfStream) {
            return;
        }
        connection.endOfStream = true;
        readWhatWaits(connection);
        turnEnds();
    }

    /** The connection broke (a reset): closed, what the client sent and was not read is lost. */
    void clientResets(Connection connection) {
        if (connection.refused || connection.closed) {
            return;
        }
        connection.inbound.clear();
        connection.session.close();
        turnEnds();
    }

    /** The client reads up to {@code messages} lines of what waits for it; a goodbye read to the end shuts output. */
    void read(Connection connection, int messages) {
        if (connection.refused || connection.closed) {
            return;
        }
        for (int i = 0; i < messages && !connection.backlog.isEmpty(); i++) {
            connection.backlogBytes -= connection.backlog.poll().length;
        }
        if (connection.session.isOpen()) {
            connection.judge(); // what is left is judged, also when it fell: the budget counts who is behind
        }
        connection.shutOutputIfWritten();
        turnEnds();
    }

    /** Time passes: the clock moves, then a turn runs what is due. */
    void advance(long nanos) {
        setClock(now() + nanos);
        turnEnds();
    }

    /** Server shutdown: every client is told, and closed by the deadline. */
    void shutDown() {
        sayGoodbyeToAll(now() + LINGER_NANOS);
        turnEnds();
    }

    // ---- the turn ----

    private void readWhatWaits(Connection connection) {
        while (!connection.closed && connection.readable()) {
            final byte[] chunk = connection.inbound.poll();
            if (chunk != null) {
                if (!connection.session.isOpen()) {
                    for (byte b : chunk) {
                        connection.linesFedAfterClose += b == '\n' ? 1 : 0;
                    }
                }
                enter("Session.onBytes", connection.session, () -> connection.session.onBytes(chunk, 0, chunk.length));
            } else if (connection.endOfStream) {
                enter("Session.onEndOfStream", connection.session, connection.session::onEndOfStream);
                connection.session.close();
                connection.inbound.clear();
                return;
            } else {
                return;
            }
        }
    }

    /** The end of a turn, as a selector loop's housekeeping: the core's timed duties (pauses and goodbyes that ended among them), reads, closes, counts. */
    private void turnEnds() {
        nextTurn(); // a turn as a selector loop's: each connection's verification budget renewed, held input taken up
        enter("Dispatcher.resumeHeldInput", null, this::resumeHeldInput);
        enter("Dispatcher.runTimedDuties", null, this::runTimedDuties);
        for (int i = 0; i < connections.size(); i++) {
            final Connection connection = connections.get(i);
            if (connection.closed) {
                continue;
            }
            if (!connection.inbound.isEmpty() || connection.endOfStream) {
                readWhatWaits(connection); // paused reads resume; a closing session is read to see its client close
            }
        }
        for (int i = 0; i < connections.size(); i++) {
            final Connection connection = connections.get(i);
            if (connection.closeScheduled && !connection.closed) {
                connection.closed = true;
                if (!connection.backlog.isEmpty()) {
                    core().counters().deliveriesDropped(connection.backlog.size());
                    connection.backlog.clear();
                    connection.backlogBytes = 0;
                }
                connection.session.closed();
            }
        }
        turnCounts().publish();
    }

    private void enter(String entryPoint, Session session, Runnable call) {
        try {
            call.run();
        } catch (Throwable error) {
            barrier.fault(entryPoint, session, error);
        }
    }

    // ---- envelopes ----

    @Override
    protected void wake() {
        // lines back from a verification pool are taken up at the next turn the fuzzer runs
    }

    @Override
    protected void dispatch(Session sender, byte[] envelope, int length, Route route) {
        deliver(sender, Arrays.copyOf(envelope, length), route, Kind.ENVELOPE);
    }

    /** A line from another node: to every session the route includes; it has no local sender. */
    @Override
    public void relayFromCluster(byte[] envelope, int offset, int length, Route route) {
        deliver(null, Arrays.copyOfRange(envelope, offset, offset + length), route, Kind.CLUSTER_ENVELOPE);
        turnCounts().publish();
    }

    private void deliver(Session sender, byte[] envelope, Route route, Kind kind) {
        for (int i = 0, n = sessionCount(); i < n; i++) {
            final Session recipient = session(i);
            if (recipient != sender && route.includes(recipient)) {
                final Connection connection = connection(recipient);
                // As every engine does (SelectorConnection.acceptsDeliveries, NettyLoop): only an open session receives.
                if (!connection.closeScheduled && recipient.isOpen() && connection.queue(envelope, kind, sender)) {
                    delivered(recipient, 1);
                }
            }
        }
    }

    // ---- RelayEngine, for the cluster's intake ----

    @Override
    public void start() {
    }

    @Override
    public void stopAccepting() {
        // it never listens
    }

    @Override
    public InetSocketAddress boundAddress() {
        throw new IllegalStateException("the fuzz engine listens on no socket");
    }

    @Override
    public void close() {
    }
}
