package org.summoner.relay.spi;

import org.junit.jupiter.api.Test;
import org.summoner.relay.testengines.BrokenProviders;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs ServiceLoader over the test class path (two good providers) plus a services file that lists a provider
 * whose constructor throws and one whose class does not exist.
 */
class EngineDiscoveryTest {

    @Test
    void providers_that_fail_to_load_are_reported_and_do_not_hide_the_others() {
        final EngineDiscovery.Result result = EngineDiscovery.discover(BrokenProviders.classLoader());

        assertEquals(List.of("test-default", "test-fast"), result.providers().stream().map(RelayEngineProvider::name).toList());
        assertEquals(2, result.failures().size(), result.failures().toString());
        assertTrue(result.failures().get(0).startsWith(RelayEngineProvider.class.getName()
                + ": Provider org.summoner.relay.testengines.BrokenEngineProvider could not be instantiated"), result.failures().get(0));
        assertTrue(result.failures().get(0).endsWith("java.lang.IllegalStateException: boom"), result.failures().get(0));
        assertEquals(RelayEngineProvider.class.getName() + ": Provider org.summoner.relay.testengines.MissingEngineProvider not found",
                result.failures().get(1));
    }

    @Test
    void the_plain_class_path_loads_without_failures() {
        final EngineDiscovery.Result result = EngineDiscovery.discover(getClass().getClassLoader());

        assertEquals(List.of("test-default", "test-fast"), result.providers().stream().map(RelayEngineProvider::name).toList());
        assertEquals(List.of(), result.failures());
    }
}
