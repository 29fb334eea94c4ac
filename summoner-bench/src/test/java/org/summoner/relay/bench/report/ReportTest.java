package org.summoner.relay.bench.report;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.summoner.relay.bench.load.LoadResult;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReportTest {

    private static LoadResult run(String label, String scenario, long rate, double deliveries, double p99, long lost) {
        final LoadResult.Latency latency = new LoadResult.Latency(10, 20, p99, p99 * 2, p99 * 3, 12, 1000);
        return new LoadResult(label, scenario, "summoner", "127.0.0.1", 1, 1, 10, 128, rate == 0 ? "max" : "rate", rate,
                1000, 1, 3, 100, 1000, 1000 - lost, lost, 0, 0, 0, 0, null, deliveries / 10, deliveries, latency,
                null, 0.5, null, "2026-01-01T00:00:00Z");
    }

    @Test
    void each_point_is_the_median_of_its_repeats_and_the_worst_loss() {
        final Report report = Report.of(List.of(
                run("nio", "max", 0, 3e6, 100, 0), run("nio", "max", 0, 1e6, 300, 2), run("nio", "max", 0, 2e6, 200, 0),
                run("redis-server", "max", 0, 1e6, 50, 0)));

        final Report.Point nio = report.scenarios().get(0).points().get("nio");
        assertEquals(3, nio.runs());
        assertEquals(2e6, nio.deliveriesPerSecond());
        assertEquals(200, nio.p99());
        assertEquals(2, nio.lost());
        assertEquals(2.5, Report.median(new double[]{4, 1, 3, 2}));
    }

    @Test
    void markdown_has_a_row_per_server_with_ratios_and_the_plots_are_written(@TempDir Path dir) throws Exception {
        final Report report = Report.of(List.of(
                run("nio", "fan-out 10, max rate", 0, 6e6, 100, 0),
                run("redis-server", "fan-out 10, max rate", 0, 3e6, 50, 0),
                run("nats-server", "fan-out 10, max rate", 0, 2e6, 50, 0),
                run("floor", "fan-out 10, max rate", 0, 3e6, 50, 0),
                run("nio", "fan-out 10 at 5,000 lines/s", 5000, 5e4, 100, 0),
                run("redis-server", "fan-out 10 at 5,000 lines/s", 5000, 5e4, 200, 0),
                run("nio (unpinned)", "fan-out 10 at 5,000 lines/s", 5000, 5e4, 300, 0),
                run("redis-server (unpinned)", "fan-out 10 at 5,000 lines/s", 5000, 5e4, 150, 0)));

        final String md = report.markdown("bench/compare.sh", List.of("cores: 2"), List.of("peer: redis 7"));
        assertTrue(md.contains("| nio | 1 | 6.00M | 600.0K | 0.028 | 10 | 100 | 200 | 0 | 0 | 2.00x | 3.00x | 0.50x |"), md);
        assertTrue(md.contains("| nio | 1 | 50.0K | 5.0K | 3.333 | 10 | 100 | 200 | 0 | 0 | 0.50x | - | - |"), md);
        // an unpinned row is compared with the unpinned peer, not the pinned one
        assertTrue(md.contains("| nio (unpinned) | 1 | 50.0K | 5.0K | 3.333 | 10 | 300 | 600 | 0 | 0 | 2.00x | - | - |"), md);
        assertTrue(md.contains("- cores: 2\n- peer: redis 7\n"), md);
        // after the last table, the pages of the other benchmarks
        assertTrue(md.endsWith(" |\n\n" + Report.OTHER_MEASUREMENTS), md.substring(md.length() - 800));
        assertTrue(Report.OTHER_MEASUREMENTS.startsWith("## Other measurements\n\n- [cluster.md](cluster.md) (`bench/cluster.sh`): one relay node"));

        Charts.throughput(report, dir.resolve("throughput.png"));
        Charts.latency(report, dir.resolve("latency.png"));
        assertTrue(Files.size(dir.resolve("throughput.png")) > 1000);
        assertTrue(Files.size(dir.resolve("latency.png")) > 1000);
    }
}
