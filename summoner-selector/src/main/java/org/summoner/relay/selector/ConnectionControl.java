package org.summoner.relay.selector;

import org.summoner.relay.core.OutboundBudget;
import org.summoner.relay.core.Session;

import java.io.IOException;
import java.nio.channels.SelectionKey;
import java.util.ArrayList;

/**
 * What a {@link SelectorLoop} does to its connections besides reading and writing them: interest in reads and writes
 * that follows each one's state (paused for everyone, not read as the core says for one client, output waiting), the
 * {@link OutboundBudget} applied to what waits for each (checked before a line is queued, judged where the socket is
 * full), and the ends of connections: a goodbye (the last line, then a
 * FIN; the core closes the session at its deadline), and closes scheduled during a turn and done at its end, never
 * while the loop walks its sessions. At a
 * close, what waited for the client is dropped and counted ({@link OutboundBudget#droppedAtClose}).
 *
 * <p>Owned by its loop's thread.
 */
final class ConnectionControl {
    private final SelectorLoop<?> loop;
    private final OutboundBudget budget;
    private final ArrayList<SelectorConnection> closing = new ArrayList<>();
    private boolean readsPaused;

    ConnectionControl(SelectorLoop<?> loop, OutboundBudget budget) {
        this.loop = loop;
        this.budget = budget;
    }

    // ---- interest and reads ----

    /** Stops or resumes reading from every open session (throttle, flow control, a full hand-off). */
    void pauseReads(boolean pause) {
        if (pause == readsPaused) {
            return;
        }
        readsPaused = pause;
        for (int i = 0; i < loop.sessionCount(); i++) {
            updateInterest((SelectorConnection) loop.session(i).output());
        }
    }

    boolean readsPaused() {
        return readsPaused;
    }

    /** {@link SelectorConnection#reading}: the core says whether this client is read (its pause, its held input). */
    void reading(SelectorConnection connection, boolean read) {
        final boolean stop = !read;
        if (connection.readsStopped != stop) {
            connection.readsStopped = stop;
            updateInterest(connection);
        }
    }

    /**
     * Interest in reads (unless paused, for everyone or for this client; a closing session is read to see its client
     * close) and in writes (if anything waits).
     */
    void updateInterest(SelectorConnection connection) {
        if (connection.closeScheduled || connection.closed) {
            return;
        }
        final boolean open = connection.session().isOpen();
        final boolean reads = !(readsPaused && open) && !connection.readsStopped;
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
    boolean admit(SelectorConnection connection, long bytes, int messages) {
        return budget.mayQueue(connection.session(), connection.queuedMessages(), connection.queuedBytes(), bytes, messages, loop.now());
    }

    /** Something was queued for a client whose socket is full: what waits is a real backlog, judged now. */
    void queuedWhileBlocked(SelectorConnection connection) {
        if (connection.blocked() && connection.session().isOpen()) {
            judge(connection);
        }
    }

    /**
     * After a write attempt: a goodbye that is written out shuts output down; interest follows what is left;
     * what is left is judged (also when it fell: the budget counts who is behind).
     */
    void afterWrite(SelectorConnection connection) {
        if (connection.closeScheduled) {
            return;
        }
        if (!hasOutput(connection) && connection.session().state() == Session.State.DRAINING) {
            shutOutput(connection);
        }
        updateInterest(connection);
        if (connection.session().isOpen()) {
            judge(connection);
        }
    }

    private void judge(SelectorConnection connection) {
        budget.judge(connection.session(), connection.queuedMessages(), connection.queuedBytes(), loop.now());
    }

    /** {@link SelectorConnection#send}: a line of the server's own, under the same bound as envelopes. */
    void sendLine(SelectorConnection connection, byte[] line) {
        if (!connection.closeScheduled && admit(connection, line.length, 1)) {
            connection.queueLine(line);
            queuedWhileBlocked(connection);
        }
    }

    // ---- goodbyes ----

    /** {@link SelectorConnection#goodbye}: the last line, then a FIN; the core closes it at the deadline. */
    void goodbye(SelectorConnection connection, byte[] line) {
        if (connection.closeScheduled) {
            return;
        }
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

    // ---- closes ----

    /** {@link SelectorConnection#close}: closed at the end of this turn. */
    void scheduleClose(SelectorConnection connection) {
        if (!connection.closeScheduled) {
            connection.closeScheduled = true;
            closing.add(connection);
        }
    }

    /** The end of a turn: the closes scheduled in it are done. */
    void closeScheduled() {
        for (int i = 0, n = closing.size(); i < n; i++) {
            closeNow(closing.get(i));
        }
        closing.clear();
    }

    /** Closes {@code connection} now: its key, its socket, what waited for it (counted), then its session. */
    void closeNow(SelectorConnection connection) {
        if (connection.closed) {
            return;
        }
        connection.closed = true;
        connection.closeScheduled = true;
        connection.key.cancel();
        SelectorLoop.closeQuietly(connection.channel);
        budget.droppedAtClose(connection.discardQueued());
        loop.closedConnection(connection);
        connection.session().closed();
    }

}
