package org.summoner.relay.server;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.summoner.relay.tck.KitClient;
import org.summoner.relay.tck.ServerProcess;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The release archive, {@code summoner-server-<version>.tar.gz}, as an operator installs it: unpacked with
 * {@code tar} into a directory whose path has spaces, the server started by {@code bin/summoner-server} with only a
 * JRE, its example config, and its {@code --version}.
 */
class ReleaseArchiveIT {
    private static final String TIMESTAMP = "\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3}";

    @TempDir
    Path dir;
    /** The unpacked archive's top directory, {@code summoner-server-<version>}. */
    private Path home;
    private Path launcher;

    @BeforeEach
    void unpack() throws Exception {
        final String archive = System.getProperty("summoner.release.archive");
        if (archive == null) {
            fail("system property summoner.release.archive is not set; run these tests with 'mvn verify'");
        }
        final Path install = Files.createDirectories(dir.resolve("install dir with spaces"));
        final Command tar = Command.run(dir, Map.of(), List.of("tar", "-xzf", archive, "-C", install.toString()));
        assertEquals(0, tar.status(), tar.toString());
        home = install.resolve("summoner-server-" + System.getProperty("summoner.version"));
        launcher = home.resolve("bin/summoner-server");
    }

    @Test
    void the_archive_holds_the_launcher_the_jar_an_example_config_a_systemd_unit_the_licence_and_the_readme() throws Exception {
        assertTrue(Files.isExecutable(launcher), launcher + " is executable");
        assertEquals("#!/bin/sh", Files.readAllLines(launcher).get(0));
        assertTrue(Files.isRegularFile(home.resolve("lib/summoner-server.jar")));
        assertTrue(Files.isRegularFile(home.resolve("config/server_config.json")));
        final Path project = Path.of("").toAbsolutePath().getParent(); // the module runs from summoner-server/
        assertEquals(Files.readString(project.resolve("LICENSE")), Files.readString(home.resolve("LICENSE")));
        assertTrue(Files.readString(home.resolve("LICENSE")).contains("Apache License\n                           Version 2.0, January 2004"));
        assertEquals(Files.readString(project.resolve("README.md")), Files.readString(home.resolve("README.md")));
        assertTrue(Files.isRegularFile(home.resolve("docs/OPERATING.md")), "the README's links to docs/ resolve");

        final List<String> unit = Files.readAllLines(home.resolve("systemd/summoner-server.service"));
        for (String line : List.of("ExecStart=/opt/summoner-server/bin/summoner-server --config /etc/summoner-server/server_config.json",
                "Restart=on-failure", "KillSignal=SIGUSR2", "TimeoutStopSec=90", "User=summoner", "WantedBy=multi-user.target")) {
            assertTrue(unit.contains(line), line + " in the unit:\n" + String.join("\n", unit));
        }
    }

    @Test
    void systemd_reads_the_unit_without_a_warning() throws Exception {
        assumeTrue(Command.works("systemd-analyze", "--version"), "skipped: systemd-analyze is not installed");
        // The unit as installed, but for where this archive was unpacked, through a link without the spaces (which a
        // unit's command line would need quoted); the unit's name stays: systemd reads it.
        final Path opt = Files.createSymbolicLink(dir.resolve("opt-summoner-server"), home);
        final Path unit = Files.createDirectories(dir.resolve("unit")).resolve("summoner-server.service");
        Files.writeString(unit, Files.readString(home.resolve("systemd/summoner-server.service")).replace("/opt/summoner-server/", opt + "/"));
        final Command verify = Command.run(dir, Map.of(), List.of("systemd-analyze", "verify", unit.toString()));
        assertEquals(0, verify.status(), verify.toString());
        assertEquals("", verify.stdout() + verify.stderr(), "systemd's warnings");
    }

