package org.summoner.relay.netty;

import org.summoner.relay.spi.EngineContext;
import org.summoner.relay.spi.EngineResolver;
import org.summoner.relay.spi.RelayEngine;
import org.summoner.relay.spi.RelayEngineProvider;

import java.util.Set;

/**
 * The Netty engine, {@code netty}: serves {@code "version": "rss_3"} (the seed's high-performance
 * version, and through it upstream's {@code rust}, {@code rust_v1.1.0} and {@code rust_v1.0.0}) and {@code "netty"}. Cheap to construct: no Netty class is touched before
 * {@link #create}.
 */
public final class NettyRelayEngineProvider implements RelayEngineProvider {
    @Override
    public String name() {
        return "netty";
    }

    @Override
    public Set<String> aliases() {
        return Set.of(EngineResolver.HIGH_PERFORMANCE_ALIAS);
    }

    @Override
    public int rank() {
        return 20;
    }

    @Override
    public String displayName() {
        return "Netty";
    }

    @Override
    public String description() {
        return "Netty 4.2, native epoll on Linux (a high-performance engine)";
    }

    @Override
    public String configSection() {
        return NettySettings.SECTION;
    }

    @Override
    public RelayEngine create(EngineContext context) {
        return new NettyRelayEngine(context, NettySettings.from(context.config()));
    }
}
