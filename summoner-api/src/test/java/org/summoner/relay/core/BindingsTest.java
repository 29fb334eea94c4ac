package org.summoner.relay.core;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Binding connections to identities: shared by the connections of one identity, gone with the last of them. */
class BindingsTest {
    private static final String ALICE = "AAAAAAAAAAAAAAAAAAAAAA";

    private final FakeEngine engine = FakeEngine.of(Map.of());
    private final Bindings bindings = engine.core().bindings();

    @Test
    void connections_of_one_identity_share_its_binding_and_its_route_reaches_them_all() {
        final Session first = engine.connect("10.0.0.1", 1);
        final Session second = engine.connect("10.0.0.2", 1);
        final Session other = engine.connect("10.0.0.3", 1);
        first.identity().bind(ALICE);
        second.identity().bind(ALICE);
        final Bindings.Binding binding = bindings.find(ALICE);
        assertEquals(ALICE, first.fingerprint());
        assertEquals(binding.id(), first.bindingId());
        assertEquals(binding.id(), second.bindingId());
        assertTrue(binding.route().includes(first));
        assertTrue(binding.route().includes(second));
        assertFalse(binding.route().includes(other), "an unbound session is in no binding");
        assertEquals(1, bindings.size());
        assertThrows(IllegalStateException.class, () -> first.identity().bind("BBBBBBBBBBBBBBBBBBBBBB"), "a connection is bound once");
    }

    @Test
    void a_binding_lasts_as_long_as_a_connection_holds_it_and_a_new_one_gets_a_new_id() {
        final Session first = engine.connect("10.0.0.1", 1);
        final Session second = engine.connect("10.0.0.2", 1);
        first.identity().bind(ALICE);
        second.identity().bind(ALICE);
        final long id = bindings.find(ALICE).id();
        first.closed();
        assertEquals(id, bindings.find(ALICE).id(), "one connection still holds it");
        second.closed();
        assertNull(bindings.find(ALICE));
        assertEquals(0, bindings.size());
        final Session third = engine.connect("10.0.0.3", 1);
        third.identity().bind(ALICE);
        assertNotEquals(id, third.bindingId(), "a line routed to the old binding reaches no one new");
    }
}
