package org.summoner.relay.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.summoner.relay.identity.AuroraSigner;
import org.summoner.relay.tck.ChildProcesses;
import org.summoner.relay.tck.ServerProcess;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code java -jar summoner-server.jar} end to end, as an operator runs it: output, flags over config, exit
 * status, signals, and agents written like the Summoner SDK's.
 */
class ServerJarIT {
    private static final String TIMESTAMP = "\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3}";

    @TempDir
    Path dir;

    private static Socket client(int port) throws IOException {
        final Socket socket = new Socket();
        socket.setSoTimeout(15_000);
        socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
        return socket;
    }

    private static BufferedReader reader(Socket socket) throws IOException {
        return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
    }

    private static boolean portIsFree(int port) {
        try (ServerSocket probe = new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"))) {
            return probe.isBound();
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void without_arguments_it_serves_127_0_0_1_8888_prints_the_seed_lines_and_stops_on_sigterm() throws Exception {
        assumeTrue(portIsFree(8888), "port 8888 is taken on this machine");
        try (ServerProcess server = ServerProcess.start(dir)) {
            assertEquals("[DEBUG] Config file not found: ", server.nextLine());
            final String listening = server.nextLine();
            assertTrue(listening.matches(TIMESTAMP + " - summoner_server - INFO - NIO server listening on 127\\.0\\.0\\.1:8888"), listening);

            try (Socket a = client(8888); Socket b = client(8888)) {
                Thread.sleep(200); // both registered before the first line
                a.getOutputStream().write("hello\n".getBytes(StandardCharsets.UTF_8));
                final BufferedReader bReader = reader(b);
                assertEquals("{\"remote_addr\":\"127.0.0.1:" + a.getLocalPort() + "\",\"content\":\"hello\"}", bReader.readLine());

                server.terminate();
                assertEquals("Warning: Server is shutting down.", bReader.readLine());
                assertEquals(null, bReader.readLine());
                assertEquals("Warning: Server is shutting down.", reader(a).readLine());
            }
            assertEquals(143, server.awaitExit(), "SIGTERM after a clean shutdown");
            final List<String> rest = server.remainingLines();
            assertEquals(3, rest.size(), rest.toString());
            assertTrue(rest.get(0).endsWith(" - summoner_server - INFO - Server is shutting down..."), rest.toString());
            assertTrue(rest.get(1).contains(" - summoner_server - INFO - stats: 0 connected, 2 opened; lines 1 in, 1 relayed"), rest.toString());
            assertTrue(rest.get(2).endsWith(" - summoner_server - INFO - Server exited cleanly."), rest.toString());
        }
    }

    /** GET {@code path} on the monitoring port: the status and the body. */
    private static String[] get(int port, String path) throws Exception {
        final java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder().connectTimeout(java.time.Duration.ofSeconds(10)).build();
        final java.net.http.HttpResponse<String> response = http.send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + port + path)).timeout(java.time.Duration.ofSeconds(10)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        return new String[] {Integer.toString(response.statusCode()), response.body()};
    }

    private static double sample(String metrics, String series) {
        return metrics.lines().filter(line -> line.startsWith(series + " ")).mapToDouble(line -> Double.parseDouble(line.substring(series.length() + 1)))
                .findFirst().orElseThrow(() -> new AssertionError("no " + series + " in " + metrics));
    }

    @Test
    void monitoring_shows_counters_moving_while_clients_chat_and_healthz_turns_503_on_sigterm_before_the_clients_go() throws Exception {
        Files.writeString(dir.resolve("server_config.json"), "{\"monitoring\": {\"port\": 0}}");
        try (ServerProcess server = ServerProcess.start(dir, "--config", "server_config.json", "--port", "0")) {
            final int port = server.awaitListeningPort();
            final String monitoring = server.nextLine();
            final java.util.regex.Matcher at = java.util.regex.Pattern.compile(
                    TIMESTAMP + " - summoner_server - INFO - Monitoring on http://127\\.0\\.0\\.1:(\\d+) \\(/metrics, /healthz, /connz\\)").matcher(monitoring);
            assertTrue(at.matches(), monitoring);
            final int http = Integer.parseInt(at.group(1));
            assertEquals("ok\n", get(http, "/healthz")[1]);
            try (Socket a = client(port); Socket b = client(port)) {
                final BufferedReader bReader = reader(b);
                Thread.sleep(200); // both registered before the first line
                double relayed = sample(get(http, "/metrics")[1], "summoner_lines_relayed_total");
                assertEquals(0.0, relayed);
                for (int round = 1; round <= 3; round++) {
                    a.getOutputStream().write(("round " + round + "\n").getBytes(StandardCharsets.UTF_8));
                    assertEquals("{\"remote_addr\":\"127.0.0.1:" + a.getLocalPort() + "\",\"content\":\"round " + round + "\"}", bReader.readLine());
                    final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                    while (relayed < round && System.nanoTime() < deadline) {
                        Thread.sleep(10); // counters are published once per turn
                        relayed = sample(get(http, "/metrics")[1], "summoner_lines_relayed_total");
                    }
                    assertEquals(round, relayed, "the counter moved with the line");
                }
                assertEquals(2.0, sample(get(http, "/metrics")[1], "summoner_connections"));

                server.terminate();
                String[] health = get(http, "/healthz");
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (health[0].equals("200") && System.nanoTime() < deadline) {
                    Thread.sleep(5);
                    health = get(http, "/healthz");
                }
                assertEquals("503", health[0]);
                assertEquals("shutting down\n", health[1]);
                // 503 came first: the clients are told to go only now, and the relay waits for them.
                assertEquals("Warning: Server is shutting down.", bReader.readLine());
                assertEquals("Warning: Server is shutting down.", reader(a).readLine());
            }
            assertEquals(143, server.awaitExit(), "SIGTERM after a clean shutdown");
        }
    }

    /**
     * The signal wire ({@link DrainSignal}), without {@code _JAVA_SR_SIGNUM} as a plain {@code java -jar} runs: a storm
     * of SIGUSR2 begins one drain; the client is told, closed, and the process exits 0 once it has gone.
     */
    @Test
    void kill_usr2_drains_the_relay_and_it_exits_0_once_its_client_is_gone() throws Exception {
        Files.writeString(dir.resolve("server_config.json"), "{\"drain\": {\"period_secs\": 60}}");
        try (ServerProcess server = ServerProcess.start(dir, "--config", "server_config.json", "--port", "0")) {
            final int port = server.awaitListeningPort();
            try (Socket a = client(port)) {
                a.getOutputStream().write("hello\n".getBytes(StandardCharsets.UTF_8)); // registered before the signals
                Thread.sleep(200);
                for (int i = 0; i < 10; i++) {
                    server.signal("USR2");
                }
                final BufferedReader aReader = reader(a);
                assertEquals("Warning: Server is draining; reconnect.", aReader.readLine());
                assertEquals(null, aReader.readLine());
            }
            assertEquals(0, server.awaitExit(), "drained: a clean exit, long before the 60 s period");
            server.remainingLines();
            final String output = String.join("\n", server.outputSoFar());
            assertEquals(1, output.lines().filter(line -> line.contains("Draining: stopped accepting")).count(), output);
            assertTrue(output.contains("Drained: 1 clients told to reconnect; 0 lines sent after their goodbye were not relayed"), output);
        }
    }

    @Test
    void sighup_reloads_the_config_file_keeps_the_flags_and_every_connection_and_refuses_a_broken_file() throws Exception {
        final Path config = dir.resolve("server_config.json");
        Files.writeString(config, "{\"hyper_parameters\": {\"worker_threads\": 2}}");
        try (ServerProcess server = ServerProcess.start(dir, "--config", "server_config.json", "--port", "0")) {
            final int port = server.awaitListeningPort();
            try (Socket a = client(port); Socket b = client(port)) {
                final BufferedReader aReader = reader(a);
                final BufferedReader bReader = reader(b);
                Thread.sleep(200); // both registered before the first line
                Files.writeString(config, "{\"port\": 1, \"logger\": {\"log_level\": \"DEBUG\"}, "
                        + "\"hyper_parameters\": {\"worker_threads\": 3, \"rate_limit_msgs_per_minute\": 1}}");
                for (int i = 0; i < 20; i++) {
                    server.signal("HUP"); // a storm of them: one reload under way, at most one more
                }
                server.awaitOutput(" - summoner_server - WARNING - Config reload: hyper_parameters.worker_threads changed but need a restart; "
                        + "left as they were", 1); // --port 0 still wins over the file's port
                server.awaitOutput(" - summoner_server - INFO - Config reloaded from server_config.json: applied "
                        + "hyper_parameters.rate_limit_msgs_per_minute, logger.log_level", 1);
                a.getOutputStream().write("one\ntwo\n".getBytes(StandardCharsets.UTF_8));
                assertEquals("{\"remote_addr\":\"127.0.0.1:" + a.getLocalPort() + "\",\"content\":\"one\"}", bReader.readLine());
                assertEquals("Warning: You are sending messages too quickly. Please slow down.", aReader.readLine());

                Files.writeString(config, "{\"hyper_parameters\": {\"rate_limit_msgs_per_minute\": 0}}");
                server.signal("HUP");
                server.awaitOutput(" - summoner_server - ERROR - Config reload refused, the running configuration stays: server_config.json: "
                        + "key \"hyper_parameters.rate_limit_msgs_per_minute\": expected a positive integer, found 0", 1);
                b.getOutputStream().write("still here\n".getBytes(StandardCharsets.UTF_8));
                assertEquals("{\"remote_addr\":\"127.0.0.1:" + b.getLocalPort() + "\",\"content\":\"still here\"}", aReader.readLine());
                server.awaitOutput(" - DEBUG - ", 1); // the level that was applied stays
                server.terminate();
                assertEquals("Warning: Server is shutting down.", bReader.readLine());
            }
            assertEquals(143, server.awaitExit(), "SIGTERM after a clean shutdown");
        }
    }

    @Test
    void flags_override_the_config_file_and_the_file_overrides_the_defaults() throws Exception {
        Files.writeString(dir.resolve("server_config.json"), "{\"host\": \"127.0.0.2\", \"port\": 1, \"version\": \"python\"}");
        try (ServerProcess server = ServerProcess.start(dir, "--config", "server_config.json", "--port", "0", "--name", "first_server")) {
            assertEquals("[DEBUG] Loaded config from: server_config.json", server.nextLine());
            final String listening = server.nextLine();
            assertTrue(listening.matches(TIMESTAMP + " - first_server - INFO - NIO server listening on 127\\.0\\.0\\.2:\\d+"), listening);
        }
    }

    @Test
    void version_rss_3_runs_the_netty_engine_with_the_seeds_rocket() throws Exception {
        Files.writeString(dir.resolve("server_config.json"), "{\"version\": \"rss_3\"}");
        try (ServerProcess server = ServerProcess.start(dir, "--config", "server_config.json", "--port", "0", "--name", "first_server")) {
            assertEquals("[DEBUG] Loaded config from: server_config.json", server.nextLine());
            String listening = server.nextLine();
            if (listening.contains("Netty transport:")) {
                listening = server.nextLine();
            }
            assertTrue(listening.matches(TIMESTAMP + " - first_server - INFO - \uD83D\uDE80 Netty server listening on 127\\.0\\.0\\.1:\\d+"), listening);
            final int port = Integer.parseInt(listening.substring(listening.lastIndexOf(':') + 1));
            try (Socket a = client(port); Socket b = client(port)) {
                Thread.sleep(200);
                a.getOutputStream().write("through netty\n".getBytes(StandardCharsets.UTF_8));
                assertEquals("{\"remote_addr\":\"127.0.0.1:" + a.getLocalPort() + "\",\"content\":\"through netty\"}", reader(b).readLine());
            }
        }
    }

    /** The complete example of upstream's configuration guide (summoner-docs, reference/sdk_doc/server/configs.md), key for key. */
    private static String upstreamConfig(String version) {
        return """
                {
                  "host": "127.0.0.1",
                  "port": 8888,
                  "version": "%s",
                  "logger": {
                    "log_level": "DEBUG",
                    "enable_console_log": true,
                    "console_log_format": "\\u001b[92m%%(asctime)s\\u001b[0m - \\u001b[94m%%(name)s\\u001b[0m - %%(levelname)s - %%(message)s",
                    "enable_file_log": true,
                    "enable_json_log": true,
                    "log_file_path": "logs/",
                    "log_format": "%%(asctime)s - %%(name)s - %%(levelname)s - %%(message)s",
                    "max_file_size": 1000000,
                    "backup_count": 3,
                    "date_format": "%%Y-%%m-%%d %%H:%%M:%%S.%%3f",
                    "log_keys": ["to"]
                  },
                  "hyper_parameters": {
                    "connection_buffer_size": 256, "command_buffer_size": 64, "control_channel_capacity": 8,
                    "queue_monitor_capacity": 100, "client_timeout_secs": 600, "rate_limit_msgs_per_minute": 1000,
                    "timeout_check_interval_secs": 30, "accept_error_backoff_ms": 100, "quarantine_cooldown_secs": 600,
                    "quarantine_cleanup_interval_secs": 60, "throttle_delay_ms": 200, "flow_control_delay_ms": 1000,
                    "worker_threads": 4,
                    "backpressure_policy": {"enable_throttle": true, "throttle_threshold": 50, "enable_flow_control": true,
                      "flow_control_threshold": 150, "enable_disconnect": true, "disconnect_threshold": 300}
                  }
                }""".formatted(version);
    }

    @Test
    void upstreams_complete_example_config_starts_unchanged_with_python_and_a_pinned_rust_and_logs_sdk_lines_its_way() throws Exception {
        // Each JVM start costs a second or two; rust and rust_v1.0.0 resolve as rust_v1.1.0 does (EngineResolverTest,
        // list_engines_shows_the_engines_and_what_each_version_value_runs).
        final Map<String, String> engines = Map.of("python", "NIO server", "rust_v1.1.0", "\uD83D\uDE80 Netty server");
        for (Map.Entry<String, String> version : new java.util.TreeMap<>(engines).entrySet()) {
            Files.writeString(dir.resolve("server_config.json"), upstreamConfig(version.getKey()));
            try (ServerProcess server = ServerProcess.start(dir, "--config", "server_config.json", "--port", "0", "--name", "relay.eu.1")) {
                String listening = server.nextLine();
                while (!listening.contains("server listening on")) {
                    listening = server.nextLine();
                }
                assertTrue(listening.contains(" - \u001b[94mrelay.eu.1\u001b[0m - INFO - " + version.getValue() + " listening on 127.0.0.1:"),
                        version.getKey() + ": " + listening);
                if (!version.getKey().equals("rust_v1.1.0")) {
                    continue;
                }
                final int port = Integer.parseInt(listening.substring(listening.lastIndexOf(':') + 1));
                // As the SDK's wrap_with_types writes a dict payload: json.dumps of _version, _payload, _type.
                final String sdkLine = "{\"_version\": \"1.3.0\", \"_payload\": {\"to\": \"bob\", \"secret\": \"s3cr3t\"}, "
                        + "\"_type\": {\"to\": \"str\", \"secret\": \"str\"}}";
                try (Socket a = client(port); Socket b = client(port)) {
                    Thread.sleep(200);
                    a.getOutputStream().write((sdkLine + "\n").getBytes(StandardCharsets.UTF_8));
                    assertEquals("{\"remote_addr\":\"127.0.0.1:" + a.getLocalPort() + "\",\"content\":" + new ObjectMapper().writeValueAsString(sdkLine) + "}",
                            reader(b).readLine(), "relayed whole: log_keys only filters the log");
                    final Path file = dir.resolve("logs/relay_eu_1.log");
                    final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                    while (!(Files.exists(file) && Files.readString(file).contains("_payload")) && System.nanoTime() < deadline) {
                        Thread.sleep(50);
                    }
                    final JsonNode logged = Files.readAllLines(file).stream().filter(line -> line.contains("_payload"))
                            .map(ServerJarIT::json).findFirst().orElseThrow(() -> new AssertionError("no relayed line in the log"));
                    assertEquals("relay.eu.1", logged.get("name").asText());
                    assertEquals("DEBUG", logged.get("level").asText());
                    assertTrue(logged.get("timestamp").asText().matches(TIMESTAMP), logged.toString());
                    assertEquals(json("{\"remote_addr\": \"127.0.0.1:" + a.getLocalPort() + "\", \"content\": "
                            + "{\"_version\": \"1.3.0\", \"_payload\": {\"to\": \"bob\"}, \"_type\": {\"to\": \"str\"}}}"), logged.get("message"));
                }
            }
        }
    }

    private static JsonNode json(String text) {
        try {
            return new ObjectMapper().readTree(text);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }

    @Test
    void version_agrona_runs_the_agrona_engine_with_its_own_section_and_the_seeds_rocket() throws Exception {
        Files.writeString(dir.resolve("server_config.json"),
                "{\"version\": \"agrona\", \"agrona\": {\"idle_strategy\": \"sleeping\", \"io_threads\": 2}}");
        try (ServerProcess server = ServerProcess.start(dir, "--config", "server_config.json", "--port", "0", "--name", "first_server")) {
            assertEquals("[DEBUG] Loaded config from: server_config.json", server.nextLine());
            final String listening = server.nextLine(); // no warning: "agrona" is the engine's own section
            assertTrue(listening.matches(TIMESTAMP + " - first_server - INFO - \uD83D\uDE80 Agrona server listening on 127\\.0\\.0\\.1:\\d+"), listening);
            final int port = Integer.parseInt(listening.substring(listening.lastIndexOf(':') + 1));
            try (Socket a = client(port); Socket b = client(port)) {
                Thread.sleep(200);
                a.getOutputStream().write("through agrona\n".getBytes(StandardCharsets.UTF_8));
                assertEquals("{\"remote_addr\":\"127.0.0.1:" + a.getLocalPort() + "\",\"content\":\"through agrona\"}", reader(b).readLine());
            }
        }
    }

    @Test
    void without_the_jar_manifest_the_agrona_engine_names_the_jvm_option_it_needs() throws Exception {
        // java -cp ignores the manifest's Add-Exports, as an application embedding the server would.
        final Process process = new ProcessBuilder(ServerProcess.javaTool("java"), "-cp", System.getProperty("summoner.server.jar"),
                "org.summoner.relay.server.Main", "--engine", "agrona", "--port", "0").directory(dir.toFile()).start();
        process.getOutputStream().close();
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "exits");
        assertEquals(1, process.exitValue());
        assertEquals(List.of("error: cannot create the agrona engine: the agrona engine needs the JVM option --add-exports "
                + "java.base/jdk.internal.misc=ALL-UNNAMED (java -jar summoner-server.jar sets it from its manifest; an "
                + "application that embeds the server adds it to its own command line)"),
                new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList());
    }

    @Test
    void a_bad_value_in_an_engines_section_exits_1_naming_the_key() throws Exception {
        Files.writeString(dir.resolve("server_config.json"), "{\"version\": \"agrona\", \"agrona\": {\"idle_strategy\": \"nap\"}}");
        try (ServerProcess server = ServerProcess.start(dir, "--config", "server_config.json", "--port", "0")) {
            assertEquals(1, server.awaitExit());
            assertEquals(List.of("error: server_config.json: key \"agrona.idle_strategy\": expected one of backoff, sleeping, "
                    + "yielding, busy-spin, found \"nap\""), server.stderrLines());
        }
    }

    @Test
    void a_full_logger_section_gives_the_console_and_file_output_it_describes() throws Exception {
        Files.writeString(dir.resolve("server_config.json"), """
                {"logger": {
                  "log_level": "DEBUG",
                  "enable_console_log": true,
                  "console_log_format": "\\u001b[92m%(asctime)s\\u001b[0m - \\u001b[94m%(name)s\\u001b[0m - %(levelname)s - %(message)s",
                  "enable_file_log": true,
                  "enable_json_log": false,
                  "log_file_path": "logs/",
                  "log_format": "%(asctime)s - %(name)s - %(levelname)s - %(message)s",
                  "max_file_size": 1000000,
                  "backup_count": 3,
                  "date_format": "%Y-%m-%d %H:%M:%S.%3f",
                  "log_keys": ["to"]
                }}""");
        try (ServerProcess server = ServerProcess.start(dir, "--config", "server_config.json", "--port", "0", "--name", "first_server")) {
            assertEquals("[DEBUG] Loaded config from: server_config.json", server.nextLine());
            String listening = server.nextLine();
            while (!listening.contains("server listening on")) {
                listening = server.nextLine(); // DEBUG start-up lines
            }
            assertTrue(listening.matches("\u001b\\[92m" + TIMESTAMP + "\u001b\\[0m - \u001b\\[94mfirst_server\u001b\\[0m - INFO - "
                    + "NIO server listening on 127\\.0\\.0\\.1:\\d+"), listening);
            final int port = Integer.parseInt(listening.substring(listening.lastIndexOf(':') + 1));
            try (Socket a = client(port); Socket b = client(port)) {
                Thread.sleep(200);
                a.getOutputStream().write("{\"to\":\"bob\",\"secret\":\"s3cr3t\"}\n".getBytes(StandardCharsets.UTF_8));
                reader(b).readLine();
            }
            final Path file = dir.resolve("logs/first_server.log");
            final String expected = " - org.summoner.relay.lines - DEBUG - Received from 127.0.0.1:";
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!(Files.exists(file) && Files.readString(file).contains(expected)) && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            final String logged = Files.readString(file);
            assertTrue(logged.contains(": {\"to\":\"bob\"}\n"), logged);
            assertTrue(!logged.contains("s3cr3t"), "log_keys keeps the secret out of the file");
            assertTrue(logged.lines().anyMatch(line -> line.matches(TIMESTAMP + " - first_server - INFO - NIO server listening on .*")), logged);
        }
    }

    @Test
    void a_bad_config_exits_1_with_a_one_line_reason() throws Exception {
        Files.writeString(dir.resolve("server_config.json"), "{\"port\": \"8888\"}");
        try (ServerProcess server = ServerProcess.start(dir, "--config", "server_config.json")) {
            assertEquals(1, server.awaitExit());
            assertEquals(List.of("error: server_config.json: key \"port\": expected an integer from 0 to 65535, found \"8888\""),
                    server.stderrLines());
        }
    }

    @Test
    void an_unknown_engine_exits_1_listing_the_engines_present() throws Exception {
        try (ServerProcess server = ServerProcess.start(dir, "--engine", "netyy", "--port", "0")) {
            assertEquals(1, server.awaitExit());
            assertEquals(List.of("error: unknown engine 'netyy' (config key \"version\"); available: [agrona, blocking, netty, nio]"), server.stderrLines());
        }
    }

    @Test
    void list_engines_shows_the_engines_and_what_each_version_value_runs() throws Exception {
        try (ServerProcess server = ServerProcess.start(dir, "--list-engines")) {
            assertEquals(0, server.awaitExit());
            final List<String> lines = server.remainingLines();
            assertTrue(lines.stream().anyMatch(line -> line.startsWith("netty    aliases=[rss_3] rank=20 ")), lines.toString());
            for (String expected : List.of("version \"python\"      -> nio", "version \"rss_3\"       -> netty",
                    "version \"rust\"        -> netty", "version \"rust_v1.1.0\" -> netty", "version \"rust_v1.0.0\" -> netty")) {
                assertTrue(lines.contains(expected), expected + " in " + lines);
            }
        }
    }

    @Test
    void a_busy_port_exits_1_with_a_one_line_reason() throws Exception {
        try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"));
             ServerProcess server = ServerProcess.start(dir, "--port", String.valueOf(busy.getLocalPort()))) {
            assertEquals(1, server.awaitExit());
            assertEquals(List.of("error: cannot bind 127.0.0.1:" + busy.getLocalPort() + ": Address already in use"),
                    server.stderrLines());
        }
    }

