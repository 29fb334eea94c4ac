package org.summoner.relay;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.summoner.relay.config.ConfigException;
import org.summoner.relay.testengines.BrokenProviders;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The seed's scenarios ({@code begin_server.md}), replayed against stand-in engines that only bind: what is
 * printed, what is logged, and where the server binds.
 */
class SummonerServerTest {
    private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
    private final List<RunningServer> started = new ArrayList<>();
    private LogCapture log;
    private SummonerServer server;

    @TempDir
    Path dir;

    @BeforeEach
    void setUp() {
        log = new LogCapture("first_server");
        server = new SummonerServer("first_server", new PrintStream(printed, true, StandardCharsets.UTF_8),
                getClass().getClassLoader(), java.time.Duration.ofMinutes(1));
    }

    @AfterEach
    void tearDown() {
        started.forEach(RunningServer::close);
        log.close();
    }

    private RunningServer track(RunningServer running) {
        started.add(running);
        return running;
    }

    private String printed() {
        return printed.toString(StandardCharsets.UTF_8);
    }

    private String configFile(String json) throws IOException {
        final Path file = dir.resolve("server_config.json");
        Files.writeString(file, json);
        return file.toString();
    }

    private static int freePort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }

    @Nested
    @DisplayName("Running a server (seed: Option 1 and Option 2)")
    class RunningAServer {
        @Test
        void without_a_config_it_says_the_file_was_not_found_and_runs_the_default_engine() {
            final RunningServer running = track(server.start("127.0.0.1", 0, (String) null));

            assertEquals("[DEBUG] Config file not found: \n", printed());
            assertEquals(List.of("INFO Test server listening on 127.0.0.1:" + running.address().getPort()), log.lines());
            assertEquals("test-default", running.engineName());
            assertEquals("127.0.0.1", running.address().getAddress().getHostAddress());
        }

        @Test
        void a_config_with_only_version_rss_3_runs_the_high_performance_engine_with_a_rocket() throws IOException {
            final String path = configFile("{\"version\": \"rss_3\"}");
            final RunningServer running = track(server.start("127.0.0.1", 0, path));

            assertEquals("[DEBUG] Loaded config from: " + path + "\n", printed());
            assertEquals(List.of("INFO \uD83D\uDE80 Fast server listening on 127.0.0.1:" + running.address().getPort()), log.lines());
            assertEquals("test-fast", running.engineName());
        }
    }

    @Nested
    @DisplayName("Customizing host and port (seed: Option 1 in code, Option 2 in the config file)")
    class HostAndPort {
        @Test
        void the_address_in_code_is_used_when_the_config_sets_none() throws IOException {
            final int port = freePort();
            final String path = configFile("{\"version\": \"rss_3\"}");
            final RunningServer running = track(server.start("127.0.0.1", port, path));

            assertEquals(new InetSocketAddress("127.0.0.1", port), running.address());
            assertEquals(List.of("INFO \uD83D\uDE80 Fast server listening on 127.0.0.1:" + port), log.lines());
        }

        @Test
        void host_and_port_in_the_config_take_precedence_over_the_code() throws IOException {
            final int port = freePort();
            final String path = configFile("{\"host\": \"127.0.0.2\", \"port\": " + port + ", \"version\": \"rss_3\"}");
            final RunningServer running = track(server.start("127.0.0.1", 1234, path));

            assertEquals("[DEBUG] Loaded config from: " + path + "\n", printed());
            assertEquals(new InetSocketAddress("127.0.0.2", port), running.address());
            assertEquals(List.of("INFO \uD83D\uDE80 Fast server listening on 127.0.0.2:" + port), log.lines());
        }

        @Test
        void only_the_key_the_config_sets_wins() throws IOException {
            final int port = freePort();
            final RunningServer running = track(server.start("127.0.0.2", port, configFile("{\"host\": \"127.0.0.3\"}")));

            assertEquals(new InetSocketAddress("127.0.0.3", port), running.address());
        }

        @Test
        void a_map_is_used_instead_of_a_file_and_prints_nothing() throws IOException {
            final int port = freePort();
            final RunningServer running = track(server.start("127.0.0.1", 0, Map.of("port", port, "version", "rss_3")));

            assertEquals("", printed());
            assertEquals(port, running.address().getPort());
            assertEquals("test-fast", running.engineName());
        }
    }

    @Nested
    @DisplayName("Config files that are missing, malformed or wrong")
    class BadConfig {
        @Test
        void a_missing_file_is_not_an_error_and_gives_the_defaults() {
            final RunningServer running = track(server.start("127.0.0.1", 0, "does-not-exist.json"));

            assertEquals("[DEBUG] Config file not found: does-not-exist.json\n", printed());
            assertEquals("test-default", running.engineName());
        }

        @Test
        void a_malformed_file_stops_start_up_naming_the_file() throws IOException {
            final String path = configFile("{\"port\": 1234,");
            final ConfigException e = assertThrows(ConfigException.class, () -> server.start("127.0.0.1", 0, path));

            assertEquals(path + ": not valid JSON at line 1, column 15: Unexpected end-of-input within/between Object entries", e.getMessage());
            assertEquals("", printed(), "a file that did not load is not announced as loaded");
            assertEquals(List.of(), log.lines());
        }

        @Test
        void a_wrong_value_stops_start_up_naming_file_key_expected_and_found() throws IOException {
            final String path = configFile("{\"port\": \"8888\"}");
            final ConfigException e = assertThrows(ConfigException.class, () -> server.start("127.0.0.1", 0, path));

            assertEquals(path + ": key \"port\": expected an integer from 0 to 65535, found \"8888\"", e.getMessage());
        }

        @Test
        void an_unknown_engine_stops_start_up_listing_the_engines_present() {
            final ConfigException e = assertThrows(ConfigException.class,
                    () -> server.start("127.0.0.1", 0, Map.of("version", "netyy")));

            assertEquals("unknown engine 'netyy' (config key \"version\"); available: [test-default, test-fast]", e.getMessage());
        }

        @Test
        void an_engine_that_fails_to_load_is_logged_and_quoted_but_does_not_stop_the_others() {
            final SummonerServer withBroken = new SummonerServer("first_server", new PrintStream(printed, true, StandardCharsets.UTF_8),
                    BrokenProviders.classLoader(), java.time.Duration.ofMinutes(1));
            final RunningServer running = track(withBroken.start("127.0.0.1", 0, Map.of()));

            assertEquals("test-default", running.engineName());
            assertEquals(List.of(
                    "WARN engine provider skipped: org.summoner.relay.spi.RelayEngineProvider: Provider org.summoner.relay.testengines.BrokenEngineProvider could not be instantiated: java.lang.IllegalStateException: boom",
                    "WARN engine provider skipped: org.summoner.relay.spi.RelayEngineProvider: Provider org.summoner.relay.testengines.MissingEngineProvider not found",
                    "INFO Test server listening on 127.0.0.1:" + running.address().getPort()), log.lines());

            final ConfigException e = assertThrows(ConfigException.class, () -> withBroken.start("127.0.0.1", 0, Map.of("version", "broken")));
            assertEquals("unknown engine 'broken' (config key \"version\"); available: [test-default, test-fast]; failed to load: ["
                    + "org.summoner.relay.spi.RelayEngineProvider: Provider org.summoner.relay.testengines.BrokenEngineProvider could not be instantiated: java.lang.IllegalStateException: boom, "
                    + "org.summoner.relay.spi.RelayEngineProvider: Provider org.summoner.relay.testengines.MissingEngineProvider not found]", e.getMessage());
        }

        @Test
        void unknown_keys_are_logged_as_warnings() {
            track(server.start("127.0.0.1", 0, Map.of("reconnection", Map.of())));

            assertEquals("WARN config map: unknown key \"reconnection\" ignored", log.lines().get(0));
        }

        @Test
        void a_port_out_of_range_in_code_is_refused() {
            final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> server.start("127.0.0.1", 65536, (String) null));
            assertEquals("port=65536: expected an integer from 0 to 65535", e.getMessage());
        }
    }

    @Nested
    @DisplayName("Lifecycle")
    class Lifecycle {
        @Test
        void a_busy_port_fails_with_a_one_line_reason() throws IOException {
            try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
                final ServerStartException e = assertThrows(ServerStartException.class,
                        () -> server.start("127.0.0.1", busy.getLocalPort(), (String) null));
                assertEquals("cannot bind 127.0.0.1:" + busy.getLocalPort() + ": Address already in use", e.getMessage());
            }
        }

        @Test
        void close_is_graceful_idempotent_and_frees_the_port() throws IOException {
            final RunningServer running = server.start("127.0.0.1", 0, (String) null);
            final int port = running.address().getPort();
            running.close();
            running.close();

            final List<String> lines = log.lines();
            assertEquals(4, lines.size(), lines.toString());
            assertEquals("INFO Test server listening on 127.0.0.1:" + port, lines.get(0));
            assertEquals("INFO Server is shutting down...", lines.get(1));
            assertTrue(lines.get(2).startsWith("INFO stats: 0 connected, 0 opened; lines 0 in, 0 relayed"), lines.get(2));
            assertEquals("INFO Server exited cleanly.", lines.get(3));
            try (ServerSocket again = new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"))) {
                assertEquals(port, again.getLocalPort());
            }
        }

        @Test
        void a_summary_of_the_counters_is_logged_each_interval_while_they_change() throws Exception {
            final SummonerServer quick = new SummonerServer("first_server", new PrintStream(printed, true, StandardCharsets.UTF_8),
                    getClass().getClassLoader(), java.time.Duration.ofMillis(100));
            final RunningServer running = track(quick.start("127.0.0.1", 0, Map.of()));
            Thread.sleep(450); // about four intervals, with no change after the first

            final long summaries = log.lines().stream().filter(line -> line.startsWith("INFO stats: ")).count();
            assertEquals(1, summaries, log.lines().toString());
            assertEquals(running.stats().summary(), log.lines().get(1).substring("INFO ".length()));
        }

        @Test
        void run_blocks_until_the_server_is_closed_and_then_returns() throws Exception {
            final Thread runner = new Thread(() -> server.run("127.0.0.1", 0, Map.of()), "runner");
            runner.start();
            final long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (log.lines().isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertTrue(log.lines().get(0).startsWith("INFO Test server listening on 127.0.0.1:"), log.lines().toString());
            Thread.sleep(100);
            assertTrue(runner.isAlive(), "run() blocks while the server serves");

            runner.interrupt(); // stands in for SIGINT, which the JVM turns into the shutdown hook
            runner.join(10_000);
            assertFalse(runner.isAlive());
            assertEquals("INFO Server exited cleanly.", log.lines().get(log.lines().size() - 1));
        }
    }
}
