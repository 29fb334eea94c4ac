package org.summoner.relay.blocking;

import org.summoner.relay.tck.RelayEngineCompatibilityKit;

/** The blocking engine against the whole conformance kit. */
class BlockingCompatibilityTest extends RelayEngineCompatibilityKit {
    @Override
    protected String engineName() {
        return "blocking";
    }
}
