package org.summoner.relay.monitoring;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.summoner.relay.config.ServerConfig;
import org.summoner.relay.core.RelayCore;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The monitoring listener under attack, with its deadlines shortened (the package-private {@link HttpLimits}) so that
 * no test waits the production 5 s: a slowloris, a silent connection, an idle keep-alive, a client that never reads
 * pipelined scrapes, more connections than the bound, oversized and malformed heads, bodies and smuggling. These are
 * here rather than in the kit's {@code MonitoringSection} because the listener is the same code whatever the engine,
 * and only here can the deadlines be shortened; the kit runs the attacks that need no deadline on every engine.
 *
 * <p>Real sockets on 127.0.0.1, a timeout on every read. Timings are asserted only as lower bounds (a deadline is not
 * met early) and as wide upper bounds (a bystander is answered within 2 s while an attack holds for longer).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MonitoringServerTest {
    private static final Duration AWAIT = Duration.ofSeconds(20);
    private static final long BYSTANDER_MAX_NANOS = TimeUnit.SECONDS.toNanos(2);
    private static final String OK = "ok\n";

    private final List<AutoCloseable> closeAfter = new ArrayList<>();
    private RelayCore core;

    @AfterEach
    void closeEverything() throws Exception {
        for (int i = closeAfter.size() - 1; i >= 0; i--) {
            closeAfter.get(i).close();
        }
    }

    private MonitoringServer start(HttpLimits limits) throws IOException {
        core = RelayCore.of(ServerConfig.defaults());
        final MonitoringServer server = MonitoringServer.start(new InetSocketAddress("127.0.0.1", 0), core, limits);
        closeAfter.add(server);
        return server;
    }

    private static HttpLimits limits(long headMillis, long idleMillis, long writeMillis, int maxConnections) {
        return new HttpLimits(HttpLimits.MAX_HEAD_BYTES, TimeUnit.MILLISECONDS.toNanos(headMillis),
                TimeUnit.MILLISECONDS.toNanos(idleMillis), TimeUnit.MILLISECONDS.toNanos(writeMillis),
                TimeUnit.MILLISECONDS.toNanos(500), maxConnections, HttpLimits.MAX_LINGERING, HttpLimits.RENDER_THREADS);
    }

    private HttpProbe connect(MonitoringServer server) throws IOException {
        final HttpProbe probe = HttpProbe.connect(server.address());
        closeAfter.add(probe);
        return probe;
    }

    private static void assertText(HttpProbe.Response response, String statusLine, String body) {
        assertEquals(statusLine, response.statusLine());
        assertEquals("text/plain; charset=utf-8", response.header("Content-Type"));
        assertEquals(String.valueOf(body.getBytes(StandardCharsets.UTF_8).length), response.header("Content-Length"));
        assertEquals(body, response.body());
    }

    private static void assertHealthy(HttpProbe.Response response) {
        assertText(response, "HTTP/1.1 200 OK", OK);
    }

    private static void await(String what, BooleanSupplier condition) {
        final long deadline = System.nanoTime() + AWAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("timed out after " + AWAIT + " waiting for " + what);
            }
            Thread.onSpinWait();
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted waiting for " + what);
            }
        }
    }

    /** A pause between the attempts of a loop that awaits a condition, not a synchronisation. */
    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail("interrupted");
        }
    }

    /** @return a healthy client's {@code /healthz}, asserted to be answered within 2 s. */
    private void assertBystanderAnswered(MonitoringServer server) throws IOException {
        final long asked = System.nanoTime();
        try (HttpProbe bystander = HttpProbe.connect(server.address())) {
            bystander.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
            assertHealthy(bystander.read());
        }
        final long tookNanos = System.nanoTime() - asked;
        assertTrue(tookNanos < BYSTANDER_MAX_NANOS, "the bystander waited " + TimeUnit.NANOSECONDS.toMillis(tookNanos) + " ms");
    }

    @Test
    void healthz_answers_503_with_the_reason_once_a_relay_thread_died() throws IOException {
        final MonitoringServer server = start(HttpLimits.DEFAULT);
        final HttpProbe client = connect(server);
        client.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
        assertHealthy(client.read());

        core.faults().threadDied("summoner-nio-worker-0", new IllegalStateException("boom\nforged line"));
        client.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
        assertText(client.read(), "HTTP/1.1 503 Service Unavailable",
                "unhealthy: relay thread summoner-nio-worker-0 failed: java.lang.IllegalStateException: boom\\nforged line\n");

        server.shuttingDown();
        client.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
        assertText(client.read(), "HTTP/1.1 503 Service Unavailable", "shutting down\n");
    }

    @Test
    void a_half_sent_request_does_not_delay_healthz_from_another_client() throws IOException {
        final MonitoringServer server = start(limits(30_000, 60_000, 5_000, 8));
        final HttpProbe half = connect(server);
        half.send("GET /healthz HTTP/1.1\r\nHost: x\r\n");
        await("the half request to be read", () -> server.listener().connections().activeConnections() == 1);

        assertBystanderAnswered(server);
        half.assertSilentFor(100);
        half.send("\r\n");
        assertHealthy(half.read());
    }

    @Test
    void a_slowloris_sending_a_byte_a_second_gets_408_and_is_closed_at_the_head_deadline() throws Exception {
        final long headMillis = 2_500;
        final MonitoringServer server = start(limits(headMillis, 60_000, 5_000, 8));
        final long started = System.nanoTime();
        final HttpProbe slow = connect(server);
        final byte[] request = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        final AtomicBoolean stop = new AtomicBoolean();
        final Thread dripper = new Thread(() -> {
            try {
                for (int i = 0; i < request.length && !stop.get(); i++) {
                    slow.send(new byte[]{request[i]});
                    Thread.sleep(1_000); // the attack's pace, not a synchronisation
                }
            } catch (IOException | InterruptedException e) {
                // closed by the server, as expected
            }
        }, "test-slowloris");
        dripper.start();
        try {
            final HttpProbe.Response timeout = slow.read();
            final long tookNanos = System.nanoTime() - started;
            assertEquals("HTTP/1.1 408 Request Timeout", timeout.statusLine());
            assertEquals("close", timeout.header("Connection"));
            assertEquals("request timeout: the request's head was not complete within 2500 ms\n", timeout.body());
            slow.assertClosed();
            assertTrue(tookNanos >= TimeUnit.MILLISECONDS.toNanos(headMillis),
                    "closed after " + TimeUnit.NANOSECONDS.toMillis(tookNanos) + " ms, before the head deadline");
            assertEquals(1, server.listener().connections().headTimeouts());
        } finally {
            stop.set(true);
            dripper.interrupt();
            dripper.join();
        }
        assertBystanderAnswered(server);
    }

    @Test
    void a_new_connection_that_sends_nothing_is_closed_without_an_answer_at_the_head_deadline() throws IOException {
        final long headMillis = 1_000;
        final MonitoringServer server = start(limits(headMillis, 60_000, 5_000, 8));
        final long started = System.nanoTime();
        final HttpProbe silent = connect(server);
        silent.assertClosed();
        assertTrue(System.nanoTime() - started >= TimeUnit.MILLISECONDS.toNanos(headMillis), "closed before the deadline");
        assertEquals(1, server.listener().connections().headTimeouts());
    }

    @Test
    void a_kept_alive_connection_idle_past_the_idle_timeout_is_closed() throws IOException {
        final long idleMillis = 1_000;
        final MonitoringServer server = start(limits(30_000, idleMillis, 5_000, 8));
        final HttpProbe client = connect(server);
        final long asked = System.nanoTime(); // the idle clock starts later, when the answer is written
        client.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
        assertHealthy(client.read());
        client.assertClosed();
        assertTrue(System.nanoTime() - asked >= TimeUnit.MILLISECONDS.toNanos(idleMillis), "closed before the idle timeout");
        assertEquals(1, server.listener().connections().idleTimeouts());
        assertEquals(0, server.listener().connections().headTimeouts());
    }

    @Test
    void a_client_that_never_reads_its_pipelined_scrapes_is_dropped_at_the_write_timeout_while_healthz_is_answered()
            throws IOException {
        final long writeMillis = 4_000;
        final MonitoringServer server = start(limits(30_000, 60_000, writeMillis, 8));
        final long started = System.nanoTime();
        final HttpProbe greedy = HttpProbe.connect(server.address(), 4096);
        closeAfter.add(greedy);
        greedy.send("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n".repeat(1_000));
        await("the greedy client's socket to be full", () -> server.listener().connections().blockedConnections() == 1);
        assertEquals(0, server.listener().connections().writeTimeouts(), "the attack still holds");

        assertBystanderAnswered(server);

        await("the greedy client to be dropped", () -> server.listener().connections().writeTimeouts() == 1);
        final long droppedNanos = System.nanoTime() - started;
        assertTrue(droppedNanos >= TimeUnit.MILLISECONDS.toNanos(writeMillis),
                "dropped after " + TimeUnit.NANOSECONDS.toMillis(droppedNanos) + " ms, before the write timeout");
        assertEquals(0, server.listener().connections().blockedConnections());
        final String received = new String(greedy.readToEnd(), StandardCharsets.ISO_8859_1);
        assertTrue(received.startsWith("HTTP/1.1 200 OK\r\n"), received.substring(0, Math.min(80, received.length())));
        final int responses = received.split("HTTP/1.1 200 OK\r\n", -1).length - 1;
        assertTrue(responses < 1_000, "it was dropped before it had every response: " + responses);
        await("no connection left", () -> server.listener().connections().activeConnections() == 0);
    }

    @Test
    void responses_without_a_body_wait_whole_for_a_client_that_reads_late() throws Exception {
        // Bodiless responses (HEAD) to a client that reads nothing fill its socket with heads alone: one of them is
        // then written in part, and must wait for the client like any response, not be taken as written.
        final MonitoringServer server = start(limits(30_000, 60_000, 30_000, 8));
        final HttpProbe late = HttpProbe.connect(server.address(), 4096);
        closeAfter.add(late);
        final int requests = 50_000;
        final Thread sender = new Thread(() -> {
            try {
                late.send("HEAD /healthz HTTP/1.1\r\n\r\n".repeat(requests));
            } catch (IOException e) {
                // the test failed and closed the socket
            }
        }, "test-late-reader");
        sender.start();
        await("the late reader's socket to be full", () -> server.listener().connections().blockedConnections() == 1);
        for (int i = 0; i < requests; i++) {
            final HttpProbe.Response head = late.readHead();
            assertEquals("HTTP/1.1 200 OK", head.statusLine(), "response " + i);
            assertEquals("3", head.header("Content-Length"), "response " + i);
        }
        sender.join();
        late.assertSilentFor(100);
        assertEquals(0, server.listener().connections().writeTimeouts());
    }

    @Test
    void at_the_connection_bound_a_new_connection_gets_503_and_is_served_once_the_holders_go() throws IOException {
        final MonitoringServer server = start(limits(30_000, 60_000, 5_000, 4));
        final List<HttpProbe> holders = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            holders.add(connect(server).send("GET /healthz HTTP/1.1\r\n"));
        }
        await("4 connections holding a request", () -> server.listener().connections().activeConnections() == 4);

        try (HttpProbe refused = HttpProbe.connect(server.address())) {
            refused.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
            final HttpProbe.Response answer = refused.read();
            assertEquals("HTTP/1.1 503 Service Unavailable", answer.statusLine());
            assertEquals("close", answer.header("Connection"));
            assertEquals("too many connections: the monitoring listener serves 4 at once\n", answer.body());
            refused.assertClosed();
        }
        assertEquals(1, server.listener().connections().refused());
        assertEquals(4, server.listener().connections().activeConnections(), "a refused connection never counts as served");

        for (HttpProbe holder : holders) {
            holder.close();
        }
        await("the holders to be gone", () -> server.listener().connections().activeConnections() == 0);
        assertBystanderAnswered(server);
    }

    @Test
    void at_the_connection_bound_the_connection_idle_the_longest_makes_room_for_a_new_one() throws IOException {
        final MonitoringServer server = start(limits(30_000, 60_000, 5_000, 2));
        final HttpProbe first = connect(server);
        first.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
        assertHealthy(first.read());
        final HttpProbe second = connect(server);
        second.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
        assertHealthy(second.read());

        final HttpProbe third = connect(server);
        third.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
        assertHealthy(third.read());
        first.assertClosed();
        second.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
        assertHealthy(second.read());
        assertEquals(0, server.listener().connections().refused());
    }

    @Test
    void a_burst_of_connections_over_the_bound_gets_503s_never_a_close_without_an_answer() throws IOException {
        final MonitoringServer server = start(limits(30_000, 60_000, 5_000, 4));
        for (int i = 0; i < 4; i++) {
            connect(server).send("GET /healthz HTTP/1.1\r\n");
        }
        final List<HttpProbe> burst = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            burst.add(connect(server).send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
        }
        for (HttpProbe refused : burst) {
            assertText(refused.read(), "HTTP/1.1 503 Service Unavailable",
                    "too many connections: the monitoring listener serves 4 at once\n");
            refused.assertClosed();
        }
        assertEquals(20, server.listener().connections().refused());
    }

    @Test
    void a_new_connection_silent_for_a_second_makes_room_at_the_bound() throws IOException {
        final MonitoringServer server = start(limits(30_000, 60_000, 5_000, 1));
        final long connected = System.nanoTime();
        final HttpProbe silent = connect(server);
        await("the silent connection to be counted", () -> server.listener().connections().activeConnections() == 1);
        final long deadline = System.nanoTime() + AWAIT.toNanos();
        while (true) {
            try (HttpProbe next = HttpProbe.connect(server.address())) {
                next.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
                final HttpProbe.Response response = next.read();
                if (response.statusLine().equals("HTTP/1.1 200 OK")) {
                    assertHealthy(response);
                    break;
                }
                assertText(response, "HTTP/1.1 503 Service Unavailable",
                        "too many connections: the monitoring listener serves 1 at once\n");
            }
            assertTrue(System.nanoTime() - deadline < 0, "the silent connection was never closed for a new one");
            pause(10);
        }
        assertTrue(System.nanoTime() - connected >= HttpListener.FRESH_EVICTABLE_NANOS, "it had a second to speak");
        silent.assertClosed();
    }

    @Test
    void a_head_over_8_kib_gets_431_and_a_request_line_over_it_414_and_both_are_closed() throws IOException {
        final MonitoringServer server = start(HttpLimits.DEFAULT);
        final HttpProbe headers = connect(server);
        headers.send("GET /healthz HTTP/1.1\r\nHost: x\r\n");
        for (int i = 0; i < 200; i++) {
            headers.send("X-Filler-" + i + ": " + "a".repeat(40) + "\r\n");
        }
        final HttpProbe.Response tooLarge = headers.read();
        assertEquals("HTTP/1.1 431 Request Header Fields Too Large", tooLarge.statusLine());
        assertEquals("close", tooLarge.header("Connection"));
        assertEquals("request head over 8192 bytes\n", tooLarge.body());
        headers.assertClosed();

        final HttpProbe line = connect(server);
        line.send("GET /" + "a".repeat(9_000) + " HTTP/1.1\r\n\r\n");
        final HttpProbe.Response uriTooLong = line.read();
        assertEquals("HTTP/1.1 414 URI Too Long", uriTooLong.statusLine());
        assertEquals("request line over 8192 bytes\n", uriTooLong.body());
        line.assertClosed();
        assertEquals(2, server.listener().connections().headsTooLarge());
        assertBystanderAnswered(server);
    }

    @Test
    void pipelined_requests_get_their_answers_in_order_on_one_connection_and_head_gets_no_body() throws IOException {
        final MonitoringServer server = start(HttpLimits.DEFAULT);
        final HttpProbe client = connect(server);
        client.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
                + "HEAD /metrics HTTP/1.1\r\nHost: x\r\n\r\n"
                + "GET /connz?limit=1 HTTP/1.1\r\nHost: x\r\n\r\n"
                + "HEAD /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
                + "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
        assertHealthy(client.read());
        final HttpProbe.Response head = client.readHead();
        assertEquals("HTTP/1.1 200 OK", head.statusLine());
        assertEquals("text/plain; version=0.0.4; charset=utf-8", head.header("Content-Type"));
        assertTrue(Integer.parseInt(head.header("Content-Length")) > 1000, "HEAD tells the length of the GET body");
        final HttpProbe.Response connz = client.read();
        assertEquals("HTTP/1.1 200 OK", connz.statusLine());
        assertEquals("application/json", connz.header("Content-Type"));
        assertTrue(connz.body().contains("\"total\":0,\"offset\":0,\"limit\":1,\"connections\":[]}"), connz.body());
        final HttpProbe.Response headHealth = client.readHead();
        assertEquals("3", headHealth.header("Content-Length"));
        assertHealthy(client.read());
        client.assertSilentFor(100);
    }

    @Test
    void http_1_0_is_closed_after_its_response_unless_it_asks_to_keep_alive() throws IOException {
        final MonitoringServer server = start(HttpLimits.DEFAULT);
        final HttpProbe plain = connect(server);
        plain.send("GET /healthz HTTP/1.0\r\n\r\n");
        final HttpProbe.Response closing = plain.read();
        assertHealthy(closing);
        assertEquals("close", closing.header("Connection"));
        plain.assertClosed();

        final HttpProbe kept = connect(server);
        kept.send("GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
        assertEquals("keep-alive", kept.read().header("Connection"));
        kept.send("GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
        assertHealthy(kept.read());
    }

    @Test
    void a_request_with_a_body_is_answered_and_closed_and_its_body_is_never_read_as_a_request() throws IOException {
        final MonitoringServer server = start(HttpLimits.DEFAULT);
        final String smuggled = "GET /connz HTTP/1.1\r\nHost: x\r\n\r\n";

        final HttpProbe post = connect(server);
        post.send("POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: " + smuggled.length() + "\r\n\r\n" + smuggled);
        final HttpProbe.Response notAllowed = post.read();
        assertText(notAllowed, "HTTP/1.1 405 Method Not Allowed", "method not allowed: POST (only GET and HEAD)\n");
        assertEquals("GET, HEAD", notAllowed.header("Allow"));
        assertEquals("close", notAllowed.header("Connection"));
        post.assertClosed();

        final HttpProbe chunked = connect(server);
        chunked.send("GET /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                + Integer.toHexString(smuggled.length()) + "\r\n" + smuggled + "\r\n0\r\n\r\n");
        final HttpProbe.Response tooLarge = chunked.read();
        assertText(tooLarge, "HTTP/1.1 413 Content Too Large",
                "request bodies are not accepted: this server serves GET and HEAD without one\n");
        assertEquals("close", tooLarge.header("Connection"));
        chunked.assertClosed();

        final HttpProbe both = connect(server);
        both.send("GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + smuggled);
        final HttpProbe.Response bad = both.read();
        assertText(bad, "HTTP/1.1 400 Bad Request", "bad request: both Content-Length and Transfer-Encoding\n");
        both.assertClosed();

        final HttpProbe empty = connect(server);
        empty.send("GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nExpect: 100-continue\r\n\r\n");
        assertHealthy(empty.read());
        empty.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
        assertHealthy(empty.read());
    }

    @Test
    void malformed_heads_get_400_or_505_and_are_closed() throws IOException {
        final MonitoringServer server = start(HttpLimits.DEFAULT);
        final String requestLine = "bad request: expected METHOD SP TARGET SP HTTP/1.1 as the request line\n";
        final String[][] cases = {
                {"GET /healthz HTTP/1.1\r\nHost: x\rX: y\r\n\r\n", "HTTP/1.1 400 Bad Request", "bad request: a bare CR in a header field\n"},
                {"GET /healthz HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n", "HTTP/1.1 400 Bad Request", "bad request: a header field folded onto the line before\n"},
                {"GET /healthz HTTP/1.1\r\nHost : x\r\n\r\n", "HTTP/1.1 400 Bad Request", "bad request: expected NAME: VALUE as a header field\n"},
                {"GET /healthz HTTP/1.1\r\nX: a\u0000b\r\n\r\n", "HTTP/1.1 400 Bad Request", "bad request: a control character in a header field's value\n"},
                {"GET /heal\u0000thz HTTP/1.1\r\n\r\n", "HTTP/1.1 400 Bad Request", "bad request: the request target holds a byte outside visible ASCII, or a '#'\n"},
                {"GET /heal\u00e9thz HTTP/1.1\r\n\r\n", "HTTP/1.1 400 Bad Request", "bad request: the request target holds a byte outside visible ASCII, or a '#'\n"},
                {"GET /healthz%zz HTTP/1.1\r\n\r\n", "HTTP/1.1 400 Bad Request", "bad request: a '%' in the request target not followed by two hexadecimal digits\n"},
                {"GET /healthz HTTP/1.1\r\nContent-Length: +5\r\n\r\n", "HTTP/1.1 400 Bad Request", "bad request: Content-Length is not one decimal number\n"},
                {"GET /healthz HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", "HTTP/1.1 400 Bad Request", "bad request: Content-Length is not one decimal number\n"},
                {"GET /healthz\r\n\r\n", "HTTP/1.1 400 Bad Request", requestLine},
                {"GET  /healthz HTTP/1.1\r\n\r\n", "HTTP/1.1 400 Bad Request", requestLine},
                {"GET /healthz HTTP/1.1 \r\n\r\n", "HTTP/1.1 400 Bad Request", requestLine},
                {"G(T /healthz HTTP/1.1\r\n\r\n", "HTTP/1.1 400 Bad Request", requestLine},
                {"\u0016\u0003\u0001\u0002\u0000\u0001\u0000\u0001\u00fc\u0003\u0003\n\n", "HTTP/1.1 400 Bad Request", requestLine},
                {"GET /healthz HTTP/2.0\r\n\r\n", "HTTP/1.1 505 HTTP Version Not Supported", "HTTP version not supported: this server speaks HTTP/1.1 and HTTP/1.0\n"},
        };
        for (String[] c : cases) {
            try (HttpProbe probe = HttpProbe.connect(server.address())) {
                probe.send(c[0]);
                final HttpProbe.Response response = probe.read();
                assertEquals(c[1], response.statusLine(), c[0]);
                assertEquals(c[2], response.body(), c[0]);
                assertEquals("close", response.header("Connection"), c[0]);
                probe.assertClosed();
            }
        }
        assertEquals(cases.length, server.listener().connections().malformed());
        assertBystanderAnswered(server);
    }

    @Test
    void request_targets_are_matched_after_percent_decoding_and_in_absolute_form_and_never_echoed_raw() throws IOException {
        final MonitoringServer server = start(HttpLimits.DEFAULT);
        final HttpProbe client = connect(server);
        client.send("GET /he%61lthz HTTP/1.1\r\nHost: x\r\n\r\n");
        assertHealthy(client.read());
        client.send("GET http://monitoring.example:9090/healthz?probe=1 HTTP/1.1\r\nHost: x\r\n\r\n");
        assertHealthy(client.read());
        client.send("GET /healthz%00 HTTP/1.1\r\nHost: x\r\n\r\n");
        assertText(client.read(), "HTTP/1.1 404 Not Found",
                "not found: /healthz\\u0000 (this server serves /metrics, /healthz, /connz)\n");
        client.send("GET /healthz%0D%0AX-Forged:%20yes HTTP/1.1\r\nHost: x\r\n\r\n");
        assertText(client.read(), "HTTP/1.1 404 Not Found",
                "not found: /healthz\\r\\nX-Forged: yes (this server serves /metrics, /healthz, /connz)\n");
        client.send("GET /healthz/ HTTP/1.1\r\nHost: x\r\n\r\n");
        assertEquals("HTTP/1.1 404 Not Found", client.read().statusLine());
        client.send("get /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
        assertText(client.read(), "HTTP/1.1 405 Method Not Allowed", "method not allowed: get (only GET and HEAD)\n");
        client.send("OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n");
        assertText(client.read(), "HTTP/1.1 404 Not Found", "not found: * (this server serves /metrics, /healthz, /connz)\n");
        client.send("\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
        assertHealthy(client.read());
        client.send("GET /healthz HTTP/1.1\nHost: x\n\n");
        assertHealthy(client.read());
        client.send("GET /connz?limit=%31 HTTP/1.1\r\nHost: x\r\n\r\n");
        assertTrue(client.read().body().contains("\"limit\":1,"), "the query is decoded as the JDK's URI.getQuery did");
    }

    @Test
    void metrics_are_negotiated_by_the_prometheus_client_from_accept_and_accept_encoding() throws IOException {
        final MonitoringServer server = start(HttpLimits.DEFAULT);
        final HttpProbe client = connect(server);
        client.send("GET /metrics HTTP/1.1\r\nHost: x\r\nAccept: application/openmetrics-text; version=1.0.0\r\n\r\n");
        final HttpProbe.Response openMetrics = client.read();
        assertEquals("HTTP/1.1 200 OK", openMetrics.statusLine());
        assertEquals("application/openmetrics-text; version=1.0.0; charset=utf-8", openMetrics.header("Content-Type"));
        assertTrue(openMetrics.body().endsWith("# EOF\n"), "OpenMetrics ends with # EOF");
        assertTrue(openMetrics.body().contains("\nsummoner_monitoring_connections 1.0\n"), "its own connection is counted");

        // Prometheus with scrape_protocols: [PrometheusProto, OpenMetricsText1.0.0, PrometheusText0.0.4]: the
        // protobuf writer is not on the class path, so the next format it offers is served, not a 500.
        client.send("GET /metrics HTTP/1.1\r\nHost: x\r\nAccept: application/vnd.google.protobuf;"
                + "proto=io.prometheus.client.MetricFamily;encoding=delimited,application/openmetrics-text;version=1.0.0;"
                + "q=0.5,text/plain;version=0.0.4;q=0.2,*/*;q=0.1\r\n\r\n");
        final HttpProbe.Response protobufFirst = client.read();
        assertEquals("HTTP/1.1 200 OK", protobufFirst.statusLine());
        assertEquals("application/openmetrics-text; version=1.0.0; charset=utf-8", protobufFirst.header("Content-Type"));
        client.send("GET /metrics HTTP/1.1\r\nHost: x\r\nAccept: application/vnd.google.protobuf;"
                + "proto=io.prometheus.client.MetricFamily;encoding=delimited\r\n\r\n");
        final HttpProbe.Response protobufOnly = client.read();
        assertEquals("HTTP/1.1 200 OK", protobufOnly.statusLine());
        assertEquals("text/plain; version=0.0.4; charset=utf-8", protobufOnly.header("Content-Type"));

        client.send("GET /metrics HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\n\r\n");
        final HttpProbe.Response head = client.readHead();
        assertEquals("gzip", head.header("Content-Encoding"));
        final byte[] gzipped = client.readBytes(Integer.parseInt(head.header("Content-Length")));
        final String text;
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gzipped))) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertTrue(text.contains("# TYPE summoner_monitoring_closed_total counter\n"), "the text format, gzipped");
        assertTrue(text.contains("summoner_monitoring_closed_total{reason=\"refused\"} 0.0\n"), text);
    }

    @Test
    void close_stops_listening_and_closes_every_connection() throws IOException {
        final MonitoringServer server = start(HttpLimits.DEFAULT);
        final HttpProbe idle = connect(server);
        idle.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
        assertHealthy(idle.read());
        final HttpProbe half = connect(server);
        half.send("GET /healthz HTTP/1.1\r\n");
        final int port = server.address().getPort();

        server.close();
        idle.assertClosed();
        half.assertClosed();
        assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", port).close());
    }
}
