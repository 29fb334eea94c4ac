package org.summoner.relay.server;

import ch.qos.logback.classic.LoggerContext;
import org.slf4j.LoggerFactory;
import org.summoner.relay.RunningServer;
import org.summoner.relay.ServerStartException;
import org.summoner.relay.SummonerServer;
import org.summoner.relay.config.ConfigException;
import org.summoner.relay.config.ServerConfig;
import org.summoner.relay.server.logging.LogSetup;
import org.summoner.relay.spi.EngineDiscovery;
import org.summoner.relay.spi.EngineResolver;
import org.summoner.relay.spi.RelayEngineProvider;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.Callable;

/**
 * The Summoner relay server as a program:
 *
 * <pre>java -jar summoner-server/target/summoner-server.jar [--config FILE] [--host H] [--port P] [--name N] [--engine NAME]</pre>
 *
 * <p>With no arguments it serves 127.0.0.1:8888 on the default engine and prints what the Summoner SDK prints.
 * Flags override the config file, which overrides the defaults. SIGINT or SIGTERM shut it down gracefully:
 * every client gets {@code Warning: Server is shutting down.} SIGHUP reads the config file again and applies what may
 * change while it runs ({@code RunningServer.reload}). SIGUSR2 drains it for a rolling upgrade ({@link DrainSignal}): it
 * stops accepting, tells its clients {@code Warning: Server is draining; reconnect.} over {@code drain.period_secs} and
 * exits with status 0. A bad config or a busy port exits with status 1
 * and a one-line reason on standard error; a bad flag exits with status 2.
 */
@Command(name = "summoner-server",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        sortOptions = false,
        usageHelpAutoWidth = true,
        description = {
                "Runs a Summoner relay server: every line a client sends reaches every other",
                "client as {\"remote_addr\":\"ip:port\",\"content\":\"<the line>\"}.",
                "",
                "Precedence: a flag overrides the config file, which overrides the defaults",
                "(127.0.0.1:8888, the default engine). Stop with Ctrl+C or SIGTERM: clients are told.",
                "Drain for a rolling upgrade with SIGUSR2 (kill -USR2 <pid>): it stops accepting,",
                "tells its clients to reconnect over drain.period_secs, then exits.",
                ""},
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {
                "0:stopped by a signal after a clean shutdown, or drained (SIGUSR2)",
                "1:could not start (bad config, unknown engine, busy port); the reason is on standard error",
                "2:bad command line"})
public final class Main implements Callable<Integer> {
    /** How long shutdown waits for the log queues to be written out. */
    private static final long LOG_FLUSH_MILLIS = 5_000;
    static final String DEFAULT_NAME = "summoner_server";

    @Option(names = "--config", paramLabel = "FILE",
            description = "server_config.json to load. A missing file means defaults, as in the Summoner SDK; "
                    + "a file that is not valid JSON or holds a wrong value stops start-up.")
    String configPath;

    @Option(names = "--host", paramLabel = "H",
            description = "Host or IP to bind (default 127.0.0.1). Overrides \"host\" in the config file.")
    String host;

    @Option(names = "--port", paramLabel = "P",
            description = "Port to bind, 0 for any free port (default 8888). Overrides \"port\" in the config file.")
    Integer port;

    @Option(names = "--name", paramLabel = "N", defaultValue = DEFAULT_NAME,
            description = "Server name shown in the logs (default ${DEFAULT-VALUE}).")
    String name;

    @Option(names = "--engine", paramLabel = "NAME",
            description = "Engine to run: nio (the default), rss_3 or rust (the best high-performance engine present), "
                    + "or an engine's own name. Overrides \"version\" in the config file.")
    String engine;

