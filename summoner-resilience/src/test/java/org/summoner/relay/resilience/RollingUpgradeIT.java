package org.summoner.relay.resilience;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.summoner.relay.tck.FreePorts;
import org.summoner.relay.tck.ServerProcess;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A rolling upgrade end to end: two real server processes (the runnable jar) on one port, the old one drained with
 * {@code kill -USR2} while agents written like the Summoner SDK's {@code SummonerClient} (asyncio, 64 KiB lines, 3
 * tries 3 s apart then 2 more; {@code rolling_agent.py}) chat through the switch. None may exhaust its retries, and
 * every line an agent wrote must be accounted for by the servers' own counts: received by the old one, received by
 * the new one, or counted by the old one as sent after the client's goodbye. With {@code drain.reuse_port} the new
 * process binds while the old one still listens; without it, the new one is started once the old one stopped
 * accepting, and the agents told during the gap spend a try.
 *
 * <p>Every build runs it with a few agents against nio with {@code reuse_port}; {@code -Presilience} with more
 * agents, both modes and every engine of the suite ({@code resilience.upgrade.*}).
 */
class RollingUpgradeIT {
    private static final String NOTICE = "Warning: Server is draining; reconnect.";
    private static final Pattern MONITORING = Pattern.compile("Monitoring on http://127\\.0\\.0\\.1:(\\d+) ");
    private static final Pattern LINES_IN = Pattern.compile("; lines (\\d+) in, ");
    private static final Pattern DRAINED = Pattern.compile("Drained: (\\d+) clients told to reconnect; (\\d+) lines sent after their goodbye");
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dir;

    static Stream<Arguments> cases() {
        final List<String> engines = list("resilience.upgrade.engines", "nio");
        final List<String> modes = list("resilience.upgrade.modes", "reuse_port");
        return engines.stream().flatMap(engine -> modes.stream().map(mode -> Arguments.of(engine, mode.equals("reuse_port"))));
    }

    private static List<String> list(String property, String defaultValue) {
        final String value = System.getProperty(property, "");
        return Arrays.asList((value.isBlank() ? defaultValue : value).split(","));
    }

