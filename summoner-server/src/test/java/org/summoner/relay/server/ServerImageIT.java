package org.summoner.relay.server;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.summoner.relay.tck.KitClient;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The container image that {@code -Pimage} builds with Jib, loaded and run with podman as an operator would: as
 * user 65532, the image's config on 0.0.0.0, {@code /healthz} and the documented health command, a relayed line,
 * a clean stop. Skipped, with the reason, where the image was not built or podman cannot run containers.
 */
class ServerImageIT {
    /** The health command README's "Container image" gives podman: the image has only the JVM to run it. */
    static final String HEALTH_CMD = "[\"/opt/java/bin/java\",\"-cp\",\"/app/classes\",\"org.summoner.relay.server.HealthProbe\"]";

    private static String image;
    /** podman's global options and those of its run command on this machine (found by {@link #load()}). */
    private static List<String> global;
    private static List<String> runOptions;

    /** Why these tests cannot run here, or null: found once, said by each test as it skips. */
    private static String skipped;

    @BeforeAll
    static void load() throws Exception {
        final Path tar = Path.of(System.getProperty("summoner.image.tar", "target/summoner-server-image.tar"));
        if (!Files.isRegularFile(tar)) {
            skipped = "skipped: no image at " + tar + " (mvn verify -Pimage builds it)";
            return;
        }
        if (!Command.works("podman", "--version")) {
            skipped = "skipped: podman is not installed (Debian: apt-get install podman)";
            return;
        }
        image = "localhost/summoner-server:" + System.getProperty("summoner.version");
        final Command loaded = Command.run("podman", "load", "-i", tar.toString());
        assertEquals(0, loaded.status(), loaded.toString());
        assertTrue((loaded.stdout() + loaded.stderr()).contains("Loaded image: " + image), loaded.toString());

        // Rootful podman as it comes; else as a sandbox with hybrid cgroups and without CAP_SYS_RESOURCE needs it (this
        // project's machines: crun refuses hybrid cgroups, and no limit may be raised): runc, and lower limits.
        final List<List<List<String>>> candidates = List.of(List.of(List.of(), List.of()),
                List.of(List.of("--runtime", "runc"), List.of("--ulimit", "nofile=4096:4096", "--ulimit", "nproc=4096:4096")));
        final List<String> failures = new ArrayList<>();
        for (List<List<String>> candidate : candidates) {
            global = candidate.get(0);
            runOptions = candidate.get(1);
            final Command version = podman("--rm", image, "--version");
            if (version.status() == 0) {
                return;
            }
            failures.add(String.join(" ", version.command()) + ": " + version.stderr().strip());
        }
        skipped = "skipped: podman is installed but cannot run a container here: " + failures;
    }

    @BeforeEach
    void runnable() {
        assumeTrue(skipped == null, skipped);
    }

    /** {@code podman run} with this machine's options, then {@code args}. */
    private static Command podman(String... args) throws Exception {
        final List<String> command = new ArrayList<>(List.of("podman"));
        command.addAll(global);
        command.add("run");
        command.addAll(runOptions);
        command.addAll(List.of(args));
        return Command.run(Path.of("").toAbsolutePath(), Map.of(), command);
    }

    /** {@code podman <args>} with this machine's global options: {@code logs}, {@code stop}, {@code inspect}... */
    private static Command podmanOther(String... args) throws Exception {
        final List<String> command = new ArrayList<>(List.of("podman"));
        command.addAll(global);
        command.addAll(List.of(args));
        return Command.run(Path.of("").toAbsolutePath(), Map.of(), command);
    }

    @Test
    void version_prints_the_version_and_the_git_commit() throws Exception {
        final Command version = podman("--rm", image, "--version");
        assertEquals(0, version.status(), version.toString());
        assertTrue(version.stdout().matches("summoner-server " + System.getProperty("summoner.version").replace(".", "\\.")
                + " \\(git commit ([0-9a-f]{12}|unknown)(, with uncommitted changes)?\\)\n"), version.toString());
    }

    @Test
    void the_image_runs_as_65532_on_0_0_0_0_answers_healthz_relays_a_line_and_stops_cleanly() throws Exception {
        final String name = "summoner-image-it-" + UUID.randomUUID();
        try {
            final Command started = podman("-d", "--name", name, "-p", "127.0.0.1::8888", "-p", "127.0.0.1::9090",
                    "--health-cmd", HEALTH_CMD, "--health-interval", "30s", image);
            assertEquals(0, started.status(), started.toString());
            String logs = "";
            final long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!logs.contains("Monitoring on") && System.nanoTime() < deadline) {
                Thread.sleep(200);
                logs = podmanOther("logs", name).stdout();
            }
            assertTrue(logs.contains(" - summoner_server - INFO - NIO server listening on 0.0.0.0:8888\n"), logs);
            assertTrue(logs.contains(" - summoner_server - INFO - Monitoring on http://0.0.0.0:9090 (/metrics, /healthz, /connz)\n"), logs);

            final String pid = podmanOther("inspect", "--format", "{{.State.Pid}}", name).stdout().strip();
            final String uid = Files.readAllLines(Path.of("/proc", pid, "status")).stream().filter(line -> line.startsWith("Uid:")).findFirst().orElseThrow();
            assertEquals("Uid:\t65532\t65532\t65532\t65532", uid, "not root");

            final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
            final HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create("http://" + hostPort(name, 9090) + "/healthz"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, health.statusCode());
            assertEquals("ok\n", health.body());
            final Command check = podmanOther("healthcheck", "run", name);
            assertEquals(0, check.status(), "the documented --health-cmd: " + check);

            final String[] relay = hostPort(name, 8888).split(":");
            final InetSocketAddress address = new InetSocketAddress(relay[0], Integer.parseInt(relay[1]));
            try (KitClient a = KitClient.connect(address); KitClient b = KitClient.connect(address)) {
                Thread.sleep(500); // both registered before the first line
                a.send("through the image\n");
                final String line = b.readLine();
                assertTrue(line.matches("\\{\"remote_addr\":\"[0-9.]+:\\d+\",\"content\":\"through the image\"}"), line);

                final Command stopped = podmanOther("stop", "--time", "30", name); // SIGTERM
                assertEquals(0, stopped.status(), stopped.toString());
                assertEquals("Warning: Server is shutting down.", b.readLine());
            }
            assertEquals("143", podmanOther("inspect", "--format", "{{.State.ExitCode}}", name).stdout().strip(), "SIGTERM after a clean shutdown");
            assertTrue(podmanOther("logs", name).stdout().strip().endsWith(" - summoner_server - INFO - Server exited cleanly."));
        } finally {
            podmanOther("rm", "--force", name);
        }
    }

    /** @return the host's {@code 127.0.0.1:port} that podman published the container's {@code port} on. */
    private static String hostPort(String name, int port) throws Exception {
        final Command published = podmanOther("port", name, port + "/tcp");
        assertEquals(0, published.status(), published.toString());
        return published.stdout().lines().findFirst().orElseThrow().strip();
    }
}
