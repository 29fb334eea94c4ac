package org.summoner.relay.nio;

import org.summoner.relay.tck.RelayEngineCompatibilityKit;

/** The NIO engine against the whole conformance kit. */
class NioCompatibilityTest extends RelayEngineCompatibilityKit {
    @Override
    protected String engineName() {
        return "nio";
    }
}
