package org.summoner.relay.monitoring;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import org.summoner.relay.core.Faults;
import org.summoner.relay.core.RelayCore;
import org.summoner.relay.core.Session;
import org.summoner.relay.spi.EngineGauge;
import org.summoner.relay.counters.RelayCounters.FrameRejection;
import org.summoner.relay.wire.Rejection;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.ToLongBiFunction;
import java.util.function.ToLongFunction;

/**
 * The relay's metrics, collected once per scrape from one {@link RelayStats} snapshot: every counter of it as a
 * {@code summoner_*} counter (the reasons of a family as a {@code reason} label), its gauges, the bytes queued for
 * clients now, what the engine tells about itself ({@link org.summoner.relay.spi.RelayEngine#gauges()}) and one
 * {@code summoner_relay_info} series naming the engine, the routing mode and whether the port speaks TLS. Nothing
 * here runs on a relay thread or makes one wait: the snapshot reads counters the engines publish once per turn.
 */
final class RelayMetrics implements MultiCollector {
    /** One series of a family: the {@link RelayStats} component it shows, its label value (or null), how to read it. */
    private record Series(String component, String label, ToLongFunction<RelayStats> value) {
    }

    /** A family of series: its name (a counter's without {@code _total}), help, label name, and its series. */
    private record Family(boolean counter, String name, String help, String labelName, List<Series> series) {
    }

