package org.summoner.relay.core;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RouteTest {
    private final FakeEngine engine = FakeEngine.of(Map.of());
    private final Session a = engine.connect("10.0.0.1", 1);
    private final Session b = engine.connect("10.0.0.2", 1);

    @Test
    void broadcast_includes_everyone_and_none_no_one() {
        assertTrue(Route.BROADCAST.includes(a));
        assertTrue(Route.BROADCAST.isBroadcast());
        assertFalse(Route.NONE.includes(a));
    }

    @Test
    void a_sessions_route_includes_that_session_alone_carried_as_objects_or_as_numbers() {
        final Route toB = b.route();
        assertTrue(toB.includes(b));
        assertFalse(toB.includes(a));
        assertTrue(Route.includes(toB.kind(), toB.target(), b));
        assertFalse(Route.includes(toB.kind(), toB.target(), a));
        assertEquals("session " + b.id(), toB.toString());
    }
}
