package org.summoner.relay.bench.report;

import org.summoner.relay.bench.load.LoadResult;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The results grouped by scenario and server, each point the median of its repeats: medians are taken metric by
 * metric; lost and reordered are the worst repeat, since any non-zero is a failure.
 */
final class Report {
    /** A scenario's runs on one server, reduced to one point. */
    record Point(String label, int runs, double deliveriesPerSecond, double linesPerSecond, double p50, double p99,
                 double p999, long lost, long reordered, long disconnects, Double cpuPerMillion) {
    }

    /** One scenario: its definition (from the first run) and one point per server, in the order they ran. */
    record Scenario(String name, LoadResult definition, Map<String, Point> points) {
        boolean maxRate() {
            return definition.rate() == 0;
        }

        String describe() {
            return definition.senders() + " sender" + (definition.senders() > 1 ? "s" : "") + ", " + definition.receivers()
                    + " receivers, " + definition.lineBytes() + "-byte lines, "
                    + (maxRate() ? "max rate (closed loop, window " + definition.window() + " lines per sender)"
                    : definition.rate() + " lines/s in all (open loop)")
                    + ", " + definition.durationSeconds() + " s measured after " + definition.warmupSeconds() + " s warm-up";
        }
    }

    private final List<Scenario> scenarios;
    private final String measuredOn;

    private Report(List<Scenario> scenarios, String measuredOn) {
        this.scenarios = scenarios;
        this.measuredOn = measuredOn;
    }

    List<Scenario> scenarios() {
        return scenarios;
    }

    static Report of(List<LoadResult> results) {
        final Map<String, Map<String, List<LoadResult>>> grouped = new LinkedHashMap<>();
        for (LoadResult result : results) {
            grouped.computeIfAbsent(result.scenario(), s -> new LinkedHashMap<>())
                    .computeIfAbsent(result.label(), l -> new ArrayList<>()).add(result);
        }
        final List<Scenario> scenarios = new ArrayList<>();
        grouped.forEach((name, byLabel) -> {
            final Map<String, Point> points = new LinkedHashMap<>();
            byLabel.forEach((label, runs) -> points.put(label, point(label, runs)));
            scenarios.add(new Scenario(name, byLabel.values().iterator().next().get(0), points));
        });
        final String firstStart = results.stream().map(LoadResult::startedAt).sorted().findFirst().orElse("");
        return new Report(scenarios, firstStart.length() >= 10 ? firstStart.substring(0, 10) : "an unknown date");
    }

    private static Point point(String label, List<LoadResult> runs) {
        return new Point(label, runs.size(),
                median(runs.stream().mapToDouble(LoadResult::deliveriesPerSecond).toArray()),
                median(runs.stream().mapToDouble(LoadResult::linesPerSecond).toArray()),
                median(runs.stream().mapToDouble(r -> r.latencyMicros().p50()).toArray()),
                median(runs.stream().mapToDouble(r -> r.latencyMicros().p99()).toArray()),
                median(runs.stream().mapToDouble(r -> r.latencyMicros().p999()).toArray()),
                runs.stream().mapToLong(r -> r.lost() + r.gaps()).max().orElse(0),
                runs.stream().mapToLong(LoadResult::reorders).max().orElse(0),
                runs.stream().mapToLong(LoadResult::disconnects).max().orElse(0),
                runs.stream().allMatch(r -> r.serverCpuSecondsPerMillionDeliveries() != null)
                        ? median(runs.stream().mapToDouble(LoadResult::serverCpuSecondsPerMillionDeliveries).toArray()) : null);
    }

