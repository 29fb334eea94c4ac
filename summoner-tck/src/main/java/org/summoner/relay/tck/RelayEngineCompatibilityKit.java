package org.summoner.relay.tck;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.summoner.relay.RelayStats;
import org.summoner.relay.RunningServer;
import org.summoner.relay.ServerStartException;
import org.summoner.relay.SummonerServer;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The relay contract ({@code SPEC.md} sections 2 to 5), checked over real loopback sockets against one engine.
 * An engine's test subclasses it and names the engine:
 *
 * <pre>{@code
 * class NioCompatibilityTest extends RelayEngineCompatibilityKit {
 *     protected String engineName() { return "nio"; }
 * }
 * }</pre>
 *
 * <p>Servers start through the public {@link SummonerServer} facade with {@code "version"} set to the engine's
 * name, so the kit also proves the engine is found through {@link java.util.ServiceLoader}. Every server binds
 * 127.0.0.1 (or ::1) on a free port; every read has a deadline; every test has a timeout. Expected bytes are
 * written out by hand here, independent of the API's own encoder.
 *
 * <p>The kit's base configuration lifts {@code rate_limit_msgs_per_minute} so that tests about framing and
 * ordering are not about rate limiting, which has tests of its own.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
public abstract class RelayEngineCompatibilityKit {
    private static final Duration AWAIT = Duration.ofSeconds(20);

    private final List<RunningServer> servers = Collections.synchronizedList(new ArrayList<>());
    private final List<KitClient> clients = Collections.synchronizedList(new ArrayList<>());

    /**
     * @return the engine under test, as the config's {@code "version"} names it (e.g. {@code nio}).
     */
    protected abstract String engineName();

    @AfterEach
    void closeEverything() {
        for (KitClient client : clients) {
            try {
                client.close();
            } catch (IOException ignored) {
                // already gone
            }
        }
        servers.forEach(RunningServer::close);
    }

    /** Starts the engine under test on 127.0.0.1 and a free port, with the kit's base configuration. */
    protected RunningServer startServer() {
        return startServer(Map.of());
    }

    /** As {@link #startServer()}, with these {@code hyper_parameters} on top of the kit's base. */
    protected RunningServer startServer(Map<String, ?> hyperParameters) {
        return startServer("127.0.0.1", hyperParameters);
    }

    protected RunningServer startServer(String host, Map<String, ?> hyperParameters) {
        final RunningServer server = new SummonerServer("tck").start(host, 0, config(hyperParameters));
        servers.add(server);
        return server;
    }

    private Map<String, Object> config(Map<String, ?> hyperParameters) {
        final Map<String, Object> parameters = new LinkedHashMap<>();
        parameters.put("rate_limit_msgs_per_minute", 1_000_000_000);
        parameters.putAll(hyperParameters);
        final Map<String, Object> config = new LinkedHashMap<>();
        config.put("version", engineName());
        config.put("hyper_parameters", parameters);
        return config;
    }

    /** A server of the engine under test with two registered clients. */
    protected record Pair(RunningServer server, KitClient a, KitClient b) {
    }

    /** Starts a server (with these {@code hyper_parameters}) and connects two clients it has registered. */
    protected Pair startPair(Map<String, ?> hyperParameters) throws IOException {
        final RunningServer server = startServer(hyperParameters);
        final KitClient a = connect(server);
        final KitClient b = connect(server);
        awaitConnections(server, 2);
        return new Pair(server, a, b);
    }

    protected Pair startPair() throws IOException {
        return startPair(Map.of());
    }

    /** Connects a client; the kit closes it after the test. */
    protected KitClient connect(RunningServer server) throws IOException {
        return track(KitClient.connect(server.address()));
    }

    private KitClient track(KitClient client) {
        clients.add(client);
        return client;
    }

    /**
     * Waits until the server has registered exactly {@code open} clients: from then on, each of them receives
     * what is relayed.
     */
    protected static void awaitConnections(RunningServer server, long open) {
        await("the server to count " + open + " open connections", () -> server.stats().connectionsOpen() == open,
                () -> "open: " + server.stats().connectionsOpen());
    }

    /**
     * Waits for the counters: engines may publish them once per batch, a moment after the lines went out.
     */
    protected static void awaitStats(RunningServer server, String what, Predicate<RelayStats> condition) {
        await(what, () -> condition.test(server.stats()), () -> server.stats().toString());
    }

