package org.summoner.relay.blocking;

import org.summoner.relay.spi.EngineContext;
import org.summoner.relay.spi.RelayEngine;
import org.summoner.relay.spi.RelayEngineProvider;

/** The {@code blocking} engine: a reader and a writer thread per client over the SPI's {@code Relay}. */
public final class BlockingRelayEngineProvider implements RelayEngineProvider {
    @Override
    public String name() {
        return "blocking";
    }

    @Override
    public String displayName() {
        return "Blocking";
    }

    @Override
    public String description() {
        return "a reader and a writer thread per client (the example of a custom engine)";
    }

    @Override
    public RelayEngine create(EngineContext context) {
        return new BlockingRelayEngine(context);
    }
}
