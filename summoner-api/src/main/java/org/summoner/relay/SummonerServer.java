package org.summoner.relay;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.summoner.relay.cluster.Cluster;
import org.summoner.relay.config.ClusterSettings;
import org.summoner.relay.config.ConfigException;
import org.summoner.relay.config.Monitoring;
import org.summoner.relay.config.ServerConfig;
import org.summoner.relay.core.OtherNodes;
import org.summoner.relay.core.RelayCore;
import org.summoner.relay.core.Router;
import org.summoner.relay.counters.RelayCounters;
import org.summoner.relay.monitoring.MonitoringServer;
import org.summoner.relay.monitoring.RelayStats;
import org.summoner.relay.policy.FairUsePolicy;
import org.summoner.relay.routing.Routers;
import org.summoner.relay.spi.EngineContext;
import org.summoner.relay.spi.EngineDiscovery;
import org.summoner.relay.spi.EngineResolver;
import org.summoner.relay.spi.RelayEngine;
import org.summoner.relay.spi.RelayEngineProvider;

import java.io.IOException;
import java.io.PrintStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * A Summoner relay server, used the way the Summoner SDK's Python {@code SummonerServer} is:
 *
 * <pre>{@code
 * new SummonerServer("first_server").run();                                    // 127.0.0.1:8888, defaults
 * new SummonerServer("first_server").run("127.0.0.1", 1234, "server_config.json");
 * }</pre>
 *
 * <p>Where the server binds follows the seed: the host and port given in code apply unless the configuration
 * sets {@code host} or {@code port}, which then win. A config path that names no file is not an error: the
 * server prints {@code [DEBUG] Config file not found: <path>} and runs on defaults; a file that loads prints
 * {@code [DEBUG] Loaded config from: <path>}; a file that is not valid JSON or holds a wrong value stops
 * start-up with a {@link ConfigException}. The config's {@code "version"} chooses the engine
 * ({@link EngineResolver}).
 *
 * <p>{@code run(...)} blocks until the JVM receives SIGINT or SIGTERM (or the server is otherwise closed) and
 * then shuts down gracefully, telling every client. {@code start(...)} returns at once with a
 * {@link RunningServer} handle, for embedding and tests.
 *
 * <p>Start-up output: the {@code [DEBUG]} config line goes to standard output, like the seed's {@code print};
 * the listening line is logged at INFO through SLF4J under the server's name, e.g.
 * {@code NIO server listening on 127.0.0.1:8888}.
 *
 * <p>Thread-safe; one instance may start several servers.
 */
public final class SummonerServer {
    private static final String NO_NAME = "<server:no-name>";
    private static final Duration SUMMARY_INTERVAL = Duration.ofMinutes(1);

    private final String name;
    private final PrintStream console;
    private final ClassLoader classLoader;
    private final Duration summaryInterval;
    private final UnaryOperator<Router> routing;
    private final Logger log;

    /** A server named as the SDK names an unnamed one. */
    public SummonerServer() {
        this(NO_NAME);
    }

    /**
     * @param name shown in the logs (the SLF4J logger name of the server's own lines).
     */
    public SummonerServer(String name) {
        this(name, System.out, defaultClassLoader(), SUMMARY_INTERVAL);
    }

    SummonerServer(String name, PrintStream console, ClassLoader classLoader, Duration summaryInterval) {
        this(name, console, classLoader, summaryInterval, UnaryOperator.identity());
    }

    private SummonerServer(String name, PrintStream console, ClassLoader classLoader, Duration summaryInterval,
                           UnaryOperator<Router> routing) {
        this.name = name == null ? NO_NAME : name;
        this.console = Objects.requireNonNull(console, "console");
        this.classLoader = Objects.requireNonNull(classLoader, "classLoader");
        this.summaryInterval = Objects.requireNonNull(summaryInterval, "summaryInterval");
        this.routing = Objects.requireNonNull(routing, "routing");
        this.log = LoggerFactory.getLogger(this.name);
    }

    /**
     * @param around given the router of the routing mode the config asks for (SPEC section 7, behind the handshake
     *               gate when one is required), once per server started, returns the router the server uses: one
     *               that observes lines, adds a rule of its own, or hands the line on. It runs on the engine's
     *               threads under {@link Router}'s contract, and inside the core's fault barrier: whatever it throws
     *               closes the sender's connection alone (told first), is counted ({@code summoner_faults_total}) and
     *               logged at most every 10 s. The conformance kit makes the core fail on demand this way.
     * @return a server like this one whose routing goes through {@code around}.
     */
    public SummonerServer withRouting(UnaryOperator<Router> around) {
        Objects.requireNonNull(around, "around");
        return new SummonerServer(name, console, classLoader, summaryInterval, mode -> around.apply(routing.apply(mode)));
    }

