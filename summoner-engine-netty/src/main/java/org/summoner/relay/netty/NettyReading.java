package org.summoner.relay.netty;

import io.netty.channel.EventLoop;
import org.summoner.relay.core.Session;
import org.summoner.relay.policy.ReadPause;

import java.util.concurrent.TimeUnit;

/**
 * Whether each client of one {@link NettyLoop} is read (its channel's auto-read): not while the room's throttle or
 * flow control pauses everyone ({@link ReadPause}), not while a peer loop is backed up with this loop's envelopes,
 * not during the client's own pause (after invalid attempts), and not while its session holds input for a later turn.
 * Each pause ends on a task scheduled on the loop at its deadline.
 *
 * <p>Owned by its loop's thread, but {@link #announcePause()}.
 */
final class NettyReading {
    private final NettyLoop owner;
    private final EventLoop loop;
    private final ReadPause pauses;
    private final Runnable pause = this::pause;
    private final Runnable resumeCheck = this::resumeCheck;
    private boolean paused;
    private boolean peersBackedUp;

    NettyReading(NettyLoop owner, EventLoop loop, ReadPause pauses) {
        this.owner = owner;
        this.loop = loop;
        this.pauses = pauses;
    }

    /** @return whether the loop reads: no throttle or flow-control pause is in force, and no peer loop is backed up. */
    boolean reading() {
        return !paused && !peersBackedUp;
    }

    /** @return whether reading is held back because a peer loop is backed up with this loop's envelopes. */
    boolean peersBackedUp() {
        return peersBackedUp;
    }

    /** A peer loop is backed up with this loop's envelopes ({@code true}), or every peer caught up. */
    void peersBackedUp(boolean backedUp) {
        if (peersBackedUp != backedUp) {
            peersBackedUp = backedUp;
            updateReading();
        }
    }

    /** A client's session holds input for a later turn, or has handled it: its reads stop, or go on. */
    void holdReads(NettyConnection connection, boolean hold) {
        connection.readsHeld = hold;
        connection.channel.config().setAutoRead(mayRead(connection));
    }

    /** @return whether a client is read: the loop reads, its own pause is over and its session holds no input. */
    private boolean mayRead(NettyConnection connection) {
        return reading() && connection.readsPausedUntilNanos == 0 && !connection.readsHeld;
    }

    /** One client's reads alone pause until the deadline (e.g. after invalid attempts). */
    void pauseReading(NettyConnection connection, long untilNanos) {
        final boolean wasPaused = connection.readsPausedUntilNanos != 0;
        connection.readsPausedUntilNanos = Math.max(connection.readsPausedUntilNanos, untilNanos);
        connection.channel.config().setAutoRead(false);
        if (!wasPaused) {
            loop.schedule(() -> resumeReading(connection), Math.max(0, untilNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
    }

    private void resumeReading(NettyConnection connection) {
        final long left = connection.readsPausedUntilNanos - System.nanoTime();
        if (left > 0) {
            loop.schedule(() -> resumeReading(connection), left, TimeUnit.NANOSECONDS);
            return;
        }
        connection.readsPausedUntilNanos = 0;
        if (connection.session.isOpen()) {
            connection.channel.config().setAutoRead(mayRead(connection));
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

    private void updateReading() {
        for (int i = 0; i < owner.sessionCount(); i++) {
            final Session session = owner.session(i);
            if (session.isOpen()) {
                final NettyConnection connection = (NettyConnection) session.output();
                connection.channel.config().setAutoRead(mayRead(connection));
            }
        }
    }
}
