package org.summoner.relay.monitoring;

import org.junit.jupiter.api.Test;
import org.summoner.relay.monitoring.RelayStats;
import org.summoner.relay.config.ServerConfig;
import org.summoner.relay.core.RelayCore;
import org.summoner.relay.spi.EngineGauge;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code /metrics} leaves no counter of {@link RelayStats} out, and an engine's gauges are named the one way. */
class RelayMetricsTest {
    @Test
    void every_component_of_the_relay_stats_is_a_metric() {
        final Set<String> components = Arrays.stream(RelayStats.class.getRecordComponents())
                .map(java.lang.reflect.RecordComponent::getName).collect(Collectors.toCollection(TreeSet::new));
        final Set<String> missing = new TreeSet<>(components);
        missing.removeAll(RelayMetrics.statsComponents());
        assertEquals(Set.of(), missing, "RelayStats components with no metric");
    }

    @Test
    void one_scrape_reads_one_snapshot_and_the_engine_gauges_once() {
        final RelayCore core = RelayCore.of(ServerConfig.defaults());
        final int[] snapshots = {0};
        final int[] reads = {0};
        final RelayMetrics metrics = new RelayMetrics(() -> {
            snapshots[0]++;
            return RelayStats.of(core);
        }, core, "nio", List.of(EngineGauge.of("summoner_nio_test_gauge", "A test gauge.", () -> ++reads[0])));
        final List<String> names = metrics.collect().stream().map(snapshot -> snapshot.getMetadata().getPrometheusName()).toList();
        assertEquals(1, snapshots[0]);
        assertEquals(1, reads[0]);
        assertTrue(names.contains("summoner_nio_test_gauge"), names.toString());
        assertTrue(names.contains("summoner_queued_bytes"), names.toString());
    }

    @Test
    void engine_gauges_are_named_summoner_engine_what() {
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> EngineGauge.of("ring_fill", "x", () -> 0));
        assertEquals("gauge name ring_fill: expected summoner_<engine>_<what> in lower case", e.getMessage());
        final IllegalArgumentException label = assertThrows(IllegalArgumentException.class,
                () -> new EngineGauge("summoner_nio_x", "x", Map.of("Bad-Label", "1"), () -> 0));
        assertEquals("gauge summoner_nio_x: label name Bad-Label is not [a-z][a-z0-9_]*", label.getMessage());
    }
}
