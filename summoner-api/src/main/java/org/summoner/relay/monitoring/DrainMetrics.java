package org.summoner.relay.monitoring;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import org.summoner.relay.core.Drain;

/**
 * The drain's metrics ({@link Drain}): whether the relay is draining, the clients it told to reconnect, and the lines
 * clients sent after they were told to go (drain, shutdown, idle: any last line), read only to see them close and not
 * relayed: the one loss a rolling upgrade has, counted. Reads three volatile or additive values; thread-safe.
 */
final class DrainMetrics implements MultiCollector {
    private final Drain drain;

    DrainMetrics(Drain drain) {
        this.drain = drain;
    }

    @Override
    public MetricSnapshots collect() {
        return new MetricSnapshots(
                GaugeSnapshot.builder().name("summoner_draining")
                        .help("1 once a drain (kill -USR2) stopped accepting: clients are being told to reconnect; 0 before.")
                        .dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().value(drain.begun() ? 1 : 0).build())
                        .build(),
                CounterSnapshot.builder().name("summoner_drain_clients_told")
                        .help("Clients the drain told \"Warning: Server is draining; reconnect.\" and closed.")
                        .dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().value(drain.clientsTold()).build())
                        .build(),
                CounterSnapshot.builder().name("summoner_lines_after_goodbye")
                        .help("Lines clients sent after the server told them to go (drain, shutdown, idle), not relayed.")
                        .dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().value(drain.linesAfterGoodbye()).build())
                        .build());
    }
}
