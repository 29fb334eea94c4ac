package org.summoner.relay.nio;

import org.summoner.relay.spi.EngineContext;
import org.summoner.relay.spi.RelayEngine;
import org.summoner.relay.spi.RelayEngineProvider;

import java.util.Set;

/**
 * The default engine, {@code nio}: chosen when {@code "version"} is absent, {@code "python"} or {@code "nio"}.
 * Cheap to construct; {@link #create} does the work.
 */
public final class NioRelayEngineProvider implements RelayEngineProvider {
    @Override
    public String name() {
        return "nio";
    }

    @Override
    public Set<String> aliases() {
        return Set.of("python");
    }

    @Override
    public String displayName() {
        return "NIO";
    }

    @Override
    public String description() {
        return "plain java.nio selector loops (the default engine)";
    }

    @Override
    public RelayEngine create(EngineContext context) {
        return new NioRelayEngine(context);
    }
}