    public String name() {
        return name;
    }

    /** Serves {@code 127.0.0.1:8888} on defaults until SIGINT or SIGTERM. */
    public void run() {
        run(ServerConfig.DEFAULT_HOST, ServerConfig.DEFAULT_PORT, (String) null);
    }

    /** Serves {@code host:port} on defaults until SIGINT or SIGTERM. */
    public void run(String host, int port) {
        run(host, port, (String) null);
    }

    /**
     * Serves until SIGINT or SIGTERM, configured from a JSON file.
     *
     * @param configPath a path relative to the working directory or absolute; null or a missing file means
     *                   defaults.
     */
    public void run(String host, int port, String configPath) {
        serveUntilClosed(start(host, port, configPath));
    }

    /** Serves until SIGINT or SIGTERM, configured from an in-memory map used instead of a file. */
    public void run(String host, int port, Map<String, ?> config) {
        serveUntilClosed(start(host, port, config));
    }

    /** Serves until SIGINT or SIGTERM with a configuration already loaded. */
    public void run(String host, int port, ServerConfig config) {
        serveUntilClosed(start(host, port, config));
    }

    /**
     * Serves until SIGINT or SIGTERM with a configuration already loaded, handing the running server to {@code started}
     * first (the runnable server reloads it on SIGHUP).
     */
    public void run(String host, int port, ServerConfig config, Consumer<RunningServer> started) {
        final RunningServer server = start(host, port, config);
        started.accept(server);
        serveUntilClosed(server);
    }

    /** Starts serving and returns at once; see {@link #run(String, int, String)}. */
    public RunningServer start(String host, int port, String configPath) {
        return start(host, port, loadConfig(configPath));
    }

    /** Starts serving and returns at once; see {@link #run(String, int, Map)}. */
    public RunningServer start(String host, int port, Map<String, ?> config) {
        return start(host, port, ServerConfig.fromMap(config));
    }

    /**
     * Starts serving and returns at once.
     *
     * @param host the bind host unless the config sets {@code host}.
     * @param port the bind port unless the config sets {@code port}; 0 picks a free port.
     * @throws ConfigException      when {@code version} names no engine present, or the engine's own section is
     *                              wrong.
     * @throws ServerStartException when the address cannot be resolved or bound, or the engines are ambiguous.
     */
    public RunningServer start(String host, int port, ServerConfig config) {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(config, "config");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port=" + port + ": expected an integer from 0 to 65535");
        }
        final EngineDiscovery.Result found = EngineDiscovery.discover(classLoader);
        for (String warning : config.warningsExcept(engineSections(found))) {
            log.warn(warning);
        }
        log.debug("{}", config);

        final RelayEngineProvider provider = chooseEngine(config, found);
        final String bindHost = config.bindHost(host);
        final int bindPort = config.bindPort(port);
        final InetSocketAddress bindAddress = resolve(bindHost, bindPort, "");
        final RelayCounters counters = new RelayCounters();
        final FairUsePolicy policy = FairUsePolicy.of(config);
        final AtomicReference<Cluster> node = new AtomicReference<>();
        final RelayCore core = new RelayCore(config, counters, policy, relay -> routing.apply(Routers.of(relay)),
                config.cluster().<Function<RelayCore, OtherNodes>>map(settings -> relay -> {
                    node.set(clusterOf(relay, settings));
                    return node.get();
                }).orElse(null));
        final Cluster cluster = node.get();
        final EngineContext context = new EngineContext(name, config, bindAddress, core);
        final RelayEngine engine;
        try {
            engine = provider.create(context);
        } catch (ConfigException e) {
            throw e; // the engine's own config section: named like any other key
        } catch (RuntimeException e) {
            throw new ServerStartException("cannot create the " + provider.name() + " engine: "
                    + (e instanceof IllegalStateException ? e.getMessage() : e.toString()), e);
        }
        try {
            engine.start();
        } catch (BindException e) {
            engine.close();
            throw new ServerStartException("cannot bind " + hostPort(bindHost, bindPort) + ": " + e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            engine.close();
            throw new ServerStartException("cannot start the " + provider.name() + " engine on "
                    + hostPort(bindHost, bindPort) + ": " + e, e);
        }
        if (cluster != null) {
            try {
                cluster.start(context.fromOtherNodes(engine));
            } catch (IOException | RuntimeException e) {
                cluster.close();
                engine.close();
                throw new ServerStartException("cannot join the cluster as node " + cluster.node() + " (\"cluster\" in "
                        + config.source() + "): " + e.getMessage(), e);
            }
        }
        final MonitoringServer monitoring = startMonitoring(config, core, cluster, provider, engine);
        final RunningServer server = new RunningServer(provider.name(), engine, core, cluster, monitoring, summaryInterval, log,
                engineSections(found));
        log.info("{}{} server listening on {}", EngineResolver.isHighPerformance(provider) ? "\uD83D\uDE80 " : "",
                provider.displayName(), hostPort(bindHost, server.address().getPort()));
        if (cluster != null) {
            log.info("Node {} of a relay cluster on {}", cluster.node(), cluster.describe());
        }
        if (monitoring != null) {
            log.info("Monitoring on http://{} ({})", hostPort(config.monitoring().host(), monitoring.address().getPort()),
                    "/metrics, /healthz, /connz");
        }
        return server;
    }

