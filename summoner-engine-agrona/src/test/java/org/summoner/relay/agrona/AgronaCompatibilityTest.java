package org.summoner.relay.agrona;

import org.summoner.relay.tck.RelayEngineCompatibilityKit;

import java.util.Map;

/**
 * The Agrona engine with a thread per agent against the whole conformance kit (named, not left to the default, which
 * depends on the processors the JVM sees).
 */
class AgronaCompatibilityTest extends RelayEngineCompatibilityKit {
    @Override
    protected String engineName() {
        return "agrona";
    }

    @Override
    protected Map<String, ?> engineSections() {
        return Map.of("agrona", Map.of("threading", "dedicated"));
    }
}
