package org.summoner.relay.spi;

import org.summoner.relay.config.ServerConfig;
import org.summoner.relay.core.FromOtherNodes;
import org.summoner.relay.core.RelayCore;
import org.summoner.relay.core.SerialCore;
import org.summoner.relay.counters.RelayCounters;
import org.summoner.relay.policy.FairUsePolicy;
import org.summoner.relay.spi.serial.Relay;
import org.summoner.relay.tls.ServerTls;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * What an engine is given when it is created: the server's name, its validated configuration, the address to
 * bind (already resolved by the seed's precedence rules), and the {@link RelayCore} its threads run: sessions, the
 * router, the outbound budget, the counters and the fair-use rules (shared with the server, which runs their
 * housekeeping). Immutable.
 */
public final class EngineContext {
    private final String serverName;
    private final ServerConfig config;
    private final InetSocketAddress bindAddress;
    private final RelayCore core;
    /** The relay made by {@link #relay}, which lines from other nodes go to; null while none was made. */
    private volatile SerialCore relay;

    public EngineContext(String serverName, ServerConfig config, InetSocketAddress bindAddress, RelayCore core) {
        this.serverName = Objects.requireNonNull(serverName, "serverName");
        this.config = Objects.requireNonNull(config, "config");
        this.bindAddress = Objects.requireNonNull(bindAddress, "bindAddress");
        this.core = Objects.requireNonNull(core, "core");
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

    public RelayCore core() {
        return core;
    }

    /**
     * @return a new {@link Relay} for an engine without loops of its own (threads per connection), whose timer thread
     *         is named {@code timerName}; called once, by {@link RelayEngine#start()}.
     */
    public Relay relay(String timerName) {
        final SerialCore made = new SerialCore(core, timerName);
        relay = made;
        return made;
    }

    /**
     * @return where lines from other nodes of a cluster go for {@code engine}, made with this context: the
     *         {@link Relay} it made ({@link #relay}), or else the engine's own {@link RelayEngine#relayFromCluster}.
     *         For the server, which joins the cluster once the engine started.
     */
    public FromOtherNodes fromOtherNodes(RelayEngine engine) {
        final SerialCore made = relay;
        return made != null ? made : engine::relayFromCluster;
    }

    /** @return TLS on the relay port ({@code tls}), or null when it speaks plain TCP. */
    public ServerTls tls() {
        return core.tls();
    }

    public RelayCounters counters() {
        return core.counters();
    }

    public FairUsePolicy policy() {
        return core.policy();
    }
}
