package org.summoner.relay.agrona;

import org.summoner.relay.tck.RelayEngineTlsKit;

import java.util.Map;

/** The Agrona engine, a thread per agent, against the kit's wire sections over TLS. */
class AgronaTlsCompatibilityTest extends RelayEngineTlsKit {
    @Override
    protected String engineName() {
        return "agrona";
    }

    @Override
    protected Map<String, ?> engineSections() {
        return Map.of("agrona", Map.of("threading", "dedicated"));
    }
}