    @ParameterizedTest(name = "engine {0}, reuse_port {1}")
    @MethodSource("cases")
    void agents_chat_across_an_old_to_new_switch_and_every_line_is_accounted_for(String engine, boolean reusePort) throws Exception {
        assumeTrue(VanishingPeersIT.python3(), "python3 is not installed");
        final int agents = Integer.getInteger("resilience.upgrade.agents", 4);
        final int drainSecs = Integer.getInteger("resilience.upgrade.drain.secs", 2);
        final int port = FreePorts.tcp();
        final Path config = dir.resolve("server_config.json");
        Files.writeString(config, "{\"port\": " + port + ", \"version\": \"" + engine + "\", \"monitoring\": {\"port\": 0},"
                + " \"drain\": {\"period_secs\": " + drainSecs + ", \"reuse_port\": " + reusePort + "}}");
        final Path agentScript = dir.resolve("rolling_agent.py");
        try (InputStream in = getClass().getResourceAsStream("/rolling_agent.py")) {
            Files.copy(in, agentScript);
        }
        final List<Process> running = new ArrayList<>();
        try (ServerProcess old = start(config)) {
            old.awaitListeningPort();
            final int oldMonitoring = monitoringPort(old);
            for (int i = 0; i < agents; i++) {
                final Process agent = new ProcessBuilder("python3", agentScript.toString(), "127.0.0.1", String.valueOf(port), "agent" + i, "100")
                        .redirectError(dir.resolve("agent" + i + ".err").toFile()).start();
                running.add(agent);
                assertEquals("started", reader(agent).readLine());
            }
            awaitConnections(oldMonitoring, agents);
            Thread.sleep(500); // they chat on the old one

            final ServerProcess fresh;
            if (reusePort) {
                fresh = start(config); // binds while the old one still listens
                fresh.awaitListeningPort();
                old.signal("USR2");
            } else {
                old.signal("USR2");
                old.awaitOutput("Draining: stopped accepting", 1);
                fresh = start(config); // the port is free of listeners now; the old one's connections do not hold it
                fresh.awaitListeningPort();
            }
            try (fresh) {
                final int freshMonitoring = monitoringPort(fresh);
                assertEquals(0, old.awaitExit(), "the old one exits with 0 once drained");
                final String oldOutput = String.join("\n", old.remainingLines());
                awaitConnections(freshMonitoring, agents);
                Thread.sleep(500); // they chat on the new one

                final List<JsonNode> summaries = new ArrayList<>();
                for (Process agent : running) {
                    agent.getOutputStream().close(); // stop
                }
                for (Process agent : running) {
                    final String summary = reader(agent).readLine();
                    assertTrue(agent.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS), "an agent did not stop");
                    assertTrue(summary != null, "an agent printed no summary: " + Files.readString(dir.resolve("agent" + running.indexOf(agent) + ".err")));
                    summaries.add(JSON.readTree(summary));
                    assertEquals(0, agent.exitValue(), "exhausted its retries: " + summary);
                }
                fresh.terminate();
                final String freshOutput = String.join("\n", fresh.remainingLines());

                long sent = 0;
                for (JsonNode agent : summaries) {
                    final String name = agent.get("name").asText();
                    sent += agent.get("sent").asLong();
                    assertFalse(agent.get("exhausted").asBoolean(), name + " exhausted its retries: " + agent);
                    assertTrue(agent.get("failures").asInt() <= (reusePort ? 1 : 3), name + " failed to connect too often: " + agent);
                    assertEquals(2, agent.get("connections").asInt(), name + ": one connection to each server: " + agent);
                    assertEquals(List.of(NOTICE), textList(agent.get("notices")), name + " is told once, in those words");
                    assertEquals(0, agent.get("out_of_order").asInt(), name + ": " + agent);
                    assertEquals(0, agent.get("duplicates").asInt(), name + ": " + agent);
                    assertEquals(agents - 1, agent.get("received").size(), name + " heard every other agent: " + agent);
                }
                final long oldIn = group(LINES_IN, oldOutput, 1);
                final long told = group(DRAINED, oldOutput, 1);
                final long afterGoodbye = group(DRAINED, oldOutput, 2);
                final long freshIn = group(LINES_IN, freshOutput, 1);
                assertEquals(agents, told, "every agent was told by the drain");
                assertEquals(sent, oldIn + afterGoodbye + freshIn, "lines written by the agents (" + sent + ") = old in (" + oldIn
                        + ") + sent after their goodbye, counted (" + afterGoodbye + ") + new in (" + freshIn + "): none lost uncounted");
                Figures.record("rolling upgrade, " + engine + (reusePort ? ", reuse_port" : ", no reuse_port"), agents
                        + " agents, " + sent + " lines, " + afterGoodbye + " sent after their goodbye (counted), max connect failures "
                        + summaries.stream().mapToInt(a -> a.get("failures").asInt()).max().orElse(0));
            }
        } finally {
            running.forEach(Process::destroyForcibly);
        }
    }

    private ServerProcess start(Path config) throws IOException {
        // The variable the launcher sets: HotSpot's thread-suspend signal moves off SIGUSR2 (DrainSignal).
        return ServerProcess.start(dir, List.of("env", "_JAVA_SR_SIGNUM=39"), List.of("-Xmx256m"), "--config", config.toString());
    }

    private static int monitoringPort(ServerProcess server) throws InterruptedException {
        while (true) {
            final Matcher matcher = MONITORING.matcher(server.nextLine());
            if (matcher.find()) {
                return Integer.parseInt(matcher.group(1));
            }
        }
    }

    private void awaitConnections(int monitoringPort, int expected) throws Exception {
        final long deadline = System.nanoTime() + WAIT.toNanos();
        long now = -1;
        while (System.nanoTime() - deadline < 0) {
            final HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + monitoringPort + "/metrics"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            now = metrics.body().lines().filter(line -> line.startsWith("summoner_connections "))
                    .mapToLong(line -> (long) Double.parseDouble(line.substring(line.indexOf(' ') + 1))).findFirst().orElse(-1);
            if (now == expected) {
                return;
            }
            Thread.sleep(50);
        }
        fail("expected " + expected + " agents connected, found " + now);
    }

    private static long group(Pattern pattern, String text, int group) {
        final Matcher matcher = pattern.matcher(text);
        long last = -1;
        while (matcher.find()) {
            last = Long.parseLong(matcher.group(group)); // the last summary: the one at exit
        }
        assertTrue(last >= 0, "no \"" + pattern + "\" in: " + text);
        return last;
    }

    private static List<String> textList(JsonNode array) {
        final List<String> texts = new ArrayList<>();
        array.forEach(node -> texts.add(node.asText()));
        return texts;
    }

    private static BufferedReader reader(Process process) {
        return new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }
}
