package org.summoner.relay.netty;

import org.junit.jupiter.api.extension.ExtendWith;
import org.summoner.relay.tck.RelayEngineCompatibilityKit;

/** The Netty engine against the whole conformance kit, with every buffer tracked for leaks. */
@ExtendWith(LeakWatch.class)
class NettyCompatibilityTest extends RelayEngineCompatibilityKit {
    @Override
    protected String engineName() {
        return "netty";
    }
}
