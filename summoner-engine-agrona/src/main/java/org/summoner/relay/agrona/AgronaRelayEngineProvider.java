package org.summoner.relay.agrona;

import org.summoner.relay.spi.EngineContext;
import org.summoner.relay.spi.EngineResolver;
import org.summoner.relay.spi.RelayEngine;
import org.summoner.relay.spi.RelayEngineProvider;

import java.util.Set;

/**
 * The Agrona engine, {@code agrona}: serves {@code "version": "agrona"}, and {@code rss_3} (with upstream's {@code rust*} values) with a
 * rank below Netty's, so it serves them when it is the only high-performance engine on the class path. Its own
 * settings are the {@code "agrona"} section of {@code server_config.json} ({@link AgronaSettings}).
 */
public final class AgronaRelayEngineProvider implements RelayEngineProvider {
    @Override
    public String name() {
        return "agrona";
    }

    @Override
    public Set<String> aliases() {
        return Set.of(EngineResolver.HIGH_PERFORMANCE_ALIAS);
    }

    @Override
    public int rank() {
        return 10;
    }

    @Override
    public String displayName() {
        return "Agrona";
    }

    @Override
    public String description() {
        return "Agrona ring buffers between socket I/O agents and a fan-out agent (a high-performance engine)";
    }

    @Override
    public String configSection() {
        return AgronaSettings.SECTION;
    }

    @Override
    public RelayEngine create(EngineContext context) {
        AgronaRuntime.check();
        return new AgronaRelayEngine(context, AgronaSettings.from(context.config()));
    }
}