    private static final List<Family> FAMILIES = List.of(
            counter("summoner_connections_opened", "Clients registered since start (over TLS: once their handshake was done).",
                    "connectionsOpened", RelayStats::connectionsOpened),
            counter("summoner_connections_closed", "Registered clients closed since start, for any reason.",
                    "connectionsClosed", RelayStats::connectionsClosed),
            counter("summoner_lines_received", "Complete lines framed from clients, relayed or not.",
                    "linesReceived", RelayStats::linesReceived),
            counter("summoner_received_bytes", "Bytes read from clients.", "bytesReceived", RelayStats::bytesReceived),
            counter("summoner_lines_relayed", "Lines relayed to other clients.", "linesRelayed", RelayStats::linesRelayed),
            counter("summoner_deliveries", "Envelopes queued for recipients: one per recipient per relayed line.",
                    "deliveries", RelayStats::deliveries),
            counter("summoner_deliveries_dropped", "Queued envelopes discarded because the recipient's connection closed first.",
                    "deliveriesDropped", RelayStats::deliveriesDropped),
            counter("summoner_sent_bytes", "Bytes written to clients, envelopes and notices.", "bytesSent", RelayStats::bytesSent),
            counter("summoner_slow_consumer_disconnects", "Recipients closed for not reading fast enough.",
                    "slowConsumerDisconnects", RelayStats::slowConsumerDisconnects),
            new Family(true, "summoner_lines_dropped", "Lines not relayed, by reason; the client was told in a Warning: line.", "reason", List.of(
                    new Series("droppedTooLong", "too_long", RelayStats::droppedTooLong),
                    new Series("droppedInvalidUtf8", "invalid_utf8", RelayStats::droppedInvalidUtf8),
                    new Series("droppedRateLimited", "rate_limited", RelayStats::droppedRateLimited),
                    new Series("droppedEnvelopeTooLong", "envelope_too_long", RelayStats::droppedEnvelopeTooLong),
                    new Series("droppedNoHost", "no_host", RelayStats::droppedNoHost),
                    new Series("droppedHandshakeRequired", "handshake_required", RelayStats::droppedHandshakeRequired),
                    new Series("droppedInputFull", "input_full", RelayStats::droppedInputFull),
                    new Series("droppedVerificationBusy", "verification_busy", RelayStats::droppedVerificationBusy))),
            counter("summoner_idle_disconnects", "Clients closed for sending nothing for client_timeout_secs.",
                    "idleDisconnects", RelayStats::idleDisconnects),
            counter("summoner_dead_peers", "Connections freed because the peer stopped answering (TCP keepalive or retransmissions).",
                    "deadPeers", RelayStats::deadPeers),
            counter("summoner_quarantines", "Addresses quarantined.", "quarantines", RelayStats::quarantines),
            new Family(true, "summoner_connections_rejected", "Connections refused at admission, by reason.", "reason", List.of(
                    new Series("rejectedQuarantined", "quarantined", RelayStats::rejectedQuarantined),
                    new Series("rejectedServerFull", "server_full", RelayStats::rejectedServerFull),
                    new Series("rejectedPerAddress", "per_ip", RelayStats::rejectedPerAddress),
                    new Series("rejectedNotAllowed", "not_allowed", RelayStats::rejectedNotAllowed))),
            counter("summoner_throttles", "Pauses of throttle_delay_ms in reading from clients.", "throttles", RelayStats::throttles),
            counter("summoner_flow_controls", "Pauses of flow_control_delay_ms in reading from clients.",
                    "flowControls", RelayStats::flowControls),
            counter("summoner_accept_errors", "Failed accepts, each followed by a back-off.", "acceptErrors", RelayStats::acceptErrors),
            counter("summoner_hand_off_waits", "Times a hand-off between engine threads was full and its producer waited.",
                    "handOffWaits", RelayStats::handOffWaits),
            new Family(true, "summoner_lines_rejected", "Lines a routing mode refused, by reason code.", "reason",
                    byReason("rejected", Rejection.values(), Rejection::code, (stats, reason) -> stats.rejected(reason))),
            counter("summoner_rejected_closed", "Clients closed after too many rejected lines (invalid_attempts).",
                    "rejectedClosed", RelayStats::rejectedClosed),
            counter("summoner_undeliverable", "Valid lines addressed to an identity or participant no connection was bound to.",
                    "undeliverable", RelayStats::undeliverable),
            counter("summoner_handshakes_completed", "Connections that completed the required handshake.",
                    "handshakesCompleted", RelayStats::handshakesCompleted),
            counter("summoner_handshake_timeouts", "Connections closed for not completing the handshake in time.",
                    "handshakeTimeouts", RelayStats::handshakeTimeouts),
            counter("summoner_tls_handshake_failures", "Connections closed because their TLS handshake failed.",
                    "tlsHandshakeFailures", RelayStats::tlsHandshakeFailures),
            counter("summoner_tls_plaintext_refused", "Connections that spoke plaintext to the TLS port, told and closed.",
                    "tlsPlaintextRefused", RelayStats::tlsPlaintextRefused),
            counter("summoner_tls_renegotiations_refused",
                    "Connections closed for asking for a new TLS handshake once theirs was done (a TLS 1.2 renegotiation).",
                    "tlsRenegotiationsRefused", RelayStats::tlsRenegotiationsRefused),
            counter("summoner_cluster_lines_sent", "Lines sent to other nodes of the cluster, one per node.",
                    "clusterLinesSent", RelayStats::clusterLinesSent),
            counter("summoner_cluster_lines_not_sent", "Lines for other nodes not sent: no backplane link, or back pressure past its wait.",
                    "clusterLinesNotSent", RelayStats::clusterLinesNotSent),
            new Family(true, "summoner_cluster_frames_rejected", "Frames from the cluster's backplane refused and dropped, by reason.",
                    "reason", byReason("clusterFramesRejected", FrameRejection.values(), FrameRejection::code,
                            (stats, reason) -> stats.clusterFramesRejected(reason))),
            counter("summoner_cluster_lines_received", "Lines from other nodes of the cluster for this one.",
                    "clusterLinesReceived", RelayStats::clusterLinesReceived),
            counter("summoner_cluster_lines_lost", "Lines other nodes sent to this one that never arrived (gaps in their line sequence).",
                    "clusterLinesLost", RelayStats::clusterLinesLost),
            gauge("summoner_cluster_nodes", "The other nodes of the cluster this one hears from now.",
                    "clusterNodes", RelayStats::clusterNodes),
            new Family(true, "summoner_faults", "Faults the barrier caught, by where they entered: the connection concerned was told and closed (a frame dropped), every other served on.", "where", List.of(
                    new Series("faultsLine", Faults.Where.LINE.label(), RelayStats::faultsLine),
                    new Series("faultsTimer", Faults.Where.TIMER.label(), RelayStats::faultsTimer),
                    new Series("faultsCluster", Faults.Where.CLUSTER.label(), RelayStats::faultsCluster),
                    new Series("faultsEngine", Faults.Where.ENGINE.label(), RelayStats::faultsEngine))),
            new Family(true, "summoner_config_reloads", "Reloads of the configuration file (SIGHUP), by result: applied, or refused for an error in it (the running configuration stayed).", "result", List.of(
                    new Series("configReloadsApplied", "applied", RelayStats::configReloadsApplied),
                    new Series("configReloadsRefused", "refused", RelayStats::configReloadsRefused))),
            gauge("summoner_connections", "Clients connected now.", "connectionsOpen", RelayStats::connectionsOpen),
            gauge("summoner_quarantined_addresses", "Addresses on the quarantine list now.",
                    "quarantinedAddresses", RelayStats::quarantinedAddresses),
            gauge("summoner_bound_identities", "Identities bound to at least one connection now.",
                    "boundIdentities", RelayStats::boundIdentities),
            gauge("summoner_verification_waiting", "Signed lines waiting for a verification thread now (verification.max_waiting).",
                    "verificationWaiting", RelayStats::verificationWaiting),
            gauge("summoner_hosts_connected", "Connections bound as hosts now (hosted, hybrid).",
                    "hostsConnected", RelayStats::hostsConnected));

