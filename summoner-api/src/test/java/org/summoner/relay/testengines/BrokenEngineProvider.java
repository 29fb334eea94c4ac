package org.summoner.relay.testengines;

import org.summoner.relay.spi.EngineContext;
import org.summoner.relay.spi.RelayEngine;
import org.summoner.relay.spi.RelayEngineProvider;

/** A provider whose constructor fails, as one with a missing dependency would: discovery must skip it. */
public final class BrokenEngineProvider implements RelayEngineProvider {
    public BrokenEngineProvider() {
        throw new IllegalStateException("boom");
    }

    @Override
    public String name() {
        return "broken";
    }

    @Override
    public String displayName() {
        return "Broken";
    }

    @Override
    public String description() {
        return "never loads";
    }

    @Override
    public RelayEngine create(EngineContext context) {
        throw new UnsupportedOperationException();
    }
}
