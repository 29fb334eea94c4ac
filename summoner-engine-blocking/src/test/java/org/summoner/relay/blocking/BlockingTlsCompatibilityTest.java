package org.summoner.relay.blocking;

import org.summoner.relay.tck.RelayEngineTlsKit;

/** The blocking engine against the kit's wire sections over TLS. */
class BlockingTlsCompatibilityTest extends RelayEngineTlsKit {
    @Override
    protected String engineName() {
        return "blocking";
    }
}