    @Test
    void the_launcher_runs_the_example_config_from_a_path_with_spaces_relays_a_line_and_stops_cleanly_on_sigterm() throws Exception {
        // The example config as shipped, but for the monitoring port (0: any free one); host and port by flags.
        final String example = Files.readString(home.resolve("config/server_config.json"));
        assertTrue(example.contains("\"port\": 9090"), example);
        final Path config = Files.writeString(dir.resolve("install dir with spaces/server config.json"), example.replace("\"port\": 9090", "\"port\": 0"));
        final Path work = Files.createDirectories(dir.resolve("work dir"));
        final Map<String, String> environment = new HashMap<>();
        environment.put("JAVA_HOME", System.getProperty("java.home"));
        environment.put("JAVA_OPTS", "-Xmx256m -Dsummoner.test.option=passed");
        try (ServerProcess server = ServerProcess.command(work, environment, List.of(launcher.toString(),
                "--config", config.toString(), "--host", "127.0.0.1", "--port", "0", "--name", "relay one"))) {
            assertEquals("[DEBUG] Loaded config from: " + config, server.nextLine());
            final Matcher listening = Pattern.compile(TIMESTAMP + " - relay one - INFO - NIO server listening on 127\\.0\\.0\\.1:(\\d+)")
                    .matcher(server.nextLine());
            assertTrue(listening.matches(), listening.toString());
            final int port = Integer.parseInt(listening.group(1));
            final Matcher monitoring = Pattern.compile(TIMESTAMP + " - relay one - INFO - Monitoring on http://127\\.0\\.0\\.1:(\\d+) \\(/metrics, /healthz, /connz\\)")
                    .matcher(server.nextLine());
            assertTrue(monitoring.matches(), monitoring.toString());

            // The launcher's process is the JVM (exec), with the engines' flag, JAVA_OPTS, and each argument whole.
            final ProcessHandle.Info info = ProcessHandle.of(server.pid()).orElseThrow().info();
            assertEquals(Path.of(System.getProperty("java.home"), "bin", "java").toRealPath(), Path.of(info.command().orElseThrow()).toRealPath());
            final List<String> arguments = List.of(info.arguments().orElseThrow());
            assertEquals(List.of("--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED", "-Xmx256m", "-Dsummoner.test.option=passed",
                    "-jar", home.resolve("lib/summoner-server.jar").toString(), "--config", config.toString(),
                    "--host", "127.0.0.1", "--port", "0", "--name", "relay one"), arguments);

            final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
            final HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + monitoring.group(1) + "/healthz"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, health.statusCode());
            assertEquals("ok\n", health.body());

            try (KitClient a = KitClient.connect(new InetSocketAddress("127.0.0.1", port));
                 KitClient b = KitClient.connect(new InetSocketAddress("127.0.0.1", port))) {
                Thread.sleep(200); // both registered before the first line
                a.send("from the archive\n");
                assertEquals("{\"remote_addr\":\"127.0.0.1:" + a.localPort() + "\",\"content\":\"from the archive\"}", b.readLine());

                server.terminate(); // SIGTERM to the launcher's process id, as systemd or an operator sends it
                assertEquals("Warning: Server is shutting down.", b.readLine());
                assertEquals("Warning: Server is shutting down.", a.readLine());
            }
            assertEquals(143, server.awaitExit(), "SIGTERM after a clean shutdown");
            final List<String> rest = server.remainingLines();
            assertTrue(rest.get(rest.size() - 1).endsWith(" - relay one - INFO - Server exited cleanly."), rest.toString());
        }
    }

    @Test
    void version_prints_the_version_and_the_git_commit_also_through_a_symbolic_link_to_the_launcher() throws Exception {
        final Map<String, String> environment = Map.of("JAVA_HOME", System.getProperty("java.home"));
        final Command direct = Command.run(dir, environment, List.of(launcher.toString(), "--version"));
        assertEquals(0, direct.status(), direct.toString());
        final Matcher line = Pattern.compile("summoner-server (\\S+) \\(git commit ([0-9a-f]{12}|unknown)(, with uncommitted changes)?\\)\n")
                .matcher(direct.stdout());
        assertTrue(line.matches(), direct.toString());
        assertEquals(System.getProperty("summoner.version"), line.group(1));
        final Command head = Command.run(Path.of("").toAbsolutePath(), Map.of(), List.of("git", "rev-parse", "HEAD"));
        if (head.status() == 0) {
            assertEquals(head.stdout().substring(0, 12), line.group(2), "the commit git names");
        }

        final Path link = Files.createDirectories(dir.resolve("usr local bin")).resolve("summoner-server");
        Files.createSymbolicLink(link, launcher);
        final Command linked = Command.run(dir, environment, List.of(link.toString(), "--version"));
        assertEquals(0, linked.status(), linked.toString());
        assertEquals(direct.stdout(), linked.stdout());
    }

    @Test
    void a_java_home_without_java_is_named_and_start_up_fails_with_status_1() throws Exception {
        final Command result = Command.run(dir, Map.of("JAVA_HOME", "/nonexistent jdk"), List.of(launcher.toString()));
        assertEquals(1, result.status(), result.toString());
        assertEquals("error: JAVA_HOME is /nonexistent jdk but /nonexistent jdk/bin/java is not an executable; set JAVA_HOME to a Java 17 "
                + "or later installation, or unset it to use the java on PATH\n", result.stderr());
        assertEquals("", result.stdout());
    }

    @Test
    void no_java_home_and_no_java_on_path_is_named_and_start_up_fails_with_status_1() throws Exception {
        // A PATH with the two tools the launcher uses and no java.
        final Path bin = Files.createDirectories(dir.resolve("bin without java"));
        for (String tool : List.of("dirname", "readlink")) {
            Files.createSymbolicLink(bin.resolve(tool), List.of(Path.of("/usr/bin", tool), Path.of("/bin", tool)).stream()
                    .filter(Files::isExecutable).findFirst().orElseThrow(() -> new AssertionError("no " + tool + " on this machine")));
        }
        final Map<String, String> environment = new HashMap<>();
        environment.put("JAVA_HOME", null);
        environment.put("PATH", bin.toString());
        final Command result = Command.run(dir, environment, List.of(launcher.toString(), "--version"));
        assertEquals(1, result.status(), result.toString());
        assertEquals("error: no java: JAVA_HOME is not set and there is no java on PATH; install a Java 17 or later runtime "
                + "(Debian: apt-get install openjdk-17-jre-headless) or set JAVA_HOME\n", result.stderr());
    }
}
