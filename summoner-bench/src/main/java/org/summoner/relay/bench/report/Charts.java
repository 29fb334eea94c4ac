package org.summoner.relay.bench.report;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.Styler;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** The two plots of {@code RESULTS.md}, rendered by XChart. */
final class Charts {
    private static final int WIDTH = 900;
    private static final int HEIGHT = 500;

    static {
        System.setProperty("java.awt.headless", "true");
    }

    private Charts() {
    }

    /** Deliveries per second at max rate, one group per max-rate scenario, one bar per server; nothing without one. */
    static void throughput(Report report, Path file) throws IOException {
        if (report.scenarios().stream().noneMatch(Report.Scenario::maxRate)) {
            return;
        }
        final CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT)
                .title("Fan-out throughput at max rate (higher is better)")
                .xAxisTitle("scenario").yAxisTitle("deliveries per second (millions)").build();
        style(chart);
        final List<Report.Scenario> scenarios = report.scenarios().stream().filter(Report.Scenario::maxRate).toList();
        final List<String> categories = categoryNames(scenarios);
        for (String label : labels(scenarios)) {
            final List<Double> values = new ArrayList<>();
            for (Report.Scenario scenario : scenarios) {
                final Report.Point point = scenario.points().get(label);
                values.add(point == null ? 0.0 : point.deliveriesPerSecond() / 1e6);
            }
            chart.addSeries(label, categories, values);
        }
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    /** Latency percentiles at fixed rates, on a log scale: one group per scenario and percentile, one bar per server. */
    static void latency(Report report, Path file) throws IOException {
        if (report.scenarios().stream().allMatch(Report.Scenario::maxRate)) {
            return;
        }
        final CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT)
                .title("Latency at a fixed rate (lower is better)")
                .xAxisTitle("scenario and percentile").yAxisTitle("microseconds (log scale)").build();
        style(chart);
        chart.getStyler().setYAxisLogarithmic(true);
        chart.getStyler().setYAxisMin(1.0); // bars start at the axis minimum, which a log axis needs above 0
        final List<Report.Scenario> scenarios = report.scenarios().stream().filter(s -> !s.maxRate()).toList();
        final List<String> categories = new ArrayList<>();
        for (String name : categoryNames(scenarios)) {
            for (String percentile : List.of("p50", "p99", "p99.9")) {
                categories.add(name + " " + percentile);
            }
        }
        for (String label : labels(scenarios)) {
            final List<Double> values = new ArrayList<>();
            for (Report.Scenario scenario : scenarios) {
                final Report.Point point = scenario.points().get(label);
                values.add(point == null ? 1.0 : Math.max(1.0, point.p50()));
                values.add(point == null ? 1.0 : Math.max(1.0, point.p99()));
                values.add(point == null ? 1.0 : Math.max(1.0, point.p999()));
            }
            chart.addSeries(label, categories, values);
        }
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    /**
     * A category label short enough to stay readable: "x10 max", "x100 4 senders @2000/s"; the scenario's own name when
     * two scenarios of the chart have the same shape (the routing modes' runs differ in what is sent, not in shape).
     */
    private static List<String> categoryNames(List<Report.Scenario> scenarios) {
        final List<String> shapes = scenarios.stream().map(Charts::shapeName).toList();
        return new HashSet<>(shapes).size() == shapes.size() ? shapes : scenarios.stream().map(Report.Scenario::name).toList();
    }

    private static String shapeName(Report.Scenario scenario) {
        final var run = scenario.definition();
        return "x" + run.receivers() + (run.senders() > 1 ? " " + run.senders() + " senders" : "")
                + (run.rate() == 0 ? " max" : " @" + run.rate() + "/s");
    }

    private static void style(CategoryChart chart) {
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setXAxisLabelRotation(20);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setPlotGridVerticalLinesVisible(false);
    }

    private static Set<String> labels(List<Report.Scenario> scenarios) {
        final Set<String> labels = new LinkedHashSet<>();
        for (Report.Scenario scenario : scenarios) {
            labels.addAll(scenario.points().keySet());
        }
        return labels;
    }
}
