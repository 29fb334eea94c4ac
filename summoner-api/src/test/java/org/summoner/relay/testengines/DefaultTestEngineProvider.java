package org.summoner.relay.testengines;

import org.summoner.relay.spi.EngineContext;
import org.summoner.relay.spi.RelayEngine;
import org.summoner.relay.spi.RelayEngineProvider;

import java.util.Set;

/** Stands in for the default engine in the API's own tests. */
public final class DefaultTestEngineProvider implements RelayEngineProvider {
    @Override
    public String name() {
        return "test-default";
    }

    @Override
    public Set<String> aliases() {
        return Set.of("python");
    }

    @Override
    public String displayName() {
        return "Test";
    }

    @Override
    public String description() {
        return "binds only; stands in for the default engine";
    }

    @Override
    public RelayEngine create(EngineContext context) {
        return new BindOnlyEngine(context);
    }
}