    @Option(names = "--list-engines", description = "List the engines on the class path, then exit.")
    boolean listEngines;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        final int status = commandLine().execute(args);
        if (status != 0) {
            System.exit(status);
        }
    }

    static CommandLine commandLine() {
        final CommandLine commandLine = new CommandLine(new Main());
        commandLine.setExecutionExceptionHandler((e, cl, parsed) -> {
            if (e instanceof ConfigException || e instanceof ServerStartException) {
                cl.getErr().println("error: " + e.getMessage());
                return 1;
            }
            throw e;
        });
        return commandLine;
    }

    @Override
    public Integer call() {
        if (listEngines) {
            listEngines(spec.commandLine().getOut());
            return 0;
        }
        if (port != null && (port < 0 || port > 65535)) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "Invalid value for option '--port': expected an integer from 0 to 65535, found " + port);
        }
        final SummonerServer server = new SummonerServer(name);
        final ServerConfig config = withFlags(server.loadConfig(configPath));
        final LoggerContext logging = LogSetup.apply(config.logger(), name);
        // On SIGINT/SIGTERM the JVM would halt once its hooks finish: this one waits for this thread, which writes
        // out the asynchronous log queues after the server's own hook has closed the server.
        final Thread caller = Thread.currentThread();
        final Thread flushLogs = new Thread(() -> joinQuietly(caller), "summoner-log-flush");
        Runtime.getRuntime().addShutdownHook(flushLogs);
        final OnSignal[] signals = new OnSignal[2];
        try {
            server.run(ServerConfig.DEFAULT_HOST, ServerConfig.DEFAULT_PORT, config, running -> {
                signals[0] = OnSignal.install("HUP", "summoner-reload", () -> reload(running));
                signals[1] = DrainSignal.install(running, LoggerFactory.getLogger(name));
            });
        } finally {
            for (OnSignal signal : signals) {
                if (signal != null) {
                    signal.close();
                }
            }
            logging.stop();
            try {
                Runtime.getRuntime().removeShutdownHook(flushLogs);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running and waits for this thread to end
            }
        }
        return 0;
    }

    /**
     * SIGHUP: the config file read again, with the flags given at start over it as at start; the logging set up again
     * when {@code logger} changed (a log file it cannot write refuses the reload before anything changes).
     */
    private void reload(RunningServer running) {
        running.reload(() -> {
            if (configPath == null) {
                throw new ConfigException(null, null, "no --config file was given at start; there is no file to read again", null);
            }
            return withFlags(ServerConfig.fromFile(Path.of(configPath)));
        }, next -> {
            if (!next.logger().equals(running.config().logger())) {
                LogSetup.apply(next.logger(), name);
            }
        });
    }

    /** @return {@code config} with the command line's {@code --host}, {@code --port} and {@code --engine} over it. */
    private ServerConfig withFlags(ServerConfig config) {
        if (host != null) {
            config = config.withHost(host);
        }
        if (port != null) {
            config = config.withPort(port);
        }
        if (engine != null) {
            config = config.withVersion(engine);
        }
        return config;
    }

    private static void joinQuietly(Thread thread) {
        try {
            thread.join(LOG_FLUSH_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void listEngines(PrintWriter out) {
        final EngineDiscovery.Result found = EngineDiscovery.discover(Main.class.getClassLoader());
        found.providers().stream().sorted(Comparator.comparing(RelayEngineProvider::name)).forEach(provider ->
                out.printf("%-8s aliases=%s rank=%d %s%s%n", provider.name(), new TreeSet<>(provider.aliases()),
                        provider.rank(), provider.description(),
                        EngineResolver.isHighPerformance(provider) ? " (high performance)" : ""));
        for (String failure : found.failures()) {
            out.println("failed to load: " + failure);
        }
        final List<String> values = new ArrayList<>();
        values.add(EngineResolver.DEFAULT_ALIAS);
        values.add(EngineResolver.HIGH_PERFORMANCE_ALIAS);
        values.addAll(EngineResolver.UPSTREAM_RUST_VERSIONS);
        for (String value : values) {
            String engine;
            try {
                engine = EngineResolver.resolve(value, found.providers(), found.failures()).name();
            } catch (RuntimeException none) {
                engine = "(none present)";
            }
            out.printf("version %-13s -> %s%n", '"' + value + '"', engine);
        }
        out.flush();
    }

    /** Prints the version and the git commit this server was built from ({@link BuildInfo}). */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[]{BuildInfo.current().versionLine()};
        }
    }
}
