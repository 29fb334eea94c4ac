package org.summoner.relay.agrona;

import org.summoner.relay.tck.RelayEngineCompatibilityKit;

import java.util.Map;

/** The Agrona engine with its I/O and fan-out agents sharing one thread, against the whole conformance kit. */
class AgronaSharedCompatibilityTest extends RelayEngineCompatibilityKit {
    @Override
    protected String engineName() {
        return "agrona";
    }

    @Override
    protected Map<String, ?> engineSections() {
        return Map.of("agrona", Map.of("threading", "shared"));
    }
}
