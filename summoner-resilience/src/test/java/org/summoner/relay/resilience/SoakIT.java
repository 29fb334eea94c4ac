package org.summoner.relay.resilience;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.summoner.relay.tck.ChildProcesses;
import org.summoner.relay.tck.ServerProcess;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A soak: the runnable server under steady load for {@code resilience.soak.seconds}, every delivery checked to arrive
 * once and in order, and memory checked to level off.
 *
 * <p>Two modes. The short run of every build ({@code resilience.soak.stress=false}) soaks at a fixed
 * {@link #STEADY_LINES_PER_SECOND} to {@link #RECEIVERS} receivers, a few percent of what any engine sustains on one
 * core, so a neighbour taking a core on a shared CI machine leaves it far inside its margin; its memory check reads
 * the live old generation after a full collection ({@code jcmd GC.run}), which garbage waiting for the next cycle
 * and the allocator's retained pages (resident memory) do not move. The full run ({@code -Presilience}) is the
 * stress soak: half of a maximum measured moments before, and resident memory checked too; it needs a quiet machine.
 */
class SoakIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int RECEIVERS = 10;
    /** The short soak's rate: 20,000 deliveries a second, where the engines sustain millions (docs/benchmarks). */
    private static final long STEADY_LINES_PER_SECOND = 2_000;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "engine {0}")
    @MethodSource("org.summoner.relay.resilience.Engines#names")
    @Timeout(value = 20, unit = TimeUnit.MINUTES) // the full run soaks for 10 minutes
    void steady_load_for_the_soak_duration_keeps_memory_flat_and_loses_nothing(String engine) throws Exception {
        final int seconds = Figures.intProperty("resilience.soak.seconds");
        final boolean stress = Boolean.getBoolean("resilience.soak.stress");
        final Path config = dir.resolve("server_config.json");
        // The harness's receivers never send: without lifting client_timeout_secs the server would rightly close
        // them as idle after 5 minutes.
        Files.writeString(config, "{\"hyper_parameters\": {\"rate_limit_msgs_per_minute\": 2000000000, \"client_timeout_secs\": null, "
                + "\"backpressure_policy\": {\"disconnect_threshold\": 1000000}, \"quarantine_cooldown_secs\": 0}}");
        try (ServerProcess server = ServerProcess.start(dir, List.of(), List.of("-Xms256m", "-Xmx256m"),
                "--port", "0", "--engine", engine, "--config", config.toString())) {
            final int port = server.awaitListeningPort();
            final long rate;
            final String rateText;
            if (stress) {
                final JsonNode max = load(port, 0, 1, 3);
                assertTrue(max.get("lost").asLong() == 0 && max.get("reorders").asLong() == 0, max.toString());
                rate = Math.max(1000, (long) (max.get("linesPerSecond").asDouble() / 2));
                rateText = "half of the " + (long) max.get("linesPerSecond").asDouble() + " lines/s measured first";
            } else {
                rate = STEADY_LINES_PER_SECOND;
                rateText = "a fixed rate far below capacity";
            }

            final int warmup = Math.max(2, seconds / 10);
            final CompletableFuture<JsonNode> soak = CompletableFuture.supplyAsync(() -> {
                try {
                    return load(port, rate, warmup, seconds);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            final long sampleMillis = Math.max(1000, seconds * 1000L / 30);
            Thread.sleep(TimeUnit.SECONDS.toMillis(warmup));
            final long liveFirst = server.liveOldGenerationKib();
            final List<long[]> samples = new ArrayList<>(); // {resident KiB, old generation KiB}
            while (!soak.isDone()) {
                samples.add(new long[]{server.residentKib(), server.oldGenerationKib()});
                Thread.sleep(sampleMillis);
            }
            final JsonNode result = soak.get();
            final long liveLast = server.liveOldGenerationKib();
            assertEquals(0, result.get("lost").asLong(), result.toString());
            assertEquals(0, result.get("gaps").asLong(), result.toString());
            assertEquals(0, result.get("reorders").asLong(), result.toString());
            assertEquals(0, result.get("disconnects").asLong(), result.toString());
            assertTrue(samples.size() >= 3, "samples: " + samples.size());

            final long[] first = samples.get(0);
            final long[] last = samples.get(samples.size() - 1);
            long rssMax = 0;
            long oldMax = 0;
            for (long[] sample : samples) {
                rssMax = Math.max(rssMax, sample[0]);
                oldMax = Math.max(oldMax, sample[1]);
            }
            Figures.record("soak (" + engine + (stress ? ", stress" : "") + ")", seconds + " s at " + rate + " lines/s x " + RECEIVERS
                    + " receivers (" + rateText + "), " + result.get("delivered").asLong()
                    + " deliveries, 0 lost, 0 reordered; p99 " + result.get("latencyMicros").get("p99").asDouble()
                    + " us; live old generation after a full collection " + Figures.mib(liveFirst) + " after warm-up, "
                    + Figures.mib(liveLast) + " at the end; server resident memory " + Figures.mib(first[0]) + " after warm-up, "
                    + Figures.mib(rssMax) + " at most, " + Figures.mib(last[0]) + " at the end; old generation " + Figures.mib(first[1])
                    + " after warm-up, " + Figures.mib(oldMax) + " at most, " + Figures.mib(last[1]) + " at the end (" + samples.size()
                    + " samples, heap fixed at 256 MiB); resident MiB by sample: " + samples.stream().map(sample -> String.valueOf(sample[0] / 1024)).toList());
            // Leveling off, not climbing: what is live after a collection, with a margin for the JIT's and the
            // allocator's own growth. Resident memory only where the machine is the soak's alone (the stress run).
            assertTrue(liveFirst > 0 && liveLast > 0, "jcmd and jstat read the server's heap: " + liveFirst + ", " + liveLast);
            assertTrue(liveLast <= liveFirst + 32 * 1024, "the live heap climbed: " + liveFirst + " -> " + liveLast + " KiB");
            if (stress) {
                assertTrue(last[0] <= first[0] + 128 * 1024, "resident memory climbed: " + first[0] + " -> " + last[0] + " KiB");
                assertTrue(last[1] <= first[1] + 64 * 1024, "old generation climbed: " + first[1] + " -> " + last[1] + " KiB");
            }
        }
    }

    /** Runs the load harness jar against the server; returns its JSON result. */
    private static JsonNode load(int port, long rate, int warmup, int seconds) throws IOException, InterruptedException {
        final Process process = ChildProcesses.track(new ProcessBuilder(ServerProcess.javaTool("java"), "-jar", System.getProperty("summoner.load.jar"), "run",
                "--port", String.valueOf(port), "--receivers", String.valueOf(RECEIVERS), "--rate", String.valueOf(rate),
                "--warmup", String.valueOf(warmup), "--duration", String.valueOf(seconds), "--quiet").redirectError(ProcessBuilder.Redirect.DISCARD)
                .start());
        final String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(seconds + warmup + 60L, TimeUnit.SECONDS), "the load harness finished");
        final String json = out.lines().filter(line -> line.startsWith("{")).findFirst().orElseThrow(() -> new AssertionError("no result: " + out));
        return JSON.readTree(json);
    }
}
