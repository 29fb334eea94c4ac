package org.summoner.relay.spi;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.summoner.relay.policy.BackpressureGate;
import org.summoner.relay.policy.FairUsePolicy;
import org.summoner.relay.policy.ReadPause;

import java.net.InetAddress;

/**
 * What every engine does with a recipient's real backlog, in one place: the {@link BackpressureGate} decides; a
 * throttle or flow-control pause is requested on the engine's {@link ReadPause} and counted when it starts; a
 * recipient past {@code disconnect_threshold} (or {@code max_queued_bytes}, which the engine checks) is a slow
 * consumer: counted, its address quarantined (counted), one WARN line. Closing it is the engine's part.
 *
 * <p>Thread-safe: one per engine, shared by its threads.
 */
public final class BacklogJudge {
    private static final Logger log = LoggerFactory.getLogger(BacklogJudge.class);

    private final FairUsePolicy policy;
    private final BackpressureGate gate;
    private final ReadPause pause;
    private final RelayCounters counters;

    public BacklogJudge(EngineContext context, ReadPause pause) {
        this.policy = context.policy();
        this.gate = policy.backpressure();
        this.pause = pause;
        this.counters = context.counters();
    }

    /** @return the smallest backlog worth judging: below it, {@link #judge} never acts. */
    public int lowestThreshold() {
        return gate.lowestThreshold();
    }

    /**
     * Judges {@code backlog} messages ({@code backlogBytes} bytes) waiting for one recipient.
     *
     * @return true when the recipient must be closed now: it was counted, quarantined and logged as a slow consumer.
     */
    public boolean judge(long backlog, long backlogBytes, InetAddress address, String remoteAddr, long nowNanos) {
        final BackpressureGate.Action action = gate.assess((int) Math.min(Integer.MAX_VALUE, backlog));
        switch (action) {
            case DISCONNECT -> {
                slowConsumer(address, remoteAddr, "disconnect_threshold", backlog, backlogBytes, nowNanos);
                return true;
            }
            case THROTTLE, FLOW_CONTROL -> {
                if (pause.request(nowNanos, gate.pauseNanos(action))) {
                    if (action == BackpressureGate.Action.THROTTLE) {
                        counters.throttled();
                    } else {
                        counters.flowControlled();
                    }
                    log.debug("reading paused ({}): {} has {} messages waiting", action, remoteAddr, backlog);
                }
                return false;
            }
            default -> {
                return false;
            }
        }
    }

    /** A recipient that cannot keep up, at {@code limit}: counted, quarantined, logged. The caller closes it. */
    public void slowConsumer(InetAddress address, String remoteAddr, String limit, long messages, long bytes, long nowNanos) {
        counters.slowConsumerDisconnected();
        final boolean quarantined = policy.admission().quarantine(address, nowNanos);
        if (quarantined) {
            counters.quarantined();
        }
        log.warn("{} closed as a slow consumer ({}): {} messages ({} bytes) were waiting to be written{}",
                remoteAddr, limit, messages, bytes, quarantined ? "; its address is quarantined" : "");
    }
}
