package org.summoner.relay.tck;

import org.summoner.relay.RunningServer;
import org.summoner.relay.SummonerServer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** What the kit's monitoring sections share: a server with {@code monitoring} on, and HTTP requests to it. */
public abstract class MonitoringHarness extends IdentityHarness {
    static final Duration HTTP_TIMEOUT = Duration.ofSeconds(10);
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(HTTP_TIMEOUT).build();

    protected RunningServer startMonitored(Map<String, ?> hyperParameters) {
        final Map<String, Object> config = config(hyperParameters);
        config.put("monitoring", Map.of("port", 0));
        return track(new SummonerServer("tck").start("127.0.0.1", 0, config));
    }

    protected HttpResponse<String> get(RunningServer server, String pathAndQuery) throws IOException, InterruptedException {
        final InetSocketAddress at = server.monitoringAddress();
        final HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + at.getPort() + pathAndQuery))
                .timeout(HTTP_TIMEOUT).GET().build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    protected PrometheusText scrape(RunningServer server) throws IOException, InterruptedException {
        final HttpResponse<String> response = get(server, "/metrics");
        assertEquals(200, response.statusCode());
        assertEquals("text/plain; version=0.0.4; charset=utf-8", response.headers().firstValue("Content-Type").orElse(null));
        return PrometheusText.parse(response.body());
    }
}
