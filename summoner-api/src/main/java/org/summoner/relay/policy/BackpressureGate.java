package org.summoner.relay.policy;

import org.summoner.relay.config.BackpressurePolicy;

import java.util.concurrent.TimeUnit;

/**
 * {@code backpressure_policy}: what to do about a recipient with {@code backlog} messages waiting to be written
 * to it. The caller judges the backlog only where it is real, after a write attempt or when queueing to a
 * recipient whose socket is already full, never in the middle of a batch it is about to flush; so a healthy
 * reader, however many there are, never trips a gate.
 *
 * <ul>
 *   <li>backlog &ge; {@code disconnect_threshold} (when {@code enable_disconnect}): close that recipient and
 *       quarantine its address;</li>
 *   <li>else &ge; {@code flow_control_threshold} (when {@code enable_flow_control}): pause reading from clients
 *       for {@code flow_control_delay_ms};</li>
 *   <li>else &ge; {@code throttle_threshold} (when {@code enable_throttle}): pause reading for
 *       {@code throttle_delay_ms}.</li>
 * </ul>
 * In broadcast every sender feeds every recipient, so a pause applies to reading from every client. Its harm is
 * bounded: the recipient is closed once {@code disconnect_threshold} messages wait for it.
 *
 * <p>Immutable and thread-safe.
 */
public final class BackpressureGate {
    /** What the caller must do; the pause actions carry their pause in {@link #pauseNanos}. */
    public enum Action {
        NONE, THROTTLE, FLOW_CONTROL, DISCONNECT
    }

    private final int throttleThreshold;
    private final int flowControlThreshold;
    private final int disconnectThreshold;
    private final long throttleNanos;
    private final long flowControlNanos;

    public BackpressureGate(BackpressurePolicy policy, long throttleDelayMs, long flowControlDelayMs) {
        this.throttleThreshold = policy.enableThrottle() && throttleDelayMs > 0 ? policy.throttleThreshold() : Integer.MAX_VALUE;
        this.flowControlThreshold = policy.enableFlowControl() && flowControlDelayMs > 0 ? policy.flowControlThreshold() : Integer.MAX_VALUE;
        this.disconnectThreshold = policy.enableDisconnect() ? policy.disconnectThreshold() : Integer.MAX_VALUE;
        this.throttleNanos = TimeUnit.MILLISECONDS.toNanos(throttleDelayMs);
        this.flowControlNanos = TimeUnit.MILLISECONDS.toNanos(flowControlDelayMs);
    }

    public Action assess(int backlog) {
        if (backlog >= disconnectThreshold) {
            return Action.DISCONNECT;
        }
        if (backlog >= flowControlThreshold) {
            return Action.FLOW_CONTROL;
        }
        if (backlog >= throttleThreshold) {
            return Action.THROTTLE;
        }
        return Action.NONE;
    }

    /** @return how long reading pauses for {@link Action#THROTTLE} or {@link Action#FLOW_CONTROL}; 0 otherwise. */
    public long pauseNanos(Action action) {
        return switch (action) {
            case THROTTLE -> throttleNanos;
            case FLOW_CONTROL -> flowControlNanos;
            default -> 0;
        };
    }

    /** @return the smallest backlog that triggers any action: below it, nothing needs judging. */
    public int lowestThreshold() {
        return Math.min(throttleThreshold, Math.min(flowControlThreshold, disconnectThreshold));
    }
}
