package org.summoner.relay.core;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.summoner.relay.counters.LogThrottle;
import org.summoner.relay.spi.serial.Client;
import org.summoner.relay.spi.serial.Relay;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The {@link Relay} for an engine without loops (threads per connection): the core's dispatcher, the clients'
 * outbound queues, and a timer thread of its own for timed duties (idle sweep, handshake deadlines, goodbyes' linger,
 * input held for a later turn).
 *
 * <p>One lock serialises all of it: every call of a client is a turn of this dispatcher (its clock read once), and at
 * the end of each turn the sessions closed in it leave the core and their sockets are closed, never in the middle of a
 * walk over the sessions. Simple and correct on any number of threads; not the fastest engine (the selector engines
 * are): this is the contract an engine author starts from.
 *
 * <p>Thread-safe.
 */
public final class SerialCore extends Dispatcher implements Relay, FromOtherNodes {
    private static final Logger log = LoggerFactory.getLogger(SerialCore.class);
    private static final long MAX_TIMER_WAIT_NANOS = TimeUnit.SECONDS.toNanos(1);

    final ReentrantLock lock = new ReentrantLock();
    private final Condition timerWork = lock.newCondition();
    private final Condition allClosed = lock.newCondition();
    /** Clients closed in this turn: they leave the core at its end ({@link #endTurn()}). */
    private final ArrayList<SerialClient> ending = new ArrayList<>();
    private final Thread timer;
    /** Sockets of clients that left in this turn, closed once the lock is released. */
    private final ArrayList<Closeable> toClose = new ArrayList<>();
    private boolean running = true;
    private boolean shuttingDown;
    /** Work for the timer came since it last looked: it does not wait. */
    private boolean timerDue;
    private final LogThrottle cannotServe = new LogThrottle();

    /** @param timerName the name of the core's timer thread, e.g. {@code summoner-blocking-timer}. */
    public SerialCore(RelayCore core, String timerName) {
        super(core);
        core.onReload(() -> { // the timer applies a reload to the clients at its next turn: now
            lock.lock();
            try {
                wakeTimer();
            } finally {
                lock.unlock();
            }
        });
        this.timer = new Thread(this::runTimer, timerName);
        timer.setDaemon(true);
        timer.start();
    }

    @Override
    public SerialClient connect(InetSocketAddress remote, Closeable connection) {
        lock.lock();
        try {
            if (shuttingDown) {
                SerialClient.closeQuietly(connection);
                core().policy().admission().release(remote.getAddress());
                return null;
            }
            tick();
            final SerialClient client = new SerialClient(this, connection);
            client.session = open(remote, client);
            return client;
        } finally {
            endTurn();
        }
    }

    @Override
    public void couldNotServe(InetSocketAddress remote, Closeable connection, Client client, Throwable error) {
        if (cannotServe.tryLog(System.nanoTime()) >= 0) {
            log.warn("{} could not be served and was closed: {}", remote, error.toString());
        }
        if (client != null) {
            client.failed(error); // its session ends: the relay closes the connection and releases its admission
            return;
        }
        try {
            connection.close();
        } catch (IOException ignored) {
            // Closed either way.
        }
        core().policy().admission().release(remote.getAddress());
    }

    @Override
    public void relayFromCluster(byte[] envelope, int offset, int length, Route route) {
        lock.lock();
        try {
            tick();
            deliver(null, Arrays.copyOfRange(envelope, offset, offset + length), route);
        } finally {
            endTurn();
        }
    }

    @Override
    protected void dispatch(Session sender, byte[] envelope, int length, Route route) {
        deliver(sender, Arrays.copyOf(envelope, length), route);
    }

    /** One copy of the envelope, shared by every recipient's queue. */
    private void deliver(Session sender, byte[] envelope, Route route) {
        for (int i = 0; i < sessionCount(); i++) {
            final Session recipient = session(i);
            if (recipient != sender && recipient.isOpen() && route.includes(recipient)) {
                try {
                    if (((SerialClient) recipient.output()).queue(envelope)) {
                        delivered(recipient, 1);
                    }
                } catch (Throwable error) {
                    recipient.fault(Faults.Where.ENGINE, error); // that recipient alone
                }
            }
        }
    }

    @Override
    public void shutdown() {
        lock.lock();
        final long deadline;
        try {
            if (shuttingDown) {
                return;
            }
            shuttingDown = true;
            deadline = tick() + LINGER_NANOS;
            sayGoodbyeToAll(deadline);
        } finally {
            endTurn();
        }
        lock.lock();
        try {
            long left = deadline - System.nanoTime();
            while (sessionCount() > 0 && left > 0) {
                left = allClosed.awaitNanos(left);
            }
            tick();
            for (int i = sessionCount() - 1; i >= 0; i--) {
                session(i).close();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            running = false;
            wakeTimer();
            endTurn();
        }
        try {
            timer.join(TimeUnit.NANOSECONDS.toMillis(LINGER_NANOS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- turns ----

    /**
     * Ends a turn and releases the lock: the sessions closed in it leave the core (what waited for them counted as
     * dropped), the turn's counts are published, and then, outside the lock, their sockets are closed, so a thousand
     * clients leaving at once never hold the others' lines. Every entry point ends with it.
     */
    void endTurn() {
        Closeable[] closing = null;
        try {
            for (int i = 0; i < ending.size(); i++) {
                ending.get(i).release();
            }
            ending.clear();
            turnEnded();
            if (!toClose.isEmpty()) {
                closing = toClose.toArray(new Closeable[0]);
                toClose.clear();
            }
            if (shuttingDown && sessionCount() == 0) {
                allClosed.signalAll();
            }
        } finally {
            lock.unlock();
        }
        if (closing != null) {
            for (Closeable connection : closing) {
                SerialClient.closeQuietly(connection);
            }
        }
    }

    /** A client left the core: its socket is closed once the lock is released ({@link #endTurn()}). */
    void closeAfterTurn(Closeable connection) {
        toClose.add(connection);
    }

    void ending(SerialClient client) {
        ending.add(client);
    }

    /** From a verification thread: lines are back for the clients; the timer takes them up now. */
    @Override
    protected void wake() {
        lock.lock();
        try {
            wakeTimer();
        } finally {
            lock.unlock();
        }
    }

    @Override
    protected void inputHeld() {
        wakeTimer();
    }

    @Override
    protected void timedDutyAdded(long atNanos) {
        wakeTimer();
    }

    /** The timer has work that may come before what it waits for; the lock is held. */
    private void wakeTimer() {
        timerDue = true;
        timerWork.signal();
    }

    // ---- the timer thread ----

    private void runTimer() {
        while (true) {
            long wait;
            lock.lock();
            try {
                if (!running) {
                    return;
                }
                timerDue = false;
                tick();
                nextTurn(); // every client's verification budget is renewed
                resumeHeldInput();
                runTimedDuties(); // goodbyes out of time among them
                wait = holdsInput() ? 0 : nanosToTimedDuty(MAX_TIMER_WAIT_NANOS);
            } catch (Throwable error) {
                core().faults().threadDied(Thread.currentThread().getName(), error);
                return;
            } finally {
                endTurn(); // the sockets of sessions it closed are closed outside the lock
            }
            if (wait == 0) {
                Thread.yield(); // the readers' turns come between the timer's
                continue;
            }
            lock.lock();
            try {
                if (running && !timerDue) {
                    timerWork.awaitNanos(wait);
                }
            } catch (InterruptedException e) {
                return;
            } finally {
                lock.unlock();
            }
        }
    }
}
