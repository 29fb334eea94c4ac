package org.summoner.relay.testengines;

import org.summoner.relay.spi.EngineContext;
import org.summoner.relay.spi.RelayEngine;
import org.summoner.relay.spi.RelayEngineProvider;

import java.util.Set;

/** Stands in for a high-performance engine in the API's own tests. */
public final class FastTestEngineProvider implements RelayEngineProvider {
    @Override
    public String name() {
        return "test-fast";
    }

    @Override
    public Set<String> aliases() {
        return Set.of("rss_3");
    }

    @Override
    public int rank() {
        return 5;
    }

    @Override
    public String displayName() {
        return "Fast";
    }

    @Override
    public String description() {
        return "binds only; stands in for a high-performance engine";
    }

    @Override
    public RelayEngine create(EngineContext context) {
        return new BindOnlyEngine(context);
    }
}
