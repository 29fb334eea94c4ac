package org.summoner.relay.nio;

import org.summoner.relay.tck.RelayEngineTlsKit;

/** The NIO engine against the kit's wire sections over TLS. */
class NioTlsCompatibilityTest extends RelayEngineTlsKit {
    @Override
    protected String engineName() {
        return "nio";
    }
}
