package org.summoner.relay.agrona;

import org.summoner.relay.tck.RelayEngineCompatibilityKit;

/** The Agrona engine against the whole conformance kit. */
class AgronaCompatibilityTest extends RelayEngineCompatibilityKit {
    @Override
    protected String engineName() {
        return "agrona";
    }
}