    /** Start-up failed after the engine started: the cluster (when it is a node) and the engine stop. */
    private static void stop(Cluster cluster, RelayEngine engine) {
        if (cluster != null) {
            cluster.close();
        }
        engine.close();
    }

    /** @return this node's side of its cluster, its backplane chosen by {@code cluster.backplane} (not started). */
    private static Cluster clusterOf(RelayCore core, ClusterSettings settings) {
        try {
            return Cluster.of(core, settings);
        } catch (IllegalArgumentException e) {
            throw new ServerStartException(e.getMessage(), e);
        }
    }

    /**
     * Starts the {@code monitoring} listener once the engine serves, or returns null when it is off; a failure closes
     * the engine and names the key.
     */
    private static MonitoringServer startMonitoring(ServerConfig config, RelayCore core, Cluster cluster,
                                                    RelayEngineProvider provider, RelayEngine engine) {
        final Monitoring settings = config.monitoring();
        if (!settings.enabled()) {
            return null;
        }
        final String where = hostPort(settings.host(), settings.port());
        final InetSocketAddress address;
        try {
            address = resolve(settings.host(), settings.port(), " (\"monitoring.host\")");
        } catch (ServerStartException e) {
            stop(cluster, engine);
            throw e;
        }
        try {
            return MonitoringServer.start(address, () -> RelayStats.of(core), core, provider.name(), engine.gauges());
        } catch (IOException | RuntimeException e) {
            stop(cluster, engine);
            throw new ServerStartException("cannot start monitoring on " + where + " (\"monitoring.port\"): "
                    + (e instanceof BindException ? e.getMessage() : e.toString()), e);
        }
    }

    /**
     * Loads a configuration as {@code run(host, port, configPath)} does, printing the seed's {@code [DEBUG]} line.
     *
     * @param configPath null, or a path that names no file, gives the defaults.
     */
    public ServerConfig loadConfig(String configPath) {
        final Path path;
        try {
            path = configPath == null || configPath.isEmpty() ? null : Path.of(configPath);
        } catch (InvalidPathException e) {
            throw new ConfigException(configPath, null, configPath + ": not a valid path: " + e.getReason(), e);
        }
        if (path == null || !Files.exists(path)) {
            console.println("[DEBUG] Config file not found: " + (configPath == null ? "" : configPath));
            return ServerConfig.defaults();
        }
        final ServerConfig config = ServerConfig.fromFile(path);
        console.println("[DEBUG] Loaded config from: " + configPath);
        return config;
    }

    /** The top-level keys engines on the class path read as their own sections: not "unknown" to this server. */
    private static Set<String> engineSections(EngineDiscovery.Result found) {
        final Set<String> sections = new HashSet<>();
        for (RelayEngineProvider provider : found.providers()) {
            if (provider.configSection() != null) {
                sections.add(provider.configSection());
            }
        }
        return sections;
    }

    private RelayEngineProvider chooseEngine(ServerConfig config, EngineDiscovery.Result found) {
        for (String failure : found.failures()) {
            log.warn("engine provider skipped: {}", failure);
        }
        try {
            return EngineResolver.resolve(config.version().orElse(null), found.providers(), found.failures());
        } catch (IllegalStateException e) {
            throw new ServerStartException(e.getMessage(), e);
        }
    }

    /** @param key what the message says after the host: empty for the relay's, the key for another listener's. */
    private static InetSocketAddress resolve(String host, int port, String key) {
        try {
            return new InetSocketAddress(InetAddress.getByName(host), port);
        } catch (UnknownHostException e) {
            throw new ServerStartException("cannot resolve host '" + host + "'" + key + ": " + e.getMessage(), e);
        }
    }

    /** {@code host:port}, with an IPv6 literal in brackets. */
    private static String hostPort(String host, int port) {
        return (host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host) + ":" + port;
    }

    private void serveUntilClosed(RunningServer server) {
        final Thread hook = new Thread(server::close, "summoner-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            server.awaitTermination();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            server.close();
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // The JVM is exiting and the hook is closing the server: nothing to undo.
            }
        }
    }

    private static ClassLoader defaultClassLoader() {
        final ClassLoader context = Thread.currentThread().getContextClassLoader();
        return context != null ? context : SummonerServer.class.getClassLoader();
    }
}
