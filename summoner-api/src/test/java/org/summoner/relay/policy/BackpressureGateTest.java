package org.summoner.relay.policy;

import org.junit.jupiter.api.Test;
import org.summoner.relay.config.BackpressurePolicy;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.summoner.relay.policy.BackpressureGate.Action.DISCONNECT;
import static org.summoner.relay.policy.BackpressureGate.Action.FLOW_CONTROL;
import static org.summoner.relay.policy.BackpressureGate.Action.NONE;
import static org.summoner.relay.policy.BackpressureGate.Action.THROTTLE;

class BackpressureGateTest {

    @Test
    void each_threshold_starts_its_action() {
        final BackpressureGate gate = new BackpressureGate(new BackpressurePolicy(true, 100, true, 300, true, 500), 200, 1000);
        assertEquals(NONE, gate.assess(99));
        assertEquals(THROTTLE, gate.assess(100));
        assertEquals(THROTTLE, gate.assess(299));
        assertEquals(FLOW_CONTROL, gate.assess(300));
        assertEquals(DISCONNECT, gate.assess(500));
        assertEquals(TimeUnit.MILLISECONDS.toNanos(200), gate.pauseNanos(THROTTLE));
        assertEquals(TimeUnit.MILLISECONDS.toNanos(1000), gate.pauseNanos(FLOW_CONTROL));
        assertEquals(0, gate.pauseNanos(DISCONNECT));
        assertEquals(100, gate.lowestThreshold());
    }

    @Test
    void a_disabled_stage_is_skipped() {
        final BackpressureGate noThrottle = new BackpressureGate(new BackpressurePolicy(false, 100, true, 300, true, 500), 200, 1000);
        assertEquals(NONE, noThrottle.assess(200));
        assertEquals(300, noThrottle.lowestThreshold());

        final BackpressureGate onlyThrottle = new BackpressureGate(new BackpressurePolicy(true, 100, false, 300, false, 500), 200, 1000);
        assertEquals(THROTTLE, onlyThrottle.assess(1_000_000));
    }

    @Test
    void a_zero_delay_disables_its_pause() {
        final BackpressureGate gate = new BackpressureGate(new BackpressurePolicy(true, 100, true, 300, true, 500), 0, 0);
        assertEquals(NONE, gate.assess(400));
        assertEquals(DISCONNECT, gate.assess(500));
    }
}
