package org.summoner.relay.monitoring;

import io.prometheus.metrics.config.PrometheusProperties;
import io.prometheus.metrics.exporter.common.PrometheusScrapeHandler;
import io.prometheus.metrics.instrumentation.jvm.JvmBufferPoolMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmClassLoadingMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmCompilationMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmGarbageCollectorMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmMemoryMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmMemoryPoolAllocationMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmRuntimeInfoMetric;
import io.prometheus.metrics.instrumentation.jvm.ProcessMetrics;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.summoner.relay.core.Faults;
import org.summoner.relay.core.RelayCore;
import org.summoner.relay.spi.EngineGauge;
import org.summoner.relay.wire.Untrusted;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The monitoring listener (SPEC section 10, {@code "monitoring"}): HTTP on its own address and its own threads, never
 * a relay thread.
 *
 * <ul>
 *   <li>{@code GET /metrics}: the Prometheus text format (OpenMetrics when the scraper asks for it), through the
 *       Prometheus Java client's {@link PrometheusScrapeHandler}: {@link RelayMetrics}, the listener's own
 *       {@code summoner_monitoring_*} series, and the JVM's memory, GC, class loading and process figures
 *       ({@link JvmRegistry}).</li>
 *   <li>{@code GET /healthz}: {@code 200 ok} while the relay accepts clients and every relay thread runs;
 *       {@code 503 unhealthy: <reason>} once a relay thread died ({@link Faults#unhealthy()}); {@code 503 shutting
 *       down} from the moment its shutdown starts ({@link #shuttingDown()}), so an orchestrator stops sending clients
 *       before they are told to go; {@code 503 draining} once a drain stopped accepting ({@code RunningServer.drain}).</li>
 *   <li>{@code GET /connz?limit=&offset=}: the clients, as {@link Connections} writes them; a bad parameter is a 400
 *       naming it.</li>
 * </ul>
 *
 * Any other path is a 404 and any other method a 405, each with a one-line text body; {@code HEAD} is answered as
 * {@code GET} without the body; a request with a body is answered 413 and its connection closed.
 *
 * <p>Threads: the {@link HttpListener} does all I/O on one thread, {@value #THREAD_NAME}, that never blocks and
 * answers {@code /healthz} and the errors itself, so a health check never waits behind a scrape. {@code /metrics} and
 * {@code /connz} are rendered into memory by {@link HttpLimits#RENDER_THREADS} threads
 * ({@code summoner-monitoring-render-N}) that never touch a socket, so no client can hold one: one thread would do
 * for the CPU, the second keeps a 10,000-client {@code /connz} page from delaying a scrape. The listener's bounds and
 * timeouts are in {@link HttpLimits}. Thread-safe.
 */
public final class MonitoringServer implements AutoCloseable {
    /** The thread that does every accept, read and write of the listener. */
    public static final String THREAD_NAME = "summoner-monitoring-http";
    private static final String ENDPOINTS = "/metrics, /healthz, /connz";
    private static final Logger log = LoggerFactory.getLogger(MonitoringServer.class);
    private static final long FAILURE_LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final RelayCore core;
    private final PrometheusScrapeHandler metrics;
    private final Connections connections;
    private final AtomicLong lastFailureLogNanos = new AtomicLong(System.nanoTime() - FAILURE_LOG_INTERVAL_NANOS);
    private final HttpListener listener;
    private volatile boolean shuttingDown;

    private MonitoringServer(InetSocketAddress address, Supplier<RelayStats> stats, RelayCore core, String engineName,
                             List<EngineGauge> engineGauges, HttpLimits limits) throws IOException {
        this.core = core;
        final PrometheusRegistry registry = new PrometheusRegistry();
        registry.register(new RelayMetrics(stats, core, engineName, engineGauges));
        registry.register(JvmRegistry.COLLECTOR);
        final ListenerMetrics listenerMetrics = new ListenerMetrics();
        registry.register(listenerMetrics);
        registry.register(new DrainMetrics(core.drain()));
        this.metrics = new PrometheusScrapeHandler(PrometheusProperties.get(), registry);
        this.connections = new Connections(core);
        this.listener = HttpListener.start(address, new Routes(), limits);
        listenerMetrics.listener = listener;
    }

    /**
     * Binds {@code address} and serves.
     *
     * @param stats        one snapshot of the relay's counters per call.
     * @param core         the sessions, for {@code /connz} and the queued bytes; its faults, for {@code /healthz}.
     * @param engineName   the engine serving.
     * @param engineGauges the engine's own gauges.
     * @throws IOException when the address cannot be bound ({@link java.net.BindException} with the system's reason).
     */
    public static MonitoringServer start(InetSocketAddress address, Supplier<RelayStats> stats, RelayCore core,
                                         String engineName, List<EngineGauge> engineGauges) throws IOException {
        return new MonitoringServer(address, stats, core, engineName, engineGauges, HttpLimits.DEFAULT);
    }

    /** As {@link #start(InetSocketAddress, Supplier, RelayCore, String, List)}, with other bounds: for tests. */
    static MonitoringServer start(InetSocketAddress address, RelayCore core, HttpLimits limits) throws IOException {
        return new MonitoringServer(address, () -> RelayStats.of(core), core, "test", List.of(), limits);
    }

    /** @return the address bound, with the real port when port 0 was asked for. */
    public InetSocketAddress address() {
        return listener.address();
    }

    /** The relay's shutdown has begun: {@code /healthz} answers 503 from now on; the rest is served until {@link #close()}. */
    public void shuttingDown() {
        shuttingDown = true;
    }

    /** Stops listening and closes every connection; waits at most a second for each of its kinds of thread. Idempotent. */
    @Override
    public void close() {
        shuttingDown = true;
        listener.close();
    }

    /** @return the listener, for tests of its bounds. */
    HttpListener listener() {
        return listener;
    }

    private HttpResponse health() {
        if (shuttingDown) {
            return HttpResponse.text(503, "shutting down");
        }
        if (core.drain().begun()) {
            return HttpResponse.text(503, "draining");
        }
        final String unhealthy = core.faults().unhealthy();
        if (unhealthy == null) {
            return HttpResponse.text(200, "ok");
        }
        // Faults escapes the error's text; a line break could only come from a thread's name, and would end the line.
        final boolean oneLine = unhealthy.indexOf('\n') < 0 && unhealthy.indexOf('\r') < 0;
        return HttpResponse.text(503, "unhealthy: " + (oneLine ? unhealthy : Untrusted.text(unhealthy)));
    }

    private HttpResponse connz(HttpRequest request) throws IOException {
        final Map<String, String> query = query(request.rawQuery());
        final int limit;
        final int offset;
        try {
            limit = Connections.parameter("limit", query.get("limit"), 1, Connections.MAX_LIMIT, Connections.DEFAULT_LIMIT);
            offset = Connections.parameter("offset", query.get("offset"), 0, Integer.MAX_VALUE, 0);
        } catch (Connections.BadQuery e) {
            return HttpResponse.text(400, e.getMessage());
        }
        final ByteArrayOutputStream body = new ByteArrayOutputStream(4096);
        connections.write(offset, limit, body);
        body.write('\n');
        return new HttpResponse(200, "application/json", List.of(), body.toByteArray(), false);
    }

    /** @return the query's parameters, the first of each name, decoded as a whole as {@link java.net.URI#getQuery()} does. */
    private static Map<String, String> query(String rawQuery) {
        final Map<String, String> parameters = new HashMap<>();
        final String raw = rawQuery == null ? null : HttpRequest.percentDecode(rawQuery);
        if (raw == null || raw.isEmpty()) {
            return parameters;
        }
        for (String pair : raw.split("&")) {
            final int equals = pair.indexOf('=');
            parameters.putIfAbsent(equals < 0 ? pair : pair.substring(0, equals), equals < 0 ? "" : pair.substring(equals + 1));
        }
        return parameters;
    }

    private void logFailure(String what, Throwable error) {
        final long now = System.nanoTime();
        final long last = lastFailureLogNanos.get();
        if (now - last >= FAILURE_LOG_INTERVAL_NANOS && lastFailureLogNanos.compareAndSet(last, now)) {
            log.warn("monitoring: {} failed; answered 500 (logged at most every 10 s)", what, error);
        }
    }

    /** The endpoints: which request is answered on the listener's thread, and how the others are rendered. */
    private final class Routes implements Endpoints {
        @Override
        public HttpResponse answer(HttpRequest request) {
            final String path = request.path();
            final boolean known = path.equals("/metrics") || path.equals("/healthz") || path.equals("/connz");
            if (!known) {
                return HttpResponse.text(404, "not found: " + Untrusted.text(path) + " (this server serves " + ENDPOINTS + ")");
            }
            final String method = request.method();
            if (!method.equals("GET") && !method.equals("HEAD")) {
                return new HttpResponse(405, HttpResponse.TEXT, List.of("Allow", "GET, HEAD"),
                        ("method not allowed: " + Untrusted.text(method) + " (only GET and HEAD)\n").getBytes(StandardCharsets.UTF_8),
                        false);
            }
            if (request.hasBody()) {
                return HttpResponse.closing(413, "request bodies are not accepted: this server serves GET and HEAD without one");
            }
            return path.equals("/healthz") ? health() : null;
        }

        @Override
        public HttpResponse render(HttpRequest request) {
            try {
                if (request.path().equals("/metrics")) {
                    final ScrapeExchange exchange = new ScrapeExchange(request);
                    metrics.handleRequest(exchange);
                    if (exchange.failure() != null) {
                        logFailure("collecting /metrics", exchange.failure());
                    }
                    return exchange.response();
                }
                return connz(request);
            } catch (IOException | RuntimeException e) {
                logFailure("rendering " + Untrusted.text(request.path()), e);
                return HttpResponse.text(500, "internal error (the server's log says which)");
            }
        }
    }

    /**
     * The listener's own series, so an operator sees an attack on the monitoring port:
     * {@code summoner_monitoring_connections}, {@code summoner_monitoring_blocked_connections} and
     * {@code summoner_monitoring_closed_total{reason}}.
     */
    private static final class ListenerMetrics implements MultiCollector {
        volatile HttpListener listener;

        @Override
        public MetricSnapshots collect() {
            final HttpListener l = listener;
            if (l == null) {
                return new MetricSnapshots();
            }
            return new MetricSnapshots(
                    GaugeSnapshot.builder().name("summoner_monitoring_connections")
                            .help("Connections to the monitoring listener being read from or answered.")
                            .dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().value(l.connections().activeConnections()).build())
                            .build(),
                    GaugeSnapshot.builder().name("summoner_monitoring_blocked_connections")
                            .help("Monitoring connections whose client does not read its response; each is dropped at "
                                    + "the write timeout.")
                            .dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().value(l.connections().blockedConnections()).build())
                            .build(),
                    CounterSnapshot.builder().name("summoner_monitoring_closed")
                            .help("Monitoring connections the listener closed on its own, by reason: refused at its "
                                    + "connection bound (503), head not complete in time (408, or nothing sent), head "
                                    + "over the bound (414, 431), malformed head (400, 505), response not taken in "
                                    + "time, idle between requests.")
                            .dataPoint(closed("refused", l.connections().refused()))
                            .dataPoint(closed("head_timeout", l.connections().headTimeouts()))
                            .dataPoint(closed("head_too_large", l.connections().headsTooLarge()))
                            .dataPoint(closed("malformed", l.connections().malformed()))
                            .dataPoint(closed("write_timeout", l.connections().writeTimeouts()))
                            .dataPoint(closed("idle", l.connections().idleTimeouts()))
                            .build());
        }

        private static CounterSnapshot.CounterDataPointSnapshot closed(String reason, long value) {
            return CounterSnapshot.CounterDataPointSnapshot.builder().labels(Labels.of("reason", reason)).value(value).build();
        }
    }

    /**
     * The JVM's metrics, registered once per process in a registry of their own: each server's registry reads them
     * through one collector. Memory, memory pools and allocation, GC, buffer pools, class loading, JIT time, runtime
     * and process (CPU, file descriptors, resident memory); not the client library's thread metrics, whose deadlock
     * check stops every thread at a safepoint twice per scrape (measured with {@code -Xlog:safepoint}: two
     * {@code FindDeadlocks} safepoints per scrape), nor native memory, which runs a diagnostic command per scrape.
     */
    private static final class JvmRegistry {
        static final MultiCollector COLLECTOR;

        static {
            final PrometheusRegistry jvm = new PrometheusRegistry();
            JvmMemoryMetrics.builder().register(jvm);
            JvmMemoryPoolAllocationMetrics.builder().register(jvm);
            JvmGarbageCollectorMetrics.builder().register(jvm);
            JvmBufferPoolMetrics.builder().register(jvm);
            JvmClassLoadingMetrics.builder().register(jvm);
            JvmCompilationMetrics.builder().register(jvm);
            JvmRuntimeInfoMetric.builder().register(jvm);
            ProcessMetrics.builder().register(jvm);
            COLLECTOR = jvm::scrape;
        }
    }
}
