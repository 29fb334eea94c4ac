package org.summoner.relay.bench.load;

import org.summoner.relay.bench.report.ReportCommand;
import org.summoner.relay.identity.AuroraSigner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

/**
 * {@code java -jar summoner-bench/target/summoner-load.jar run|stalled|signed-flood|report|identity ...}
 */
@Command(name = "summoner-load", mixinStandardHelpOptions = true, subcommands = {LoadMain.Run.class, StalledReaderCommand.class, SignedFloodCommand.class, SignedRateCommand.class, ReportCommand.class, IdentityCommand.class},
        description = "Load harness for Summoner, NATS and Redis pub/sub servers, and the report of its results.")
public final class LoadMain implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(new CommandLine(new LoadMain()).setCaseInsensitiveEnumValuesAllowed(true).execute(args));
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.err);
    }

    /** One run: prints a progress line each second on standard error and the result as JSON on standard output. */
    @Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"M senders and N receivers against one server over loopback.",
                    "Exit status 0: every delivery arrived once and in order; 3: the run completed with losses, gaps,",
                    "reorders or disconnects (see the JSON); 1: the run could not be made."})
    static final class Run implements Callable<Integer> {
        @Option(names = "--protocol", defaultValue = "summoner", description = "summoner, nats or redis (default ${DEFAULT-VALUE}).")
        Protocol protocol;

        @Option(names = "--host", defaultValue = "127.0.0.1", description = "Server host (default ${DEFAULT-VALUE}).")
        String host;

        @Option(names = "--port", description = "Server port (default: 8888, 4222 or 6379 by protocol).")
        Integer port;

        @Option(names = "--senders", defaultValue = "1", description = "Publishing clients (default ${DEFAULT-VALUE}).")
        int senders;

        @Option(names = "--receivers", defaultValue = "10", description = "Subscribing clients (default ${DEFAULT-VALUE}).")
        int receivers;

        @Option(names = "--line-bytes", defaultValue = "128", description = "Payload bytes per message (default ${DEFAULT-VALUE}).")
        int lineBytes;

        @Option(names = "--rate", defaultValue = "0",
                description = "Lines per second over all senders, open loop; 0 = max rate, closed loop (default ${DEFAULT-VALUE}).")
        long rate;

        @Option(names = "--window", defaultValue = "1000",
                description = "Max rate only: lines one sender may have in flight (default ${DEFAULT-VALUE}).")
        int window;

        @Option(names = "--warmup", defaultValue = "3", description = "Seconds before measuring (default ${DEFAULT-VALUE}).")
        int warmup;

        @Option(names = "--duration", defaultValue = "10", description = "Seconds measured (default ${DEFAULT-VALUE}).")
        int duration;

        @Option(names = "--drain", defaultValue = "5", description = "Seconds to wait for the last deliveries (default ${DEFAULT-VALUE}).")
        int drain;

        @Option(names = "--receiver-threads", description = "Threads reading receivers (default: 1 below 4 receivers, else 2).")
        Integer receiverThreads;

        @Option(names = "--server-pid", split = ",",
                description = "The server's process id (several, comma-separated, for the nodes of a relay cluster): "
                        + "their CPU time over the measured window goes into the result (Linux).")
        List<Long> serverPids = List.of();

        @Option(names = "--receiver-ports", split = ",",
                description = "Ports the receivers connect to in turn (the nodes of a relay cluster); default: --port.")
        List<Integer> receiverPorts = List.of();

        @Option(names = "--label", description = "Name of the server under test in the result (default: protocol:port).")
        String label;

        @Option(names = "--scenario", defaultValue = "", description = "Name of the scenario in the result.")
        String scenario;

        @Option(names = "--json-out", paramLabel = "FILE", description = "Also append the result as one JSON line to FILE.")
        Path jsonOut;

        @Option(names = "--shape", defaultValue = "plain",
                description = "Summoner only: plain (the payload is the line), json ({\"m\":\"<payload>\"}, as an SDK dict message) or "
                        + "directive (a host's {\"to\":[every receiver],\"content\":\"<payload>\"}) (default ${DEFAULT-VALUE}).")
        String shape;

        @Option(names = "--host-identity", paramLabel = "FILE",
                description = "An identity from `summoner-load identity`: each sender first sends a binding envelope signed with it.")
        Path hostIdentity;

        @Option(names = "--quiet", description = "No progress lines.")
        boolean quiet;

        private Shape shape() {
            final Shape parsed;
            try {
                parsed = Shape.valueOf(shape.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(new CommandLine(this), "--shape: expected plain, json or directive, found " + shape);
            }
            if (parsed != Shape.PLAIN && protocol != Protocol.SUMMONER) {
                throw new CommandLine.ParameterException(new CommandLine(this), "--shape " + shape + " is for --protocol summoner only");
            }
            return parsed;
        }

        /** @return what makes each sender's binding envelope, fresh, or null without {@code --host-identity}. */
        private Supplier<String> hello() throws IOException {
            if (hostIdentity == null) {
                return null;
            }
            final AuroraSigner identity =
                    AuroraSigner.restore(Files.readString(hostIdentity, StandardCharsets.UTF_8));
            return () -> identity.seal(Map.of("role", "host"), null);
        }

        @Override
        public Integer call() throws Exception {
            final int resolvedPort = port != null ? port : protocol.defaultPort();
            if (senders < 1 || receivers < 1 || duration < 1 || warmup < 0 || window < 1 || rate < 0) {
                throw new CommandLine.ParameterException(new CommandLine(this),
                        "senders, receivers, duration and window must be positive; warmup and rate not negative");
            }
            final LoadOptions options = new LoadOptions(
                    label != null ? label : protocol.name().toLowerCase(Locale.ROOT) + ":" + resolvedPort,
                    scenario, protocol, host, resolvedPort, receiverPorts, senders, receivers, lineBytes, rate, window, warmup, duration,
                    drain, receiverThreads != null ? receiverThreads : receivers < 4 ? 1 : 2, serverPids, shape(),
                    hello(), !quiet);
            final PrintStream err = System.err;
            final LoadResult result;
            try {
                result = new LoadRun(options, err).execute();
            } catch (IOException e) {
                err.println("error: " + e.getMessage());
                return 1;
            }
            final String json = result.toJson();
            System.out.println(json);
            if (jsonOut != null) {
                Files.writeString(jsonOut, json + System.lineSeparator(), StandardCharsets.UTF_8,
                        StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            }
            err.printf(Locale.ROOT, "[%s] %s: %.0f lines/s, %.0f deliveries/s,%s p50 %.1f us, p99 %.1f us, p99.9 %.1f us, "
                            + "lost %d, gaps %d, reorders %d, disconnects %d%s%n",
                    result.label(), result.clean() ? "clean" : "NOT CLEAN", result.linesPerSecond(), result.deliveriesPerSecond(),
                    result.serverCpuSecondsPerMillionDeliveries() == null ? ""
                            : String.format(Locale.ROOT, " server CPU %.3f s per million deliveries,", result.serverCpuSecondsPerMillionDeliveries()),
                    result.latencyMicros().p50(), result.latencyMicros().p99(), result.latencyMicros().p999(),
                    result.lost(), result.gaps(), result.reorders(), result.disconnects(),
                    result.firstServerNotice() == null ? "" : "; server said: " + result.firstServerNotice());
            return result.clean() ? 0 : 3;
        }
    }
}
