package org.summoner.relay.spi;

import org.summoner.relay.config.ServerConfig;
import org.summoner.relay.policy.FairUsePolicy;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * What an engine is given when it is created: the server's name, its validated configuration, the address to
 * bind (already resolved by the seed's precedence rules), the counters to keep and the fair-use rules to apply
 * (shared with the server, which runs their housekeeping). Immutable.
 */
public final class EngineContext {
    private final String serverName;
    private final ServerConfig config;
    private final InetSocketAddress bindAddress;
    private final RelayCounters counters;
    private final FairUsePolicy policy;

    public EngineContext(String serverName, ServerConfig config, InetSocketAddress bindAddress, RelayCounters counters,
                         FairUsePolicy policy) {
        this.serverName = Objects.requireNonNull(serverName, "serverName");
        this.config = Objects.requireNonNull(config, "config");
        this.bindAddress = Objects.requireNonNull(bindAddress, "bindAddress");
        this.counters = Objects.requireNonNull(counters, "counters");
        this.policy = Objects.requireNonNull(policy, "policy");
    }

    public String serverName() {
        return serverName;
    }

    public ServerConfig config() {
        return config;
    }

    public InetSocketAddress bindAddress() {
        return bindAddress;
    }

    public RelayCounters counters() {
        return counters;
    }

    public FairUsePolicy policy() {
        return policy;
    }
}
