package org.summoner.relay.core;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.summoner.relay.counters.LogThrottle;
import org.summoner.relay.counters.RelayCounters;
import org.summoner.relay.policy.AdmissionControl;
import org.summoner.relay.policy.BackpressureGate;
import org.summoner.relay.policy.ReadPause;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * What waits for a recipient, and what it means, under the isolation rule (SPEC section 4), in one place for every
 * engine. Engines ask before they queue ({@link #mayQueue}), report a recipient's backlog where it is real (after a
 * write attempt, or when queueing to a socket that was already full: {@link #judge}) and count what a close leaves
 * behind ({@link #droppedAtClose}); the budget closes slow consumers itself:
 * <ul>
 *   <li>the circuit breaker follows the client: past {@code max_queued_bytes} ({@link #beforeQueue}) or at
 *       {@code disconnect_threshold} ({@link #onBacklog}) that recipient is a slow consumer: counted, its address
 *       quarantined unless it is in {@code peer_trust.trusted_networks}, one WARN line, and the verdict
 *       {@link Verdict#CLOSE};</li>
 *   <li>throttle and flow control follow the room: a pause of reading is requested on the server's
 *       {@link ReadPause} (and counted when it starts) only while more than half of the connected sessions have a
 *       backlog at or above the threshold.</li>
 * </ul>
 * Each session's gate level (none, throttle, flow control) is remembered in the session, and the number of sessions
 * at each level is updated only when one moves: O(1) per change, never a scan.
 *
 * <p>Thread-safe: one per server; a session's own state is touched only on its thread.
 */
public final class OutboundBudget {
    private static final Logger log = LoggerFactory.getLogger(OutboundBudget.class);
    static final int NONE = 0;
    static final int THROTTLE = 1;
    static final int FLOW_CONTROL = 2;

    /** What becomes of the recipient. */
    enum Verdict {
        KEEP,
        /** A slow consumer, already counted, quarantined and logged: close it now. */
        CLOSE
    }

    private final LogThrottle slowConsumerLog = new LogThrottle();
    /** Whose policy holds the gate and the quarantine: read once per judgement, so a reload applies at the next. */
    private final RelayCore core;
    private final ReadPause pause;
    private final RelayCounters counters;
    private final long maxQueuedBytes;
    private final AtomicInteger members = new AtomicInteger();
    /** Sessions whose backlog was last judged at or above the throttle threshold (flow control included). */
    private final AtomicInteger atThrottle = new AtomicInteger();
    /** Sessions whose backlog was last judged at or above the flow-control threshold. */
    private final AtomicInteger atFlowControl = new AtomicInteger();

    OutboundBudget(RelayCore core, ReadPause pause, RelayCounters counters, long maxQueuedBytes) {
        this.core = core;
        this.pause = pause;
        this.counters = counters;
        this.maxQueuedBytes = maxQueuedBytes;
    }

    void join(Session session) {
        members.incrementAndGet();
    }

    void leave(Session session) {
        move(session, NONE);
        members.decrementAndGet();
    }

    /**
     * Before {@code moreBytes} ({@code moreMessages} envelopes or lines) are queued for a recipient that already has
     * {@code queuedBytes} waiting ({@code queuedMessages} messages): past {@code max_queued_bytes} it is a slow
     * consumer, whatever the policy: closed, and these messages counted as dropped deliveries.
     *
     * @return whether they may be queued.
     */
    public boolean mayQueue(Session recipient, long queuedMessages, long queuedBytes, long moreBytes, int moreMessages, long nowNanos) {
        if (beforeQueue(recipient, queuedMessages, queuedBytes, moreBytes, nowNanos) == Verdict.KEEP) {
            return true;
        }
        counters.deliveriesDropped(moreMessages);
        recipient.close();
        return false;
    }

    /**
     * Judges {@code backlog} messages ({@code backlogBytes} bytes) really waiting for one recipient: a slow consumer is
     * closed; throttle and flow control follow the room. Cheap when nothing is at stake: call it after every write.
     */
    public void judge(Session recipient, long backlog, long backlogBytes, long nowNanos) {
        if (worthJudging(recipient, backlog) && onBacklog(recipient, backlog, backlogBytes, nowNanos) == Verdict.CLOSE) {
            recipient.close();
        }
    }

    /** A connection closed with {@code messages} envelopes or lines still waiting for it: dropped deliveries. */
    public void droppedAtClose(long messages) {
        if (messages > 0) {
            counters.deliveriesDropped(messages);
        }
    }

    /**
     * Before {@code moreBytes} are queued for a recipient that already has {@code queuedBytes} waiting
     * ({@code queuedMessages} messages): past {@code max_queued_bytes} it is a slow consumer, whatever the policy.
     */
    Verdict beforeQueue(Session recipient, long queuedMessages, long queuedBytes, long moreBytes, long nowNanos) {
        if (queuedBytes > 0 && queuedBytes + moreBytes > maxQueuedBytes) {
            slowConsumer(recipient, "max_queued_bytes", queuedMessages, queuedBytes, nowNanos);
            return Verdict.CLOSE;
        }
        return Verdict.KEEP;
    }

    /**
     * @return whether {@link #onBacklog} may act on this backlog or must record that it fell; below it the engine
     *         need not call. Cheap enough for every write.
     */
    boolean worthJudging(Session recipient, long backlog) {
        return recipient.budgetLevel != NONE || backlog >= core.policy().backpressure().lowestThreshold();
    }

    /** Judges {@code backlog} messages ({@code backlogBytes} bytes) really waiting for one recipient. */
    Verdict onBacklog(Session recipient, long backlog, long backlogBytes, long nowNanos) {
        final BackpressureGate.Action action = core.policy().backpressure().assess((int) Math.min(Integer.MAX_VALUE, backlog));
        switch (action) {
            case DISCONNECT -> {
                slowConsumer(recipient, "disconnect_threshold", backlog, backlogBytes, nowNanos);
                return Verdict.CLOSE;
            }
            case THROTTLE, FLOW_CONTROL -> {
                move(recipient, action == BackpressureGate.Action.THROTTLE ? THROTTLE : FLOW_CONTROL);
                pauseIfTheRoomIsBehind(recipient, backlog, nowNanos);
                return Verdict.KEEP;
            }
            default -> {
                move(recipient, NONE);
                return Verdict.KEEP;
            }
        }
    }

    /** @return sessions counted in the room now. */
    public int members() {
        return members.get();
    }

    private void slowConsumer(Session recipient, String limit, long messages, long bytes, long nowNanos) {
        move(recipient, NONE);
        counters.slowConsumerDisconnected();
        final AdmissionControl.Quarantine quarantine = core.policy().admission().quarantine(recipient.address(), nowNanos);
        if (quarantine == AdmissionControl.Quarantine.QUARANTINED) {
            counters.quarantined();
        }
        final long quiet = slowConsumerLog.tryLog(nowNanos);
        if (quiet >= 0) { // a client can make itself a slow consumer at will: counted always, logged every 10 s at most
            log.warn("{} closed as a slow consumer ({}): {} messages ({} bytes) were waiting to be written{}{}",
                    recipient.remoteAddr(), limit, messages, bytes, switch (quarantine) {
                        case QUARANTINED -> "; its address is quarantined";
                        case TRUSTED -> "; its address is trusted (peer_trust.trusted_networks), not quarantined";
                        case NOT_QUARANTINED -> "";
                    }, slowConsumerLog.since(quiet));
        }
    }

    /**
     * Throttle and flow control follow the room: reading pauses only while more than half of the sessions are
     * behind, at the firmer pause when more than half are past the flow-control threshold.
     */
    private void pauseIfTheRoomIsBehind(Session recipient, long backlog, long nowNanos) {
        final int room = members.get();
        final BackpressureGate.Action action;
        if (2 * atFlowControl.get() > room) {
            action = BackpressureGate.Action.FLOW_CONTROL;
        } else if (2 * atThrottle.get() > room) {
            action = BackpressureGate.Action.THROTTLE;
        } else {
            return;
        }
        if (pause.request(nowNanos, core.policy().backpressure().pauseNanos(action))) {
            if (action == BackpressureGate.Action.THROTTLE) {
                counters.throttled();
            } else {
                counters.flowControlled();
            }
            log.debug("reading paused ({}): {} of {} clients are behind; {} has {} messages waiting", action,
                    action == BackpressureGate.Action.THROTTLE ? atThrottle.get() : atFlowControl.get(), room,
                    recipient.remoteAddr(), backlog);
        }
    }

    private void move(Session session, int level) {
        final int from = session.budgetLevel;
        if (from == level) {
            return;
        }
        session.budgetLevel = level;
        if (from == NONE) {
            atThrottle.incrementAndGet();
        } else if (level == NONE) {
            atThrottle.decrementAndGet();
        }
        if (level == FLOW_CONTROL) {
            atFlowControl.incrementAndGet();
        } else if (from == FLOW_CONTROL) {
            atFlowControl.decrementAndGet();
        }
    }
}
