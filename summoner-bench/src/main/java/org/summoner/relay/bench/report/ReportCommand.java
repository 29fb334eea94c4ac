package org.summoner.relay.bench.report;

import org.summoner.relay.bench.load.LoadResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code summoner-load report}: reads the JSON lines the runs appended, takes the median of each point's
 * repeats, and writes {@code RESULTS.md} and the plots.
 */
@Command(name = "report", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Writes RESULTS.md and plots from load results (one JSON object per line).")
public final class ReportCommand implements Callable<Integer> {
    @Option(names = "--input", required = true, paramLabel = "FILE", description = "Results, one JSON object per line.")
    Path input;

    @Option(names = "--out", defaultValue = "docs/benchmarks", paramLabel = "DIR",
            description = "Where RESULTS.md, throughput.png and latency.png go (default ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--env", paramLabel = "FILE", description = "Lines to quote under 'Machine' (versions of the peers, ...).")
    Path env;

    @Option(names = "--command", defaultValue = "bench/compare.sh", description = "The command that produced the results.")
    String command;

    @Override
    public Integer call() throws Exception {
        final List<LoadResult> results = new ArrayList<>();
        for (String line : Files.readAllLines(input, StandardCharsets.UTF_8)) {
            if (!line.isBlank()) {
                results.add(LoadResult.fromJson(line));
            }
        }
        final List<String> envLines = env == null ? List.of() : Files.readAllLines(env, StandardCharsets.UTF_8);
        final Report report = Report.of(results);
        Files.createDirectories(out);
        Charts.throughput(report, out.resolve("throughput.png"));
        Charts.latency(report, out.resolve("latency.png"));
        Files.writeString(out.resolve("RESULTS.md"), report.markdown(command, Machine.describe(), envLines), StandardCharsets.UTF_8);
        System.err.println("wrote " + out.resolve("RESULTS.md") + ", throughput.png, latency.png from " + results.size() + " runs");
        return 0;
    }
}
