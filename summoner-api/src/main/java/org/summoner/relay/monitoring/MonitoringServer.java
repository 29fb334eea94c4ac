package org.summoner.relay.monitoring;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.prometheus.metrics.config.PrometheusProperties;
import io.prometheus.metrics.exporter.httpserver.MetricsHandler;
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
import org.summoner.relay.RelayStats;
import org.summoner.relay.core.RelayCore;
import org.summoner.relay.spi.EngineGauge;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The monitoring listener (SPEC section 10, {@code "monitoring"}): HTTP on its own address and its own thread,
 * {@code summoner-monitoring-http}, never a relay thread.
 *
 * <ul>
 *   <li>{@code GET /metrics}: the Prometheus text format (OpenMetrics when the scraper asks for it), through the
 *       Prometheus Java client's {@link MetricsHandler}: {@link RelayMetrics} and the JVM's memory, GC, class
 *       loading and process figures ({@link JvmRegistry}).</li>
 *   <li>{@code GET /healthz}: {@code 200 ok} while the relay accepts clients; {@code 503 shutting down} from the
 *       moment its shutdown starts ({@link #shuttingDown()}), so an orchestrator stops sending clients before they are
 *       told to go.</li>
 *   <li>{@code GET /connz?limit=&offset=}: the clients, as {@link Connections} writes them; a bad parameter is a 400
 *       naming it.</li>
 * </ul>
 *
 * Any other path is a 404 and any other method a 405, each with a one-line text body. One request at a time: a
 * scrape never competes with another for the CPU the relay uses. Thread-safe.
 */
public final class MonitoringServer implements AutoCloseable {
    /** The thread that serves every request. */
    public static final String THREAD_NAME = "summoner-monitoring-http";
    private static final String ENDPOINTS = "/metrics, /healthz, /connz";

    private final HttpServer http;
    private final ExecutorService thread;
    private volatile boolean shuttingDown;

    private MonitoringServer(HttpServer http, ExecutorService thread) {
        this.http = http;
        this.thread = thread;
    }

    /**
     * Binds {@code address} and serves.
     *
     * @param stats        one snapshot of the relay's counters per call.
     * @param core         the sessions, for {@code /connz} and the queued bytes.
     * @param engineName   the engine serving.
     * @param engineGauges the engine's own gauges.
     * @throws IOException when the address cannot be bound ({@link java.net.BindException} with the system's reason).
     */
    public static MonitoringServer start(InetSocketAddress address, Supplier<RelayStats> stats, RelayCore core,
                                         String engineName, List<EngineGauge> engineGauges) throws IOException {
        final PrometheusRegistry registry = new PrometheusRegistry();
        registry.register(new RelayMetrics(stats, core, engineName, engineGauges));
        registry.register(JvmRegistry.COLLECTOR);
        final Connections connections = new Connections(core);
        final HttpServer http = HttpServer.create(address, 16);
        final ExecutorService thread = Executors.newSingleThreadExecutor(task -> {
            final Thread t = new Thread(task, THREAD_NAME);
            t.setDaemon(true);
            return t;
        });
        final MonitoringServer server = new MonitoringServer(http, thread);
        final MetricsHandler metrics = new MetricsHandler(PrometheusProperties.get(), registry);
        http.createContext("/", exchange -> server.handle(exchange, metrics, connections));
        http.setExecutor(thread);
        http.start();
        return server;
    }

    /** @return the address bound, with the real port when port 0 was asked for. */
    public InetSocketAddress address() {
        return http.getAddress();
    }

    /** The relay's shutdown has begun: {@code /healthz} answers 503 from now on; the rest is served until {@link #close()}. */
    public void shuttingDown() {
        shuttingDown = true;
    }

    /** Stops listening; a request being answered gets at most a second to finish. Idempotent. */
    @Override
    public void close() {
        shuttingDown = true;
        http.stop(1);
        thread.shutdownNow();
        try {
            thread.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void handle(HttpExchange exchange, MetricsHandler metrics, Connections connections) throws IOException {
        try (exchange) {
            final String method = exchange.getRequestMethod();
            final String path = exchange.getRequestURI().getPath();
            final boolean known = path.equals("/metrics") || path.equals("/healthz") || path.equals("/connz");
            if (!known) {
                text(exchange, 404, "not found: " + path + " (this server serves " + ENDPOINTS + ")");
            } else if (!method.equals("GET") && !method.equals("HEAD")) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                text(exchange, 405, "method not allowed: " + method + " (only GET and HEAD)");
            } else if (path.equals("/metrics")) {
                metrics.handle(exchange);
            } else if (path.equals("/healthz")) {
                text(exchange, shuttingDown ? 503 : 200, shuttingDown ? "shutting down" : "ok");
            } else {
                connz(exchange, connections);
            }
        }
    }

    private static void connz(HttpExchange exchange, Connections connections) throws IOException {
        final Map<String, String> query = query(exchange.getRequestURI());
        final int limit;
        final int offset;
        try {
            limit = Connections.parameter("limit", query.get("limit"), 1, Connections.MAX_LIMIT, Connections.DEFAULT_LIMIT);
            offset = Connections.parameter("offset", query.get("offset"), 0, Integer.MAX_VALUE, 0);
        } catch (Connections.BadQuery e) {
            text(exchange, 400, e.getMessage());
            return;
        }
        final ByteArrayOutputStream body = new ByteArrayOutputStream(4096);
        connections.write(offset, limit, body);
        body.write('\n');
        send(exchange, 200, "application/json", body.toByteArray());
    }

    private static Map<String, String> query(URI uri) {
        final Map<String, String> parameters = new HashMap<>();
        final String raw = uri.getQuery();
        if (raw == null || raw.isEmpty()) {
            return parameters;
        }
        for (String pair : raw.split("&")) {
            final int equals = pair.indexOf('=');
            parameters.putIfAbsent(equals < 0 ? pair : pair.substring(0, equals), equals < 0 ? "" : pair.substring(equals + 1));
        }
        return parameters;
    }

    private static void text(HttpExchange exchange, int status, String line) throws IOException {
        send(exchange, status, "text/plain; charset=utf-8", (line + "\n").getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        final boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(status, head ? -1 : body.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
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
