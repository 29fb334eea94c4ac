package org.summoner.relay.core;

import org.junit.jupiter.api.Test;
import org.summoner.relay.config.ServerConfig;
import org.summoner.relay.counters.RelayCounters;
import org.summoner.relay.policy.FairUsePolicy;
import org.summoner.relay.routing.Routers;

import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code handshake.required} in the core: the deadlines a dispatcher keeps, the challenge, who receives. */
class HandshakeDeadlinesTest {
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    private static FakeEngine engine(Map<String, ?> handshake) {
        final Map<String, Object> parameters = new java.util.HashMap<>();
        parameters.put("handshake", handshake);
        parameters.put("client_timeout_secs", null); // no idle sweep: the handshake's are the only timed duties
        final ServerConfig config = ServerConfig.fromMap(Map.of("hyper_parameters", parameters));
        return new FakeEngine(new RelayCore(config, new RelayCounters(), FairUsePolicy.of(config), Routers::of));
    }

    private static Session started(FakeEngine engine, int port) {
        return engine.connect("127.0.0.1", port); // started: its deadline is set
    }

    @Test
    void deadlines_are_kept_in_order_and_a_bound_or_closed_session_leaves_them() {
        final FakeEngine engine = engine(Map.of("required", true, "timeout_secs", 2));
        engine.at(0);
        final Session bound = started(engine, 1);
        engine.at(SECOND);
        final Session gone = started(engine, 2);
        engine.at(SECOND + SECOND / 2);
        final Session late = started(engine, 3);
        assertEquals(2 * SECOND, engine.nextTimedDutyNanos());

        engine.at(SECOND + SECOND / 5);
        gone.closed();
        engine.at(2 * SECOND - 1);
        bound.identity().bind("AAAAAAAAAAAAAAAAAAAAAA");
        assertEquals(late.deadlineNanos, engine.nextTimedDutyNanos(), "only the late one is left");

        engine.at(2 * SECOND);
        engine.sweep();
        assertNull(FakeEngine.output(bound).goodbye);
        engine.at(3 * SECOND + SECOND / 2 - 1);
        engine.sweep();
        assertNull(FakeEngine.output(late).goodbye, "not a nanosecond early");
        engine.at(3 * SECOND + SECOND / 2);
        engine.sweep();
        assertEquals("Warning: Handshake not completed within 2 seconds; disconnecting.\n", FakeEngine.output(late).goodbye);
        assertEquals(Session.State.DRAINING, late.state());
        assertEquals(3 * SECOND + SECOND / 2 + Dispatcher.LINGER_NANOS, engine.nextTimedDutyNanos(), "its goodbye's deadline");
        engine.at(3 * SECOND + SECOND / 2 + Dispatcher.LINGER_NANOS);
        engine.sweep();
        assertTrue(FakeEngine.output(late).closed, "its client did not close: the core closed it");
        assertEquals(Long.MAX_VALUE, engine.nextTimedDutyNanos(), "nothing left to time");
        assertEquals(1, engine.core().counters().handshakeTimeouts());
        assertEquals(1, engine.core().counters().handshakesCompleted());
    }

    @Test
    void the_first_line_is_a_fresh_challenge_and_an_unbound_session_receives_nothing() {
        final FakeEngine engine = engine(Map.of("required", true));
        final Session a = started(engine, 1);
        final Session b = started(engine, 2);
        assertEquals(1, FakeEngine.output(a).sent.size());
        assertEquals("{\"handshake\":\"challenge\",\"nonce\":\"" + a.identity().challenge() + "\"}\n", FakeEngine.output(a).sent.get(0));
        assertTrue(a.identity().challenge().matches("[A-Za-z0-9_-]{43}"), a.identity().challenge());
        assertNotEquals(a.identity().challenge(), b.identity().challenge());
        assertFalse(a.isReceiving());
        assertFalse(Route.BROADCAST.includes(a));
        a.identity().bind("AAAAAAAAAAAAAAAAAAAAAA");
        assertTrue(a.isReceiving());
        assertTrue(Route.BROADCAST.includes(a));
    }

    @Test
    void without_challenge_nothing_is_sent_and_without_required_nothing_is_timed() {
        final FakeEngine quiet = engine(Map.of("required", true, "challenge", false));
        final Session session = started(quiet, 1);
        assertTrue(FakeEngine.output(session).sent.isEmpty());
        assertNull(session.identity().challenge());
        assertNotEquals(Long.MAX_VALUE, quiet.nextTimedDutyNanos());

        final FakeEngine off = engine(Map.of("challenge", true));
        final Session free = started(off, 1);
        assertTrue(FakeEngine.output(free).sent.isEmpty(), "challenge alone does nothing: only with required");
        assertTrue(free.isReceiving());
        assertEquals(Long.MAX_VALUE, off.nextTimedDutyNanos());
    }
}