    static double median(double[] values) {
        final double[] sorted = values.clone();
        Arrays.sort(sorted);
        final int n = sorted.length;
        return n == 0 ? 0 : n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    String markdown(String command, List<String> machine, List<String> environment) {
        final StringBuilder md = new StringBuilder();
        md.append("# Fan-out benchmark results\n\n");
        md.append("Measured ").append(measuredOn).append(" with `").append(command).append("`, which starts every server below on ")
                .append("loopback, runs each scenario against each with the load harness (`summoner-load run`), repeats each point, ")
                .append("and writes this file and the plots with `summoner-load report`. Each number is the median of the repeats; ")
                .append("lost and reordered are the worst repeat. The harness and the servers share the machine.\n\n");
        md.append("## Machine\n\n");
        for (String line : machine) {
            md.append("- ").append(line).append('\n');
        }
        for (String line : environment) {
            if (!line.isBlank()) {
                md.append("- ").append(line).append('\n');
            }
        }
        md.append('\n');
        md.append("## What the columns mean\n\n")
                .append("- **deliveries/s**: lines received by all receivers per second in the measured window (lines/s × receivers).\n")
                .append("- **p50, p99, p99.9**: microseconds from send to receipt. At a fixed rate the send time is the *intended* one, ")
                .append("so a server that stalls is charged for the whole stall (no coordinated omission); at max rate it is the time ")
                .append("the batch was written, and latency mostly measures the queue the window allows.\n")
                .append("- **CPU s/M**: the server process's CPU time (user + system, from /proc) in the measured window per million ")
                .append("deliveries: what a delivery costs the server, whoever limits the rate.\n")
                .append("- **lost**: deliveries that never arrived (and sequence gaps); **reordered**: deliveries that arrived after a later ")
                .append("one from the same sender. Both must be 0.\n")
                .append("- **vs redis / vs nats**: at max rate, deliveries/s divided by that server's (higher is better); ")
                .append("at a fixed rate, p99 divided by that server's (lower is better); each row is compared with the peer run ")
                .append("the same way (a row labelled \"(unpinned)\" with the unpinned peer).\n")
                .append("- **vs floor**: CPU s/M divided by that of the floor (bench/ceiling/floor_relay.c, the smallest relay of ")
                .append("the wire format) run the same way: what a delivery costs against the cost no relay can avoid.\n\n");
        if (scenarios.stream().anyMatch(Scenario::maxRate)) {
            md.append("![throughput](throughput.png)\n\n");
        }
        if (!scenarios.stream().allMatch(Scenario::maxRate)) {
            md.append("![latency](latency.png)\n\n");
        }
        for (Scenario scenario : scenarios) {
            md.append("## ").append(scenario.name()).append("\n\n").append(scenario.describe()).append(".\n\n");
            md.append("| server | runs | deliveries/s | lines/s | CPU s/M | p50 µs | p99 µs | p99.9 µs | lost | reordered | vs redis | vs nats | vs floor |\n");
            md.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
            for (Point p : scenario.points().values()) {
                final Point redis = find(scenario, "redis", p);
                final Point nats = find(scenario, "nats", p);
                final Point floor = find(scenario, "floor", p);
                md.append(String.format(Locale.ROOT, "| %s | %d | %s | %s | %s | %.0f | %.0f | %.0f | %d | %d | %s | %s | %s |%n",
                        p.label(), p.runs(), rate(p.deliveriesPerSecond()), rate(p.linesPerSecond()),
                        p.cpuPerMillion() == null ? "-" : String.format(Locale.ROOT, "%.3f", p.cpuPerMillion()), p.p50(), p.p99(), p.p999(),
                        p.lost(), p.reordered(), ratio(scenario, p, redis), ratio(scenario, p, nats), cpuRatio(p, floor)));
            }
            md.append('\n');
        }
        md.append(OTHER_MEASUREMENTS);
        return md.toString();
    }

    /** The benchmarks with scripts and pages of their own, in this directory. */
    static final String OTHER_MEASUREMENTS = """
            ## Other measurements

            - [cluster.md](cluster.md) (`bench/cluster.sh`): one relay node against three joined by NATS and by Aeron, the \
            sender on node a and the receivers spread over a, b and c; CPU per delivery of the whole cluster, p50 and p99 at \
            5,000 lines/s.
            - [tls.md](tls.md) (`bench/tls.sh`): what TLS costs each engine.
            - [monitoring-scrape.md](monitoring-scrape.md) (`bench/scrape.sh`): what scraping `/metrics` and `/connz` costs.
            - [probe.md](probe.md) (`bench/probe.sh`): fixed-rate tails measured by the independent C probe.
            - [modes/RESULTS.md](modes/RESULTS.md) (`bench/modes.sh`): the routing modes of SPEC section 7.
            """;

    /**
     * @return the point of the server whose label starts with {@code prefix} (e.g. "redis" for "redis-server") and
     *         ends with the same qualifier as {@code row}'s (e.g. " (unpinned)"), or null.
     */
    private static Point find(Scenario scenario, String prefix, Point row) {
        final String qualifier = qualifier(row.label());
        for (Point p : scenario.points().values()) {
            if (p.label().startsWith(prefix) && qualifier(p.label()).equals(qualifier)) {
                return p;
            }
        }
        return null;
    }

    /** @return what follows a label's name in parentheses, e.g. " (unpinned)" of "nio (unpinned)"; "" if nothing. */
    static String qualifier(String label) {
        final int at = label.indexOf(" (");
        return at < 0 ? "" : label.substring(at);
    }

    private static String cpuRatio(Point p, Point floor) {
        if (floor == null || floor.cpuPerMillion() == null || p.cpuPerMillion() == null || floor.cpuPerMillion() == 0) {
            return "-";
        }
        return String.format(Locale.ROOT, "%.2fx", p.cpuPerMillion() / floor.cpuPerMillion());
    }

    private static String ratio(Scenario scenario, Point p, Point peer) {
        if (peer == null) {
            return "-";
        }
        final double value = scenario.maxRate()
                ? (peer.deliveriesPerSecond() == 0 ? 0 : p.deliveriesPerSecond() / peer.deliveriesPerSecond())
                : (peer.p99() == 0 ? 0 : p.p99() / peer.p99());
        return String.format(Locale.ROOT, "%.2fx", value);
    }

    static String rate(double perSecond) {
        return perSecond >= 1e6 ? String.format(Locale.ROOT, "%.2fM", perSecond / 1e6)
                : perSecond >= 1e3 ? String.format(Locale.ROOT, "%.1fK", perSecond / 1e3)
                : String.format(Locale.ROOT, "%.0f", perSecond);
    }
}