    @Test
    void a_bad_flag_exits_2() throws Exception {
        try (ServerProcess server = ServerProcess.start(dir, "--port", "70000")) {
            assertEquals(2, server.awaitExit());
            assertEquals("Invalid value for option '--port': expected an integer from 0 to 65535, found 70000",
                    server.stderrLines().get(0));
        }
    }

    @Test
    void help_lists_every_flag_and_says_flags_override_the_config_file() throws Exception {
        try (ServerProcess server = ServerProcess.start(dir, "--help")) {
            assertEquals(0, server.awaitExit());
            final String help = String.join("\n", server.remainingLines());
            for (String flag : List.of("--config=FILE", "--host=H", "--port=P", "--name=N", "--engine=NAME", "--list-engines", "--help", "--version")) {
                assertTrue(help.contains(flag), flag + " in:\n" + help);
            }
            assertTrue(help.contains("a flag overrides the config file"), help);
        }
    }

    @Test
    void agents_written_like_the_python_sdk_exchange_messages() throws Exception {
        assumeTrue(ChildProcesses.works("python3", "--version"), "python3 is not installed");
        final Path agent = dir.resolve("sdk_style_agent.py");
        try (var in = getClass().getResourceAsStream("/sdk_style_agent.py")) {
            Files.copy(in, agent);
        }
        try (ServerProcess server = ServerProcess.start(dir, "--port", "0")) {
            final int port = server.awaitListeningPort();
            final Process receiver = new ProcessBuilder("python3", agent.toString(), "127.0.0.1", String.valueOf(port), "receive").start();
            final BufferedReader received = new BufferedReader(new InputStreamReader(receiver.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("ready", received.readLine());
            Thread.sleep(200);
            final Process sender = new ProcessBuilder("python3", agent.toString(), "127.0.0.1", String.valueOf(port), "send").start();
            try {
                final String[] first = received.readLine().split("\t");
                assertTrue(first[0].matches("127\\.0\\.0\\.1:\\d+"), first[0]);
                assertEquals("{'route': 'offer', 'price': 12.5, 'tags': ['a', 'b']}", first[1]);
                assertEquals("'héllo wörld 😀'", received.readLine().split("\t")[1]);
                assertEquals("'plain'", received.readLine().split("\t")[1]);
                assertEquals("'windows line'", received.readLine().split("\t")[1]);
                assertTrue(receiver.waitFor(15, TimeUnit.SECONDS));
                assertEquals(0, receiver.exitValue(), new String(receiver.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
            } finally {
                sender.destroyForcibly();
                receiver.destroyForcibly();
            }
        }
    }

    /**
     * The lines that used to end every SDK receiver's session (measured: {@code LimitOverrunError} on every engine):
     * 65,535 bytes of {@code a}, 40,000 quotes and 11,000 U+0001, each under {@code max_line_bytes} but over 64 KiB
     * once wrapped and escaped. The receiver reads as {@code SummonerClient} does and must get the next good line.
     */
    @ParameterizedTest(name = "engine {0}")
    @ValueSource(strings = {"nio", "netty", "agrona"})
    void an_sdk_style_receiver_survives_every_hostile_line_and_gets_the_next_good_one(String engine) throws Exception {
        assumeTrue(ChildProcesses.works("python3", "--version"), "python3 is not installed");
        final Path agent = dir.resolve("sdk_style_agent.py");
        try (var in = getClass().getResourceAsStream("/sdk_style_agent.py")) {
            Files.copy(in, agent);
        }
        final Path config = dir.resolve("lifted.json");
        Files.writeString(config, "{\"hyper_parameters\": {\"rate_limit_msgs_per_minute\": 2000000000}}");
        try (ServerProcess server = ServerProcess.start(dir, "--port", "0", "--engine", engine, "--config", config.toString())) {
            final int port = server.awaitListeningPort();
            final Process receiver = new ProcessBuilder("python3", agent.toString(), "127.0.0.1", String.valueOf(port), "receive", "1").start();
            final BufferedReader received = new BufferedReader(new InputStreamReader(receiver.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("ready", received.readLine());
            Thread.sleep(200);
            final Process hostile = new ProcessBuilder("python3", agent.toString(), "127.0.0.1", String.valueOf(port), "hostile").start();
            final BufferedReader notices = new BufferedReader(new InputStreamReader(hostile.getInputStream(), StandardCharsets.UTF_8));
            try {
                assertEquals("'after the storm'", received.readLine().split("\t")[1]);
                assertTrue(receiver.waitFor(15, TimeUnit.SECONDS));
                assertEquals(0, receiver.exitValue(), new String(receiver.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
                for (int i = 0; i < 3; i++) {
                    assertEquals("Warning: Line exceeds max_envelope_bytes (65536 bytes) once wrapped and was dropped.", notices.readLine());
                }
            } finally {
                hostile.destroyForcibly();
                receiver.destroyForcibly();
            }
        }
    }

    /**
     * A small hosted game through the jar, with agents that read as {@code SummonerClient} does: a host (bound by an
     * envelope the test signs, as Python's standard library cannot), three players guessing a number, each told its
     * result alone by a directive, then a late player. No player ever sees another's guess; every player sees the
     * host's announcements from the moment it is connected.
     */
    @ParameterizedTest(name = "engine {0}")
    @ValueSource(strings = {"nio", "netty", "agrona"})
    void python_agents_play_a_hosted_game_with_directives_and_a_late_participant(String engine) throws Exception {
        assumeTrue(ChildProcesses.works("python3", "--version"), "python3 is not installed");
        final Path agent = dir.resolve("hosted_game_agent.py");
        try (var in = getClass().getResourceAsStream("/hosted_game_agent.py")) {
            Files.copy(in, agent);
        }
        final AuroraSigner hostIdentity = AuroraSigner.generate(java.util.Map.of("name", "game master"));
        final Path hello = dir.resolve("host_hello.json");
        Files.writeString(hello, hostIdentity.seal(java.util.Map.of("role", "host"), null));
        final Path config = dir.resolve("hosted.json");
        Files.writeString(config, "{\"hyper_parameters\": {\"routing\": \"hosted\", \"hosted_relay\": {\"host_fingerprints\": [\""
                + hostIdentity.fingerprint() + "\"]}}}");
        final List<Process> processes = new java.util.ArrayList<>();
        try (ServerProcess server = ServerProcess.start(dir, "--port", "0", "--engine", engine, "--config", config.toString())) {
            final String port = String.valueOf(server.awaitListeningPort());
            final Process host = python(processes, agent, port, "host", hello.toString(), "7", "3");
            final BufferedReader hostOut = new BufferedReader(new InputStreamReader(host.getInputStream(), StandardCharsets.UTF_8));
            final String bound = hostOut.readLine();
            assertTrue(bound != null && bound.startsWith("bound 127.0.0.1:"), bound + errors(host));
            final String hostAddress = bound.substring("bound ".length());

            final java.util.Map<String, BufferedReader> players = new java.util.LinkedHashMap<>();
            for (String[] player : new String[][]{{"ann", "3"}, {"ben", "9"}, {"cid", "7"}}) {
                final Process process = python(processes, agent, port, "player", player[0], player[1]);
                players.put(player[0], new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)));
            }
            final java.util.Map<String, String> results = java.util.Map.of("ann", "higher", "ben", "lower", "cid", "correct");
            for (var player : players.entrySet()) {
                assertEquals(hostAddress + "\t{'result': '" + results.get(player.getKey()) + "'}", player.getValue().readLine(), player.getKey());
                assertEquals(hostAddress + "\t'round 1 over: the number was 7'", player.getValue().readLine(), player.getKey());
            }
            final Process late = python(processes, agent, port, "player", "dan", "5");
            final BufferedReader lateOut = new BufferedReader(new InputStreamReader(late.getInputStream(), StandardCharsets.UTF_8));
            assertEquals(hostAddress + "\t{'result': 'higher'}", lateOut.readLine(), "the late player is answered too" + errors(late));
            assertEquals(hostAddress + "\t'game over'", lateOut.readLine(), "and hears the host from when it came");
            for (var player : players.entrySet()) {
                assertEquals(hostAddress + "\t'game over'", player.getValue().readLine(), player.getKey() + ": never another player's guess");
                assertEquals(null, player.getValue().readLine(), player.getKey() + " exits after game over");
            }
            final java.util.Set<String> senders = new java.util.HashSet<>();
            final List<String> guesses = new java.util.ArrayList<>();
            for (String line; (line = hostOut.readLine()) != null; ) {
                final String[] words = line.split(" ");
                assertEquals("guess", words[0], line);
                senders.add(words[1]);
                guesses.add(words[2]);
            }
            assertEquals(List.of("3", "5", "7", "9"), guesses.stream().sorted().toList(), "the host got every guess, once");
            assertEquals(4, senders.size(), "from four connections: " + senders);
            for (Process process : processes) {
                assertTrue(process.waitFor(15, TimeUnit.SECONDS), "an agent did not finish");
                assertEquals(0, process.exitValue(), errors(process));
            }
        } finally {
            processes.forEach(Process::destroyForcibly);
        }
    }

    private static Process python(List<Process> started, Path script, String port, String... arguments) throws IOException {
        final List<String> command = new java.util.ArrayList<>(List.of("python3", script.toString(), "127.0.0.1", port));
        command.addAll(List.of(arguments));
        final Process process = new ProcessBuilder(command).start();
        started.add(process);
        return process;
    }

    private static String errors(Process process) {
        try {
            return process.isAlive() ? "" : "; stderr: " + new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "; stderr unreadable: " + e;
        }
    }
}
