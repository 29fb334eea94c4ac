package org.summoner.relay.spi;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.summoner.relay.policy.AdmissionControl;
import org.summoner.relay.policy.BackpressureGate;
import org.summoner.relay.policy.FairUsePolicy;
import org.summoner.relay.policy.ReadPause;

import java.net.InetAddress;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What every engine does with a recipient's real backlog, in one place, under the isolation rule (SPEC section 4):
 * <ul>
 *   <li>the circuit breaker follows the client: at {@code disconnect_threshold} (or {@code max_queued_bytes},
 *       which the engine checks as it queues) that recipient is a slow consumer: counted, its address quarantined
 *       unless it is in {@code peer_trust.trusted_networks} (counted), one WARN line; closing it is the engine's
 *       part;</li>
 *   <li>throttle and flow control follow the room: a pause of reading is requested on the engine's
 *       {@link ReadPause} (and counted when it starts) only while more than half of the connected recipients have
 *       a backlog at or above the threshold, so one stalled or hostile reader never slows anyone.</li>
 * </ul>
 * The room is counted as it changes: each recipient's gate level (none, throttle, flow control) is remembered in
 * its {@link Recipient}, and the number of recipients at each level is updated only when one moves, O(1) per change.
 *
 * <p>Thread-safe: one per engine, shared by its threads; each {@link Recipient} is owned by its connection's thread.
 */
public final class BacklogJudge {
    private static final Logger log = LoggerFactory.getLogger(BacklogJudge.class);
    private static final int NONE = 0;
    private static final int THROTTLE = 1;
    private static final int FLOW_CONTROL = 2;

    /** One connection's standing: who it is and the gate level of its last judged backlog. */
    public static final class Recipient {
        private final InetAddress address;
        private final String remoteAddr;
        private int level = NONE;
        private boolean left;

        private Recipient(InetAddress address, String remoteAddr) {
            this.address = address;
            this.remoteAddr = remoteAddr;
        }
    }

    private final AdmissionControl admission;
    private final BackpressureGate gate;
    private final ReadPause pause;
    private final RelayCounters counters;
    private final int lowestThreshold;
    private final AtomicInteger members = new AtomicInteger();
    /** Recipients whose backlog was last judged at or above the throttle threshold (flow control included). */
    private final AtomicInteger atThrottle = new AtomicInteger();
    /** Recipients whose backlog was last judged at or above the flow-control threshold. */
    private final AtomicInteger atFlowControl = new AtomicInteger();

    public BacklogJudge(EngineContext context, ReadPause pause) {
        final FairUsePolicy policy = context.policy();
        this.admission = policy.admission();
        this.gate = policy.backpressure();
        this.pause = pause;
        this.counters = context.counters();
        this.lowestThreshold = gate.lowestThreshold();
    }

    /** A connection is registered: it counts in the room from now on, until {@link #leave}. */
    public Recipient join(InetAddress address, String remoteAddr) {
        members.incrementAndGet();
        return new Recipient(address, remoteAddr);
    }

    /** The connection closed; idempotent. */
    public void leave(Recipient recipient) {
        if (!recipient.left) {
            move(recipient, NONE);
            recipient.left = true;
            members.decrementAndGet();
        }
    }

    /** @return the smallest backlog {@link #judge} acts on. */
    public int lowestThreshold() {
        return lowestThreshold;
    }

    /**
     * @return whether {@link #judge} may act on this backlog or must record that it fell: cheap enough for every
     *         write. Below it, the engine need not call.
     */
    public boolean mustJudge(Recipient recipient, long backlog) {
        return backlog >= lowestThreshold || recipient.level != NONE;
    }

    /**
     * Judges {@code backlog} messages ({@code backlogBytes} bytes) waiting for one recipient, where the backlog is
     * real (after a write attempt, or queueing to a full socket).
     *
     * @return true when the recipient must be closed now: it was counted, quarantined and logged as a slow consumer.
     */
    public boolean judge(Recipient recipient, long backlog, long backlogBytes, long nowNanos) {
        final BackpressureGate.Action action = gate.assess((int) Math.min(Integer.MAX_VALUE, backlog));
        switch (action) {
            case DISCONNECT -> {
                slowConsumer(recipient, "disconnect_threshold", backlog, backlogBytes, nowNanos);
                return true;
            }
            case THROTTLE, FLOW_CONTROL -> {
                move(recipient, action == BackpressureGate.Action.THROTTLE ? THROTTLE : FLOW_CONTROL);
                pauseIfTheRoomIsBehind(recipient, backlog, nowNanos);
                return false;
            }
            default -> {
                move(recipient, NONE);
                return false;
            }
        }
    }

    /** A recipient that cannot keep up, at {@code limit}: counted, quarantined unless trusted, logged. The caller closes it. */
    public void slowConsumer(Recipient recipient, String limit, long messages, long bytes, long nowNanos) {
        move(recipient, NONE);
        counters.slowConsumerDisconnected();
        final AdmissionControl.Quarantine quarantine = admission.quarantine(recipient.address, nowNanos);
        if (quarantine == AdmissionControl.Quarantine.QUARANTINED) {
            counters.quarantined();
        }
        log.warn("{} closed as a slow consumer ({}): {} messages ({} bytes) were waiting to be written{}",
                recipient.remoteAddr, limit, messages, bytes, switch (quarantine) {
                    case QUARANTINED -> "; its address is quarantined";
                    case TRUSTED -> "; its address is trusted (peer_trust.trusted_networks), not quarantined";
                    case NOT_QUARANTINED -> "";
                });
    }

    /** @return recipients counted in the room now. */
    public int members() {
        return members.get();
    }

    /**
     * Throttle and flow control follow the room: reading pauses only while more than half of the recipients are
     * behind, at the firmer pause when more than half are past the flow-control threshold.
     */
    private void pauseIfTheRoomIsBehind(Recipient recipient, long backlog, long nowNanos) {
        final int room = members.get();
        final BackpressureGate.Action action;
        if (2 * atFlowControl.get() > room) {
            action = BackpressureGate.Action.FLOW_CONTROL;
        } else if (2 * atThrottle.get() > room) {
            action = BackpressureGate.Action.THROTTLE;
        } else {
            return;
        }
        if (pause.request(nowNanos, gate.pauseNanos(action))) {
            if (action == BackpressureGate.Action.THROTTLE) {
                counters.throttled();
            } else {
                counters.flowControlled();
            }
            log.debug("reading paused ({}): {} of {} clients are behind; {} has {} messages waiting", action,
                    action == BackpressureGate.Action.THROTTLE ? atThrottle.get() : atFlowControl.get(), room,
                    recipient.remoteAddr, backlog);
        }
    }

    private void move(Recipient recipient, int level) {
        final int from = recipient.level;
        if (from == level || recipient.left) {
            return;
        }
        recipient.level = level;
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