    private static void await(String what, BooleanSupplier condition, Callable<String> state) {
        final long deadline = System.nanoTime() + AWAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                String now;
                try {
                    now = state.call();
                } catch (Exception e) {
                    now = e.toString();
                }
                fail("timed out after " + AWAIT + " waiting for " + what + "; " + now);
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted while waiting for " + what);
            }
        }
    }

    /** @return the exact envelope line {@code sender}'s line reaches recipients as, without its {@code \n}. */
    protected static String envelope(KitClient sender, String jsonEscapedContent) {
        return "{\"remote_addr\":\"" + sender.address() + "\",\"content\":\"" + jsonEscapedContent + "\"}";
    }

    private static byte[] bytes(int... values) {
        final byte[] bytes = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            bytes[i] = (byte) values[i];
        }
        return bytes;
    }

    @Test
    @DisplayName("the engine asked for by name is the one that serves")
    void the_engine_named_in_version_serves() {
        assertEquals(engineName(), startServer().engineName());
    }

    @Nested
    @DisplayName("SPEC 3: the envelope")
    class Envelopes {
        @Test
        void a_line_reaches_every_other_client_as_the_exact_envelope() throws IOException {
            final RunningServer server = startServer();
            final KitClient a = connect(server);
            final KitClient b = connect(server);
            final KitClient c = connect(server);
            awaitConnections(server, 3);

            a.send("hello\n");

            final String exact = "{\"remote_addr\":\"127.0.0.1:" + a.localPort() + "\",\"content\":\"hello\"}";
            assertEquals(exact, b.readLine());
            assertEquals(exact, c.readLine());
            a.assertNothingWithin(Duration.ofMillis(200));
        }

        @Test
        void the_sender_never_gets_its_own_line() throws IOException {
            final Pair pair = startPair();
            final KitClient a = pair.a();
            final KitClient b = pair.b();

            a.send("from a\n");
            assertEquals(envelope(a, "from a"), b.readLine());
            b.send("from b\n");

            assertEquals(envelope(b, "from b"), a.readLine(), "a's first line is b's, not its own");
            a.assertNothingWithin(Duration.ofMillis(200));
        }

        @Test
        void counters_count_lines_and_deliveries() throws IOException {
            final RunningServer server = startServer();
            final KitClient a = connect(server);
            final KitClient b = connect(server);
            final KitClient c = connect(server);
            awaitConnections(server, 3);

            a.send("1\n2\n3\n");
            for (int i = 1; i <= 3; i++) {
                assertEquals(envelope(a, String.valueOf(i)), b.readLine());
                assertEquals(envelope(a, String.valueOf(i)), c.readLine());
            }
            awaitStats(server, "6 deliveries", stats -> stats.deliveries() == 6);
            final RelayStats stats = server.stats();
            assertEquals(3, stats.linesReceived());
            assertEquals(3, stats.linesRelayed());
            assertEquals(6, stats.bytesReceived());
            assertEquals(3, stats.connectionsOpened());
        }

        @Test
        void a_line_that_is_json_is_carried_as_an_escaped_string() throws IOException {
            final Pair pair = startPair();
            final KitClient a = pair.a();
            final KitClient b = pair.b();

            a.send("{\"type\":\"offer\",\"price\":[1,2.5],\"ok\":true}\n");

            assertEquals(envelope(a, "{\\\"type\\\":\\\"offer\\\",\\\"price\\\":[1,2.5],\\\"ok\\\":true}"), b.readLine());
        }

        @Test
        void quotes_backslashes_and_control_characters_are_escaped() throws IOException {
            final Pair pair = startPair();
            final KitClient a = pair.a();
            final KitClient b = pair.b();

            final StringBuilder controls = new StringBuilder();
            for (char ch = 0; ch < 0x20; ch++) {
                if (ch != '\n') {
                    controls.append(ch);
                }
            }
            a.send("q\" b\\ /" + controls + "\u007f end\n");

            assertEquals(envelope(a, "q\\\" b\\\\ /"
                    + "\\u0000\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007\\b\\t\\u000b\\f\\r\\u000e\\u000f"
                    + "\\u0010\\u0011\\u0012\\u0013\\u0014\\u0015\\u0016\\u0017\\u0018\\u0019\\u001a\\u001b\\u001c\\u001d\\u001e\\u001f"
                    + "\u007f end"), b.readLine());
        }

        @Test
        void non_ascii_text_arrives_as_the_same_utf8() throws IOException {
            final Pair pair = startPair();
            final KitClient a = pair.a();
            final KitClient b = pair.b();

            a.send("héllo 世界 😀 \u2028\n");

            assertEquals(envelope(a, "héllo 世界 😀 \u2028"), b.readLine());
        }

        @Test
        void remote_addr_of_an_ipv6_client_is_bracketed() throws IOException {
            assumeTrue(ipv6LoopbackWorks(), "IPv6 loopback (::1) is not available on this machine");
            final RunningServer server = startServer("::1", Map.of());
            final KitClient a = track(KitClient.connect(new InetSocketAddress("::1", server.address().getPort())));
            final KitClient b = track(KitClient.connect(new InetSocketAddress("::1", server.address().getPort())));
            awaitConnections(server, 2);

            a.send("v6\n");

            assertEquals("{\"remote_addr\":\"[::1]:" + a.address().substring(a.address().lastIndexOf(':') + 1)
                    + "\",\"content\":\"v6\"}", b.readLine());
        }
    }

    @Nested
    @DisplayName("SPEC 2: transport and framing")
    class Framing {
        @Test
        void an_empty_line_is_relayed_with_empty_content() throws IOException {
            final Pair pair = startPair();
            final KitClient a = pair.a();
            final KitClient b = pair.b();

            a.send("\n");

            assertEquals(envelope(a, ""), b.readLine());
        }

        @Test
        void one_carriage_return_before_the_newline_is_stripped() throws IOException {
            final Pair pair = startPair();
            final KitClient a = pair.a();
            final KitClient b = pair.b();

            a.send("windows\r\n\r\nmid\rline\n");

            assertEquals(envelope(a, "windows"), b.readLine());
            assertEquals(envelope(a, ""), b.readLine());
            assertEquals(envelope(a, "mid\\rline"), b.readLine());
        }

        @Test
        void several_lines_in_one_write_are_relayed_in_order() throws IOException {
            final Pair pair = startPair();
            final KitClient a = pair.a();
            final KitClient b = pair.b();

            a.send("one\ntwo\nthree\n");

            assertEquals(envelope(a, "one"), b.readLine());
            assertEquals(envelope(a, "two"), b.readLine());
            assertEquals(envelope(a, "three"), b.readLine());
        }

        @Test
        void a_line_split_across_many_writes_is_relayed_once_and_whole() throws Exception {
            final Pair pair = startPair();
            final KitClient a = pair.a();
            final KitClient b = pair.b();

            final byte[] line = "split é 😀 line\r\n".getBytes(StandardCharsets.UTF_8);
            for (byte value : line) {
                a.send(new byte[]{value});
                Thread.sleep(2);
            }

            assertEquals(envelope(a, "split é 😀 line"), b.readLine());
            b.assertNothingWithin(Duration.ofMillis(200));
        }

        @Test
        void a_final_line_without_newline_is_relayed_when_the_client_closes() throws IOException {
            final RunningServer server = startServer();
            final KitClient a = connect(server);
            final KitClient b = connect(server);
            final KitClient c = connect(server);
            awaitConnections(server, 3);

            a.send("last words");
            a.shutdownOutput();
            c.send("bye");
            c.close();

            final List<String> got = List.of(b.readLine(), b.readLine());
            assertTrue(got.contains(envelope(a, "last words")), got.toString());
            assertTrue(got.contains(envelope(c, "bye")), got.toString());
        }

        @Test
        void a_line_of_exactly_max_line_bytes_is_relayed() throws IOException {
            final Pair pair = startPair(Map.of("max_line_bytes", 1024));
            final KitClient a = pair.a();
            final KitClient b = pair.b();

            final String full = "a".repeat(1024);
            a.send(full + "\n" + full + "\r\n");

            assertEquals(envelope(a, full), b.readLine());
            assertEquals(envelope(a, full), b.readLine());
        }

        @Test
        void an_over_long_line_is_dropped_with_a_warning_and_the_connection_stays_open() throws IOException {
            final Pair pair = startPair(Map.of("max_line_bytes", 1024));
            final RunningServer server = pair.server();
            final KitClient a = pair.a();
            final KitClient b = pair.b();

            a.send("b".repeat(1025) + "\n");
            assertEquals("Warning: Line exceeds max_line_bytes (1024 bytes) and was dropped.", a.readLine());
            a.send("still here\n");

            assertEquals(envelope(a, "still here"), b.readLine(), "the over-long line never reaches anyone");
            awaitStats(server, "one line dropped as too long", stats -> stats.droppedTooLong() == 1);
        }

        @Test
        void a_huge_line_gets_one_warning_and_the_next_line_is_relayed() throws IOException {
            final Pair pair = startPair(Map.of("max_line_bytes", 4096));
            final RunningServer server = pair.server();
            final KitClient a = pair.a();
            final KitClient b = pair.b();

            final byte[] chunk = new byte[64 * 1024];
            Arrays.fill(chunk, (byte) 'z');
            for (int i = 0; i < 160; i++) { // 10 MiB in one line, far past the limit
                a.send(chunk);
            }
            a.send("\nnext\n");

            assertEquals("Warning: Line exceeds max_line_bytes (4096 bytes) and was dropped.", a.readLine());
            assertEquals(envelope(a, "next"), b.readLine());
            a.assertNothingWithin(Duration.ofMillis(200));
            awaitStats(server, "one line dropped as too long", stats -> stats.droppedTooLong() == 1);
        }

        /**
         * A line whose envelope is exactly {@code max_envelope_bytes} (65,536 by default, the longest line the Summoner
         * Python client reads) is relayed, one byte more is not: built of {@code a}, of {@code "} (escaped to two
         * bytes) and of U+0001 (escaped to six), so escaping is what crosses the bound, never the line's own length.
         */
        @ParameterizedTest(name = "made of {0}")
        @ValueSource(strings = {"a", "quote", "u0001"})
        void an_envelope_of_exactly_max_envelope_bytes_is_relayed_and_one_byte_more_is_not(String unit) throws IOException {
            final Pair pair = startPair();
            final RunningServer server = pair.server();
            final KitClient a = pair.a();
            final KitClient b = pair.b();
            final String raw = unit.equals("a") ? "a" : unit.equals("quote") ? "\"" : "\u0001";
            final String escaped = unit.equals("a") ? "a" : unit.equals("quote") ? "\\\"" : "\\u0001";
            final int room = 65_536 - envelope(a, "").length() - 1; // the envelope's own bytes and its \n
            final int units = room / escaped.length();
            final String pad = "a".repeat(room - units * escaped.length());

            a.send(raw.repeat(units) + pad + "\n");
            final String relayed = b.readLine();
            assertEquals(envelope(a, escaped.repeat(units) + pad), relayed);
            assertEquals(65_536, relayed.getBytes(StandardCharsets.UTF_8).length + 1);

            a.send(raw.repeat(units) + pad + "a\n");
            assertEquals("Warning: Line exceeds max_envelope_bytes (65536 bytes) once wrapped and was dropped.", a.readLine());
            a.send("next\n");
            assertEquals(envelope(a, "next"), b.readLine(), "the line over the bound reached no one");
            awaitStats(server, "one line dropped as an envelope too long", stats -> stats.droppedEnvelopeTooLong() == 1
                    && stats.linesRelayed() == 2);
        }

        @Test
        void max_envelope_bytes_is_quoted_in_the_warning_and_bounds_every_relayed_line() throws IOException {
            final Pair pair = startPair(Map.of("max_envelope_bytes", 200));
            final KitClient a = pair.a();
            final KitClient b = pair.b();
            final int room = 200 - envelope(a, "").length() - 1;

            a.send("\u0001".repeat(room / 6 + 1) + "\n");
            assertEquals("Warning: Line exceeds max_envelope_bytes (200 bytes) once wrapped and was dropped.", a.readLine());
            a.send("x".repeat(room) + "\n");
            assertEquals(envelope(a, "x".repeat(room)), b.readLine());
        }

        @ParameterizedTest(name = "bytes {0}")
        @ValueSource(strings = {"ff", "c0af", "eda080", "f4908080", "e282", "41fe42", "80"})
        void a_line_that_is_not_utf8_is_dropped_with_a_warning_and_the_connection_stays_open(String hex) throws IOException {
            final Pair pair = startPair();
            final RunningServer server = pair.server();
            final KitClient a = pair.a();
            final KitClient b = pair.b();

            final byte[] invalid = HexFormat.of().parseHex(hex);
            final byte[] line = Arrays.copyOf(invalid, invalid.length + 1);
            line[invalid.length] = '\n';
            a.send(line);
            assertEquals("Warning: Line is not valid UTF-8 and was dropped.", a.readLine());
            a.send("valid\n");

            assertEquals(envelope(a, "valid"), b.readLine());
            awaitStats(server, "one line dropped as invalid UTF-8", stats -> stats.droppedInvalidUtf8() == 1);
        }
    }

    @Nested
    @DisplayName("SPEC 4: delivery")
    class Delivery {
        private static final int SENDERS = 4;
        private static final int LINES_PER_SENDER = 2500;
        private static final int LISTENERS = 2;

        @ParameterizedTest(name = "worker_threads = {0}")
        @ValueSource(ints = {1, 4})
        void every_recipient_sees_each_senders_lines_all_and_in_order(int workerThreads) throws Exception {
            // Queues may hold everything here: this test is about order, not about slow consumers.
            final RunningServer server = startServer(Map.of("worker_threads", workerThreads,
                    "backpressure_policy", Map.of("disconnect_threshold", 1_000_000),
                    "max_queued_bytes", 1L << 30));
            final List<KitClient> senders = new ArrayList<>();
            final List<KitClient> listeners = new ArrayList<>();
            for (int i = 0; i < SENDERS; i++) {
                senders.add(connect(server));
            }
            for (int i = 0; i < LISTENERS; i++) {
                listeners.add(connect(server));
            }
            awaitConnections(server, SENDERS + LISTENERS);

            final ExecutorService pool = Executors.newFixedThreadPool(2 * SENDERS + LISTENERS);
            try {
                final List<Future<String>> checks = new ArrayList<>();
                for (int i = 0; i < SENDERS; i++) {
                    checks.add(pool.submit(orderCheck(senders.get(i), senders, i, (SENDERS - 1) * LINES_PER_SENDER)));
                }
                for (KitClient listener : listeners) {
                    checks.add(pool.submit(orderCheck(listener, senders, -1, SENDERS * LINES_PER_SENDER)));
                }
                final List<Future<?>> sends = new ArrayList<>();
                for (int i = 0; i < SENDERS; i++) {
                    final int sender = i;
                    sends.add(pool.submit(() -> {
                        final OutputStream out = new BufferedOutputStream(socketOutput(senders.get(sender)), 8192);
                        for (int seq = 0; seq < LINES_PER_SENDER; seq++) {
                            out.write((sender + " " + seq + " the quick brown fox jumps over the lazy dog\n")
                                    .getBytes(StandardCharsets.US_ASCII));
                        }
                        out.flush();
                        return null;
                    }));
                }
                for (Future<?> send : sends) {
                    send.get(60, TimeUnit.SECONDS);
                }
                for (Future<String> check : checks) {
                    assertEquals("ok", check.get(60, TimeUnit.SECONDS));
                }
            } finally {
                pool.shutdownNow();
            }
            assertEquals(0, server.stats().deliveriesDropped());
        }

        /**
         * Reads {@code expected} envelopes and checks each sender's sequence numbers arrive 0, 1, 2, ... and never
         * from {@code self}.
         */
        private Callable<String> orderCheck(KitClient reader, List<KitClient> senders, int self, int expected) {
            return () -> {
                final int[] next = new int[senders.size()];
                for (int received = 0; received < expected; received++) {
                    final String line = reader.readLine();
                    final int from = senderOf(line, senders);
                    if (from == self) {
                        return reader.address() + " got its own line: " + line;
                    }
                    final String content = line.substring(line.indexOf("\"content\":\"") + 11);
                    final String[] fields = content.split(" ");
                    final int seq = Integer.parseInt(fields[1]);
                    if (Integer.parseInt(fields[0]) != from) {
                        return "content of sender " + fields[0] + " under remote_addr of sender " + from + ": " + line;
                    }
                    if (seq != next[from]) {
                        return reader.address() + " expected line " + next[from] + " of sender " + from + " but got " + seq;
                    }
                    next[from]++;
                }
                return "ok";
            };
        }

        private int senderOf(String line, List<KitClient> senders) {
            for (int i = 0; i < senders.size(); i++) {
                if (line.startsWith("{\"remote_addr\":\"" + senders.get(i).address() + "\",")) {
                    return i;
                }
            }
            return fail("envelope from no known sender: " + line);
        }

        @Test
        void a_client_gets_only_lines_sent_after_it_connected() throws IOException {
            final Pair pair = startPair();
            final RunningServer server = pair.server();
            final KitClient a = pair.a();
            final KitClient b = pair.b();
            a.send("before\n");
            assertEquals(envelope(a, "before"), b.readLine());

            final KitClient late = connect(server);
            awaitConnections(server, 3);
            a.send("after\n");

            assertEquals(envelope(a, "after"), late.readLine());
        }

        @Test
        void a_stalled_client_neither_delays_the_others_nor_is_buffered_without_bound() throws Exception {
            final int lines = 30_000;
            final int threshold = 2_000;
            // The sender keeps at most this many lines ahead of the healthy reader, so only the stalled client
            // can fall behind by the threshold, however fast this machine is.
            final int window = threshold / 4;
            // Throttle and flow control off: they slow every sender on purpose (see the fair-use tests); this test
            // is about the slow consumer alone.
            final RunningServer server = startServer(Map.of("backpressure_policy", Map.of("disconnect_threshold", threshold,
                    "enable_throttle", false, "enable_flow_control", false)));
            final KitClient sender = connect(server);
            final KitClient healthy = connect(server);
            final KitClient stalled = track(KitClient.connect(server.address(), 4096));
            awaitConnections(server, 3);
            final String padding = "p".repeat(980);
            final AtomicInteger healthyGot = new AtomicInteger();

            final ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                final Future<String> reader = pool.submit(() -> {
                    for (int seq = 0; seq < lines; seq++) {
                        final String line = healthy.readLine();
                        if (!line.endsWith("\"content\":\"" + seq + " " + padding + "\"}")) {
                            return "line " + seq + " was " + line.substring(0, Math.min(80, line.length()));
                        }
                        healthyGot.incrementAndGet();
                    }
                    return "ok";
                });
                pool.submit(() -> {
                    final OutputStream out = new BufferedOutputStream(socketOutput(sender), 64 * 1024);
                    for (int seq = 0; seq < lines; seq++) {
                        if (seq - healthyGot.get() >= window) {
                            out.flush();
                            while (seq - healthyGot.get() >= window && !reader.isDone()) {
                                Thread.sleep(1);
                            }
                        }
                        out.write((seq + " " + padding + "\n").getBytes(StandardCharsets.US_ASCII));
                    }
                    out.flush();
                    return null;
                }).get(90, TimeUnit.SECONDS);

                assertEquals("ok", reader.get(90, TimeUnit.SECONDS), "the healthy client got everything, in order, "
                        + "while the stalled one had read nothing");
            } finally {
                pool.shutdownNow();
            }

            final int got = stalled.countLinesUntilEnd();
            assertTrue(got < lines, "the stalled client was cut off, not buffered for: it got " + got + " of " + lines);
            awaitStats(server, "one slow consumer closed with its queue dropped",
                    stats -> stats.slowConsumerDisconnects() == 1 && stats.deliveriesDropped() > 0);
        }

        /**
         * The isolation rule on default thresholds: one client that never reads costs a healthy receiver nothing.
         * The sender stays at most {@code WINDOW} lines ahead of the healthy reader, so only the stalled client can
         * fall behind; before the rule, throttle and flow control paused the sender for seconds (7,400 of 20,000
         * lines in 12 s).
         */
        @Test
        void a_reader_that_never_reads_costs_a_healthy_receiver_nothing_on_default_thresholds() throws Exception {
            final int lines = 20_000;
            final int window = 50;
            final RunningServer server = startServer(); // the kit's base: default thresholds, rate limit lifted
            final KitClient sender = connect(server);
            final KitClient healthy = connect(server);
            final KitClient stalled = track(KitClient.connect(server.address(), 4096));
            awaitConnections(server, 3);
            final String padding = "p".repeat(1000);
            final AtomicInteger healthyGot = new AtomicInteger();

            final ExecutorService pool = Executors.newFixedThreadPool(2);
            final long start = System.nanoTime();
            try {
                final Future<String> reader = pool.submit(() -> {
                    for (int seq = 0; seq < lines; seq++) {
                        final String line = healthy.readLine();
                        if (!line.endsWith("\"content\":\"" + seq + " " + padding + "\"}")) {
                            return "line " + seq + " was " + line.substring(0, Math.min(80, line.length()));
                        }
                        healthyGot.incrementAndGet();
                    }
                    return "ok";
                });
                pool.submit(() -> {
                    final OutputStream out = new BufferedOutputStream(socketOutput(sender), 16 * 1024);
                    for (int seq = 0; seq < lines; seq++) {
                        if (seq - healthyGot.get() >= window) {
                            out.flush();
                            while (seq - healthyGot.get() >= window && !reader.isDone()) {
                                LockSupport.parkNanos(50_000);
                            }
                        }
                        out.write((seq + " " + padding + "\n").getBytes(StandardCharsets.US_ASCII));
                    }
                    out.flush();
                    return null;
                }).get(30, TimeUnit.SECONDS);
                assertEquals("ok", reader.get(30, TimeUnit.SECONDS));
            } finally {
                pool.shutdownNow();
            }
            final long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

            assertTrue(millis < 10_000, "all 20,000 lines in " + millis + " ms");
            assertTrue(stalled.countLinesUntilEnd() < lines, "the stalled client was cut off");
            awaitStats(server, "the stalled client closed as a slow consumer", stats -> stats.slowConsumerDisconnects() == 1);
            final RelayStats stats = server.stats();
            assertEquals(0, stats.throttles() + stats.flowControls(), "no one was paused: " + stats.summary());
        }

        @Test
        void one_thousand_clients_receive_one_broadcast() throws IOException {
            final RunningServer server = startServer();
            final KitClient sender = connect(server);
            final List<KitClient> receivers = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                receivers.add(connect(server));
            }
            awaitConnections(server, 1001);

            sender.send("to everyone\n");

            for (KitClient receiver : receivers) {
                assertEquals(envelope(sender, "to everyone"), receiver.readLine());
            }
            awaitStats(server, "1000 deliveries", stats -> stats.deliveries() == 1000);
            final RelayStats stats = server.stats(); // a room of healthy clients trips no gate, with the default thresholds
            assertEquals(0, stats.throttles() + stats.flowControls() + stats.slowConsumerDisconnects(), stats.toString());
        }

        @Test
        void fifty_peers_resetting_mid_stream_do_not_disturb_the_others() throws Exception {
            final int lines = 2_000;
            final RunningServer server = startServer();
            final KitClient sender = connect(server);
            final KitClient receiver = connect(server);
            awaitConnections(server, 2);

            final ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                final Future<?> peers = pool.submit(() -> {
                    for (int i = 0; i < 50; i++) {
                        try (Socket peer = new Socket()) {
                            peer.setSoTimeout((int) KitClient.READ_TIMEOUT.toMillis());
                            peer.connect(server.address(), 10_000);
                            peer.getOutputStream().write(("partial line from peer " + i).getBytes(StandardCharsets.US_ASCII));
                            Thread.sleep(ThreadLocalRandom.current().nextInt(5));
                            peer.setSoLinger(true, 0); // close() now sends a reset
                        }
                    }
                    return null;
                });
                final OutputStream out = socketOutput(sender);
                for (int seq = 0; seq < lines; seq++) {
                    out.write((seq + "\n").getBytes(StandardCharsets.US_ASCII));
                    if (seq % 100 == 0) {
                        Thread.sleep(5);
                    }
                }
                peers.get(60, TimeUnit.SECONDS);
            } finally {
                pool.shutdownNow();
            }

            for (int seq = 0; seq < lines; seq++) {
                assertEquals(envelope(sender, String.valueOf(seq)), receiver.readLine());
            }
            awaitConnections(server, 2);
            final KitClient newcomer = connect(server);
            awaitConnections(server, 3);
            sender.send("still serving\n");
            assertEquals(envelope(sender, "still serving"), newcomer.readLine());
            assertEquals(envelope(sender, "still serving"), receiver.readLine());
        }
    }

    @Nested
    @DisplayName("SPEC 5 and start-up: server lines and lifecycle")
    class Lifecycle {
        @Test
        void every_client_gets_the_shutdown_notice_and_then_end_of_stream() throws Exception {
            final RunningServer server = startServer();
            final List<KitClient> all = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                all.add(connect(server));
            }
            awaitConnections(server, 20);

            final Thread closer = new Thread(server::close, "tck-closer");
            closer.start();
            for (KitClient client : all) {
                assertEquals("Warning: Server is shutting down.", client.readLine());
                client.assertEndOfStream();
                client.close();
            }
            closer.join(30_000);
            assertTrue(!closer.isAlive(), "close() returned");
        }

        @Test
        void a_busy_port_fails_start_up_with_a_clear_error() throws IOException {
            try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
                final ServerStartException e = assertThrows(ServerStartException.class,
                        () -> new SummonerServer("tck").start("127.0.0.1", busy.getLocalPort(), config(Map.of())));
                assertEquals("cannot bind 127.0.0.1:" + busy.getLocalPort() + ": Address already in use", e.getMessage());
            }
        }

        @Test
        void close_frees_the_port_and_can_be_called_twice() throws IOException {
            final RunningServer server = startServer();
            final int port = server.address().getPort();
            server.close();
            server.close();
            try (ServerSocket again = new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"))) {
                assertNotNull(again);
            }
        }
    }

    @Nested
    @DisplayName("SPEC 6: fair use (hyper_parameters)")
    class FairUse {
        /** Big enough that a few dozen fill a stalled client's socket buffers; well under max_line_bytes. */
        private static final int BIG_LINE = 32 * 1024;
        private final ExecutorService readers = Executors.newCachedThreadPool();

        @org.junit.jupiter.api.AfterEach
        void stopReaders() {
            readers.shutdownNow();
        }

        /** Keeps reading a client's lines in the background, as a healthy client does, recording when each came. */
        private List<Long> drainInBackground(KitClient client) {
            final List<Long> arrivals = Collections.synchronizedList(new ArrayList<>());
            readers.submit(() -> {
                while (true) {
                    final String line = client.readLineOrEnd();
                    if (line == null) {
                        return null;
                    }
                    if (line.endsWith("\"content\":\"mark\"}")) {
                        arrivals.add(System.nanoTime());
                    }
                }
            });
            return arrivals;
        }

        /** A client that never reads, with a small receive buffer: what is sent to it backs up on the server. */
        private KitClient stalled(RunningServer server) throws IOException {
            return track(KitClient.connect(server.address(), 4096));
        }

        /** Sends big lines until the counters satisfy {@code condition}; fails if 2,000 lines do not get there. */
        private void pushUntil(RunningServer server, KitClient sender, String what, Predicate<RelayStats> condition) throws Exception {
            final String line = "z".repeat(BIG_LINE) + "\n";
            for (int i = 0; i < 2_000; i++) {
                if (condition.test(server.stats())) {
                    return;
                }
                sender.send(line);
                Thread.sleep(2);
            }
            awaitStats(server, what, condition);
        }

        private Map<String, Object> parameters(Object... keysAndValues) {
            final Map<String, Object> parameters = new LinkedHashMap<>();
            parameters.put("quarantine_cooldown_secs", 0);
            for (int i = 0; i < keysAndValues.length; i += 2) {
                parameters.put((String) keysAndValues[i], keysAndValues[i + 1]);
            }
            return parameters;
        }

        private Map<String, Object> policy(boolean throttle, int throttleAt, boolean flowControl, int flowAt, boolean disconnect, int disconnectAt) {
            return Map.of("enable_throttle", throttle, "throttle_threshold", throttleAt,
                    "enable_flow_control", flowControl, "flow_control_threshold", flowAt,
                    "enable_disconnect", disconnect, "disconnect_threshold", disconnectAt);
        }

        @Test
        void rate_limit_drops_lines_over_the_allowance_and_warns_the_sender() throws IOException {
            final RunningServer server = startServer(Map.of("rate_limit_msgs_per_minute", 5));
            final KitClient a = connect(server);
            final KitClient b = connect(server);
            awaitConnections(server, 2);

            a.send("1\n2\n3\n4\n5\n6\n7\n8\n");

            for (int i = 1; i <= 5; i++) {
                assertEquals(envelope(a, String.valueOf(i)), b.readLine());
            }
            for (int i = 6; i <= 8; i++) {
                assertEquals("Warning: You are sending messages too quickly. Please slow down.", a.readLine());
            }
            b.assertNothingWithin(Duration.ofMillis(200));
            awaitStats(server, "3 lines dropped by the rate limit", stats -> stats.droppedRateLimited() == 3);
        }

        @Test
        void rate_limit_allowance_refills_over_time() throws Exception {
            final RunningServer server = startServer(Map.of("rate_limit_msgs_per_minute", 60)); // one a second
            final KitClient a = connect(server);
            final KitClient b = connect(server);
            awaitConnections(server, 2);

            a.send("x\n".repeat(60) + "over\n");
            for (int i = 0; i < 60; i++) {
                assertEquals(envelope(a, "x"), b.readLine());
            }
            assertEquals("Warning: You are sending messages too quickly. Please slow down.", a.readLine());
            Thread.sleep(1_200);
            a.send("refilled\n");

            assertEquals(envelope(a, "refilled"), b.readLine());
        }

        @Test
        void an_idle_client_is_told_and_closed_after_client_timeout_secs() throws Exception {
            final RunningServer server = startServer(Map.of("client_timeout_secs", 1, "timeout_check_interval_secs", 1));
            final KitClient silent = connect(server);
            final KitClient chatty = connect(server);
            awaitConnections(server, 2);
            final long start = System.nanoTime();
            final Future<?> chatter = readers.submit(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    chatty.send("still here\n");
                    Thread.sleep(200);
                }
                return null;
            });

            // Receiving is not activity: the silent client gets chatty's lines and is still idle.
            assertEquals("Warning: You have been disconnected due to inactivity.", firstNotice(silent));
            assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(900), "not before client_timeout_secs");
            silent.assertEndOfStream();
            awaitStats(server, "the silent client closed, the chatty one kept", stats -> stats.idleDisconnects() == 1
                    && stats.connectionsOpen() == 1);
            final KitClient fresh = connect(server);
            assertEquals(envelope(chatty, "still here"), fresh.readLine());
            chatter.cancel(true);
            assertEquals(1, server.stats().idleDisconnects());
        }

        /** @return the first line that is not an envelope; fails if none comes within the kit's read deadline. */
        private String firstNotice(KitClient client) throws IOException {
            final long deadline = System.nanoTime() + KitClient.READ_TIMEOUT.toNanos();
            String line;
            do {
                if (System.nanoTime() > deadline) {
                    return fail("no notice within " + KitClient.READ_TIMEOUT + ", only envelopes, on " + client.address());
                }
                line = client.readLine();
            } while (line.startsWith("{"));
            return line;
        }

        @Test
        void idle_clients_are_found_only_at_each_timeout_check_interval() throws Exception {
            final RunningServer server = startServer(Map.of("client_timeout_secs", 1, "timeout_check_interval_secs", 3));
            final KitClient silent = connect(server);
            awaitConnections(server, 1);

            silent.assertNothingWithin(Duration.ofMillis(1_800)); // idle for longer than the timeout, not yet checked
            assertEquals("Warning: You have been disconnected due to inactivity.", silent.readLine());
        }

        @Test
        void a_null_client_timeout_never_closes_an_idle_client() throws Exception {
            final Map<String, Object> parameters = new LinkedHashMap<>();
            parameters.put("client_timeout_secs", null);
            parameters.put("timeout_check_interval_secs", 1);
            final RunningServer server = startServer(parameters);
            final KitClient silent = connect(server);
            final KitClient other = connect(server);
            awaitConnections(server, 2);

            silent.assertNothingWithin(Duration.ofMillis(2_500));
            other.send("hello\n");
            assertEquals(envelope(other, "hello"), silent.readLine());
        }

        /** Connects {@code count} clients that never read; see {@link #stalled}. */
        private void stalledClients(RunningServer server, int count) throws IOException {
            for (int i = 0; i < count; i++) {
                stalled(server);
            }
        }

        @Test
        void throttle_pauses_reading_while_more_than_half_of_the_clients_are_backed_up() throws Exception {
            final RunningServer server = startServer(parameters("throttle_delay_ms", 800,
                    "backpressure_policy", policy(true, 20, false, 1_000_000, false, 1_000_000)));
            final KitClient sender = connect(server);
            final KitClient healthy = connect(server);
            stalledClients(server, 3); // 3 of 5: the room cannot absorb what the sender sends
            awaitConnections(server, 5);
            final List<Long> marks = drainInBackground(healthy);

            pushUntil(server, sender, "a throttle", stats -> stats.throttles() >= 1);
            sender.send("mark\n");
            await("the first mark", () -> marks.size() == 1, marks::toString);
            sender.send("mark\n");
            await("the second mark", () -> marks.size() == 2, marks::toString);

            final long gapMillis = TimeUnit.NANOSECONDS.toMillis(marks.get(1) - marks.get(0));
            assertTrue(gapMillis >= 400, "the second line waited for the throttle (800 ms), not " + gapMillis + " ms");
            assertEquals(0, server.stats().flowControls());
            assertEquals(0, server.stats().slowConsumerDisconnects());
        }

        @Test
        void flow_control_pauses_reading_for_longer_while_more_than_half_are_past_its_threshold() throws Exception {
            final RunningServer server = startServer(parameters("flow_control_delay_ms", 1_200,
                    "backpressure_policy", policy(false, 1_000_000, true, 20, false, 1_000_000)));
            final KitClient sender = connect(server);
            final KitClient healthy = connect(server);
            stalledClients(server, 3);
            awaitConnections(server, 5);
            final List<Long> marks = drainInBackground(healthy);

            pushUntil(server, sender, "a flow-control pause", stats -> stats.flowControls() >= 1);
            sender.send("mark\n");
            await("the first mark", () -> marks.size() == 1, marks::toString);
            sender.send("mark\n");
            await("the second mark", () -> marks.size() == 2, marks::toString);

            final long gapMillis = TimeUnit.NANOSECONDS.toMillis(marks.get(1) - marks.get(0));
            assertTrue(gapMillis >= 600, "the second line waited for flow control (1,200 ms), not " + gapMillis + " ms");
            assertEquals(0, server.stats().throttles());
        }

        @Test
        void half_of_the_room_backed_up_is_not_more_than_half_and_pauses_no_one() throws Exception {
            final RunningServer server = startServer(parameters("throttle_delay_ms", 800, "flow_control_delay_ms", 800,
                    "backpressure_policy", policy(true, 20, true, 40, true, 200)));
            final KitClient sender = connect(server);
            drainInBackground(connect(server));
            stalledClients(server, 2); // 2 of 4: exactly half
            awaitConnections(server, 4);

            pushUntil(server, sender, "both stalled clients closed at disconnect_threshold",
                    stats -> stats.slowConsumerDisconnects() == 2);

            assertEquals(0, server.stats().throttles() + server.stats().flowControls(), server.stats().summary());
        }

        @Test
        void disabled_throttle_and_flow_control_never_pause_reading() throws Exception {
            final RunningServer server = startServer(parameters("max_queued_bytes", 2 * 1024 * 1024,
                    "backpressure_policy", policy(false, 5, false, 10, true, 1_000_000)));
            final KitClient sender = connect(server);
            drainInBackground(connect(server));
            stalled(server);
            awaitConnections(server, 3);

            pushUntil(server, sender, "the stalled client closed at max_queued_bytes", stats -> stats.slowConsumerDisconnects() == 1);

            assertEquals(0, server.stats().throttles());
            assertEquals(0, server.stats().flowControls());
        }

        @Test
        void disconnect_threshold_closes_the_recipients_that_cannot_keep_up_and_pauses_end_with_them() throws Exception {
            final RunningServer server = startServer(parameters("throttle_delay_ms", 50,
                    "backpressure_policy", policy(true, 10, false, 1_000_000, true, 30)));
            final KitClient sender = connect(server);
            final KitClient healthy = connect(server);
            final List<KitClient> stalled = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                stalled.add(stalled(server));
            }
            awaitConnections(server, 5);
            final List<Long> marks = drainInBackground(healthy);

            pushUntil(server, sender, "the stalled clients closed", stats -> stats.slowConsumerDisconnects() == 3);
            for (KitClient client : stalled) {
                client.countLinesUntilEnd(); // fails unless the server really closed it
            }
            awaitConnections(server, 2);
            assertTrue(server.stats().throttles() >= 1, "the room was behind for a while: " + server.stats().summary());
            final long throttlesBefore = server.stats().throttles();
            for (int i = 0; i < 20; i++) {
                sender.send("mark\n");
            }
            await("20 marks", () -> marks.size() == 20, marks::toString);

            assertEquals(throttlesBefore, server.stats().throttles(), "no recipient is backed up any more");
        }

        @Test
        void without_enable_disconnect_only_max_queued_bytes_closes_a_slow_consumer() throws Exception {
            final RunningServer server = startServer(parameters("max_queued_bytes", 4 * 1024 * 1024, "throttle_delay_ms", 1,
                    "backpressure_policy", policy(true, 10, false, 1_000_000, false, 10)));
            final KitClient sender = connect(server);
            drainInBackground(connect(server));
            stalledClients(server, 3);
            awaitConnections(server, 5);

            pushUntil(server, sender, "a backlog of at least 10 (a throttle)", stats -> stats.throttles() >= 1);
            assertEquals(0, server.stats().slowConsumerDisconnects(), "not closed at disconnect_threshold");
            pushUntil(server, sender, "the stalled clients closed at max_queued_bytes", stats -> stats.slowConsumerDisconnects() == 3);
        }

        @Test
        void a_client_that_floods_refused_lines_and_never_reads_is_closed_not_buffered_without_bound() throws Exception {
            final RunningServer server = startServer(parameters("rate_limit_msgs_per_minute", 1, "max_queued_bytes", 64 * 1024,
                    "backpressure_policy", policy(false, 1_000_000, false, 1_000_000, false, 1_000_000)));
            final KitClient flooder = stalled(server);
            awaitConnections(server, 1);
            final byte[] burst = "x\n".repeat(1_000).getBytes(StandardCharsets.UTF_8);

            // Each refused line earns a notice; the flooder reads none of them.
            try {
                for (int i = 0; i < 500 && server.stats().slowConsumerDisconnects() == 0; i++) {
                    flooder.send(burst);
                }
            } catch (IOException closedMidBurst) {
                // the server closed it while it was still sending: what this test waits for
            }
            awaitStats(server, "the flooder closed at max_queued_bytes", stats -> stats.slowConsumerDisconnects() == 1);
            assertTrue(server.stats().droppedRateLimited() > 1_000, server.stats().summary());
            awaitConnections(server, 0);
        }

        @Test
        void a_slow_consumer_on_a_trusted_loopback_address_is_closed_but_its_address_stays_welcome() throws Exception {
            final RunningServer server = startServer(Map.of("backpressure_policy", policy(false, 1, false, 1, true, 20)));
            final KitClient sender = connect(server);
            drainInBackground(connect(server));
            stalled(server);
            awaitConnections(server, 3);

            pushUntil(server, sender, "the stalled client closed", stats -> stats.slowConsumerDisconnects() == 1);
            final KitClient next = connect(server);
            awaitConnections(server, 3);
            sender.send("still welcome\n");
            assertEquals(envelope(sender, "still welcome"), next.readLine());
            final RelayStats stats = server.stats();
            assertEquals(0, stats.quarantines() + stats.quarantinedAddresses() + stats.rejectedQuarantined(), stats.summary());
        }

        @Test
        void a_slow_consumers_address_is_quarantined_for_the_cooldown_then_admitted_again() throws Exception {
            final RunningServer server = startServer(parameters("quarantine_cooldown_secs", 2, "quarantine_cleanup_interval_secs", 1,
                    "backpressure_policy", policy(false, 1, false, 1, true, 20),
                    "peer_trust", Map.of("trusted_networks", List.of())));
            final KitClient sender = connect(server);
            drainInBackground(connect(server));
            stalled(server);
            awaitConnections(server, 3);

            pushUntil(server, sender, "the stalled client closed and quarantined", stats -> stats.quarantines() == 1);
            final KitClient refused = connect(server);
            final String notice = refused.readLine();
            assertTrue(notice.matches("Warning: Your address is quarantined for [12] more seconds after falling too far behind; disconnecting\\."),
                    notice);
            refused.assertEndOfStream();
            awaitStats(server, "a refusal counted", stats -> stats.rejectedQuarantined() == 1 && stats.quarantinedAddresses() == 1);

            awaitStats(server, "the expired entry removed by the cleanup", stats -> stats.quarantinedAddresses() == 0);
            final KitClient welcome = connect(server);
            awaitConnections(server, 3);
            sender.send("welcome back\n");
            assertEquals(envelope(sender, "welcome back"), welcome.readLine());
        }

        @Test
        void max_connections_refuses_clients_past_the_limit_with_a_reason() throws Exception {
            final RunningServer server = startServer(Map.of("max_connections", 2));
            final KitClient a = connect(server);
            final KitClient b = connect(server);
            awaitConnections(server, 2);

            final KitClient third = connect(server);
            assertEquals("Warning: Server is full (max_connections 2); disconnecting.", third.readLine());
            third.assertEndOfStream();
            awaitStats(server, "one refusal", stats -> stats.rejectedServerFull() == 1);

            b.close();
            awaitConnections(server, 1);
            final KitClient fourth = connect(server);
            awaitConnections(server, 2);
            a.send("room again\n");
            assertEquals(envelope(a, "room again"), fourth.readLine());
        }

        @Test
        void max_connections_per_ip_counts_each_address_alone() throws Exception {
            final RunningServer server = startServer(Map.of("max_connections_per_ip", 1));
            final KitClient first = connect(server);
            awaitConnections(server, 1);

            final KitClient second = connect(server);
            assertEquals("Warning: Too many connections from your address (max_connections_per_ip 1); disconnecting.", second.readLine());
            second.assertEndOfStream();
            final KitClient other = track(KitClient.connect(server.address(), 0, InetAddress.getByName("127.0.0.2")));
            awaitConnections(server, 2);
            first.send("hi\n");
            assertEquals(envelope(first, "hi"), other.readLine());
            awaitStats(server, "one refusal", stats -> stats.rejectedPerAddress() == 1);
        }

        @Test
        void the_rust_servers_internal_queue_sizes_are_accepted_and_change_nothing() throws IOException {
            final RunningServer server = startServer(Map.of("connection_buffer_size", 1, "command_buffer_size", 1,
                    "control_channel_capacity", 1, "queue_monitor_capacity", 1));
            assertEquals(List.of(), server.config().warnings());
            final KitClient a = connect(server);
            final KitClient b = connect(server);
            awaitConnections(server, 2);
            a.send("1\n2\n3\n");
            assertEquals(envelope(a, "1"), b.readLine());
            assertEquals(envelope(a, "2"), b.readLine());
            assertEquals(envelope(a, "3"), b.readLine());
        }
    }

    private static OutputStream socketOutput(KitClient client) {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                client.send(new byte[]{(byte) b});
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                client.send(Arrays.copyOfRange(b, off, off + len));
            }
        };
    }

    private static boolean ipv6LoopbackWorks() {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("::1"))) {
            return probe.getInetAddress() instanceof Inet6Address && NetworkInterface.getByInetAddress(probe.getInetAddress()) != null;
        } catch (IOException e) {
            return false;
        }
    }
}
