package org.summoner.relay.spi;

import java.util.Map;
import java.util.Objects;
import java.util.function.DoubleSupplier;
import java.util.regex.Pattern;

/**
 * One value an engine exposes on {@code /metrics} ({@link RelayEngine#gauges()}): a Prometheus gauge named
 * {@code summoner_<engine>_<what>}, with its help text, its labels (gauges of one name differ by their labels), and
 * how to read it.
 *
 * @param name   the metric's name, e.g. {@code summoner_agrona_ring_used_bytes}.
 * @param help   one sentence for the metric's {@code # HELP} line.
 * @param labels label names to values, e.g. {@code ring=lines}; empty for none.
 * @param value  read on a monitoring render thread once per scrape (two scrapes may read it at once): cheap,
 *               thread-safe, never blocking.
 */
public record EngineGauge(String name, String help, Map<String, String> labels, DoubleSupplier value) {
    private static final Pattern NAME = Pattern.compile("summoner_[a-z0-9]+_[a-z0-9_]+");
    private static final Pattern LABEL = Pattern.compile("[a-z][a-z0-9_]*");

    public EngineGauge {
        Objects.requireNonNull(help, "help");
        Objects.requireNonNull(value, "value");
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("gauge name " + name + ": expected summoner_<engine>_<what> in lower case");
        }
        labels = Map.copyOf(labels);
        for (String label : labels.keySet()) {
            if (!LABEL.matcher(label).matches()) {
                throw new IllegalArgumentException("gauge " + name + ": label name " + label + " is not [a-z][a-z0-9_]*");
            }
        }
    }

    /** A gauge without labels. */
    public static EngineGauge of(String name, String help, DoubleSupplier value) {
        return new EngineGauge(name, help, Map.of(), value);
    }
}
