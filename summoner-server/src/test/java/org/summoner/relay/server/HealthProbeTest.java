package org.summoner.relay.server;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HealthProbeTest {
    private HttpServer http;
    private final ByteArrayOutputStream printed = new ByteArrayOutputStream();

    @BeforeEach
    void serve() throws IOException {
        http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        http.createContext("/healthz", exchange -> answer(exchange, 200, "ok\n"));
        http.createContext("/draining", exchange -> answer(exchange, 503, "shutting down\n"));
        http.start();
    }

    private static void answer(com.sun.net.httpserver.HttpExchange exchange, int status, String body) throws IOException {
        final byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @AfterEach
    void stop() {
        http.stop(0);
    }

    private int probe(String path) {
        return HealthProbe.probe("http://127.0.0.1:" + http.getAddress().getPort() + path, new PrintStream(printed, true, StandardCharsets.UTF_8));
    }

    @Test
    void a_200_is_healthy_and_exits_0() {
        assertEquals(0, probe("/healthz"));
        assertEquals("200 ok\n", printed.toString(StandardCharsets.UTF_8));
    }

    @Test
    void a_503_is_unhealthy_and_exits_1_printing_the_reason() {
        assertEquals(1, probe("/draining"));
        assertEquals("503 shutting down\n", printed.toString(StandardCharsets.UTF_8));
    }

    @Test
    void no_answer_is_unhealthy_and_exits_1_naming_the_url() throws IOException {
        final int closed;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = free.getLocalPort();
        }
        assertEquals(1, HealthProbe.probe("http://127.0.0.1:" + closed + "/healthz", new PrintStream(printed, true, StandardCharsets.UTF_8)));
        assertTrue(printed.toString(StandardCharsets.UTF_8).startsWith("no answer from http://127.0.0.1:" + closed + "/healthz: java.net.ConnectException"),
                printed.toString(StandardCharsets.UTF_8));
    }
}
