package org.summoner.relay.netty;

import io.netty.channel.EventLoop;
import org.summoner.relay.core.Session;
import org.summoner.relay.policy.ReadPause;

import java.util.concurrent.TimeUnit;

/**
 * Whether each client of one {@link NettyLoop} is read (its channel's auto-read): not while the room's throttle or
 * flow control pauses everyone ({@link ReadPause}; it ends on a task scheduled on the loop at its deadline), not while
 * a peer loop is backed up with this loop's envelopes, and not while the core says not to read that client (its own
 * pause after invalid attempts, input its session holds: {@code SessionOutput.reading}).
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

    /** The core says whether this client is read (its own pause, input its session holds). */
    void reading(NettyConnection connection, boolean read) {
        connection.readsStopped = !read;
        connection.channel.config().setAutoRead(mayRead(connection));
    }

    /** @return whether a client is read: the loop reads and the core does not hold it back. */
    private boolean mayRead(NettyConnection connection) {
        return reading() && !connection.readsStopped;
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