    private final Supplier<RelayStats> stats;
    private final RelayCore core;
    private final List<EngineGauge> engineGauges;
    private final Labels info;

    /**
     * @param stats        one snapshot of the counters per call.
     * @param core         the sessions, for the bytes queued for them.
     * @param engineName   the engine serving, for {@code summoner_relay_info}.
     * @param engineGauges the engine's own gauges.
     */
    RelayMetrics(Supplier<RelayStats> stats, RelayCore core, String engineName, List<EngineGauge> engineGauges) {
        this.stats = stats;
        this.core = core;
        this.engineGauges = List.copyOf(engineGauges);
        this.info = Labels.of("engine", engineName,
                "routing", core.config().hyperParameters().routing().mode().key(),
                "tls", Boolean.toString(core.tls() != null));
    }

    @Override
    public MetricSnapshots collect() {
        final RelayStats now = stats.get();
        final List<MetricSnapshot> snapshots = new ArrayList<>(FAMILIES.size() + engineGauges.size() + 2);
        snapshots.add(InfoSnapshot.builder().name("summoner_relay").help("The engine serving, its routing mode and whether the relay port speaks TLS.")
                .dataPoint(InfoSnapshot.InfoDataPointSnapshot.builder().labels(info).build()).build());
        for (Family family : FAMILIES) {
            snapshots.add(snapshot(family, now));
        }
        snapshots.add(GaugeSnapshot.builder().name("summoner_queued_bytes")
                .help("Bytes queued for clients and not yet written to their sockets, all clients together.")
                .dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().value(queuedBytes()).build()).build());
        snapshots.addAll(engineSnapshots());
        return new MetricSnapshots(snapshots);
    }

    /** @return the {@link RelayStats} components these metrics show, for the test that none is left out. */
    static Set<String> statsComponents() {
        final Set<String> components = new LinkedHashSet<>();
        for (Family family : FAMILIES) {
            for (Series series : family.series()) {
                components.add(series.component());
            }
        }
        return components;
    }

    private double queuedBytes() {
        long bytes = 0;
        for (Session session : core.sessions()) {
            bytes += session.output().backlogBytes();
        }
        return bytes;
    }

    private static MetricSnapshot snapshot(Family family, RelayStats now) {
        if (family.counter()) {
            final CounterSnapshot.Builder builder = CounterSnapshot.builder().name(family.name()).help(family.help());
            for (Series series : family.series()) {
                builder.dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().labels(labels(family, series))
                        .value(series.value().applyAsLong(now)).build());
            }
            return builder.build();
        }
        final GaugeSnapshot.Builder builder = GaugeSnapshot.builder().name(family.name()).help(family.help());
        for (Series series : family.series()) {
            builder.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(labels(family, series))
                    .value(series.value().applyAsLong(now)).build());
        }
        return builder.build();
    }

    private static Labels labels(Family family, Series series) {
        return series.label() == null ? Labels.EMPTY : Labels.of(family.labelName(), series.label());
    }

    /** The engine's gauges, one family per name. */
    private List<MetricSnapshot> engineSnapshots() {
        final Map<String, GaugeSnapshot.Builder> families = new LinkedHashMap<>();
        for (EngineGauge gauge : engineGauges) {
            final Labels labels = gauge.labels().isEmpty() ? Labels.EMPTY
                    : Labels.of(new ArrayList<>(gauge.labels().keySet()), new ArrayList<>(gauge.labels().values()));
            families.computeIfAbsent(gauge.name(), name -> GaugeSnapshot.builder().name(name).help(gauge.help()))
                    .dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(labels).value(gauge.value().getAsDouble()).build());
        }
        final List<MetricSnapshot> snapshots = new ArrayList<>(families.size());
        families.values().forEach(builder -> snapshots.add(builder.build()));
        return snapshots;
    }

    private static Family counter(String name, String help, String component, ToLongFunction<RelayStats> value) {
        return new Family(true, name, help, null, List.of(new Series(component, null, value)));
    }

    private static Family gauge(String name, String help, String component, ToLongFunction<RelayStats> value) {
        return new Family(false, name, help, null, List.of(new Series(component, null, value)));
    }

    /** A series per reason code of {@code reasons}, so a reason that has not occurred yet shows 0 rather than no series. */
    private static <R> List<Series> byReason(String component, R[] reasons, Function<R, String> code,
                                             ToLongBiFunction<RelayStats, R> value) {
        final List<Series> series = new ArrayList<>();
        for (R reason : reasons) {
            series.add(new Series(component, code.apply(reason), stats -> value.applyAsLong(stats, reason)));
        }
        return List.copyOf(series);
    }
}
