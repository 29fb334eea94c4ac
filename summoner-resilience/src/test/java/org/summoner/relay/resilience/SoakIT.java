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
 * A soak: the runnable server under half of the load it can take (measured first), for
 * {@code resilience.soak.seconds}, with its resident memory and old-generation heap sampled throughout. Memory
 * must level off, not climb; every delivery must arrive once and in order.
 */
class SoakIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int RECEIVERS = 10;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "engine {0}")
    @MethodSource("org.summoner.relay.resilience.Engines#names")
    @Timeout(value = 20, unit = TimeUnit.MINUTES) // the full run soaks for 10 minutes
    void half_of_max_throughput_for_the_soak_duration_keeps_memory_flat_and_loses_nothing(String engine) throws Exception {
        final int seconds = Figures.intProperty("resilience.soak.seconds");
        final Path config = dir.resolve("server_config.json");
        // The harness's receivers never send: without lifting client_timeout_secs the server would rightly close
        // them as idle after 5 minutes.
        Files.writeString(config, "{\"hyper_parameters\": {\"rate_limit_msgs_per_minute\": 2000000000, \"client_timeout_secs\": null, "
                + "\"backpressure_policy\": {\"disconnect_threshold\": 1000000}, \"quarantine_cooldown_secs\": 0}}");
        try (ServerProcess server = ServerProcess.start(dir, List.of(), List.of("-Xms256m", "-Xmx256m"),
                "--port", "0", "--engine", engine, "--config", config.toString())) {
            final int port = server.awaitListeningPort();
            final JsonNode max = load(port, 0, 1, 3);
            assertTrue(max.get("lost").asLong() == 0 && max.get("reorders").asLong() == 0, max.toString());
            final long rate = Math.max(1000, (long) (max.get("linesPerSecond").asDouble() / 2));

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
            final List<long[]> samples = new ArrayList<>(); // {resident KiB, old generation KiB}
            while (!soak.isDone()) {
                samples.add(new long[]{server.residentKib(), server.oldGenerationKib()});
                Thread.sleep(sampleMillis);
            }
            final JsonNode result = soak.get();
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
            Figures.record("soak (" + engine + ")", seconds + " s at " + rate + " lines/s x " + RECEIVERS + " receivers (half of the "
                    + (long) max.get("linesPerSecond").asDouble() + " lines/s measured first), " + result.get("delivered").asLong()
                    + " deliveries, 0 lost, 0 reordered; p99 " + result.get("latencyMicros").get("p99").asDouble()
                    + " us; server resident memory " + Figures.mib(first[0]) + " after warm-up, " + Figures.mib(rssMax)
                    + " at most, " + Figures.mib(last[0]) + " at the end; old generation " + Figures.mib(first[1]) + " after warm-up, "
                    + Figures.mib(oldMax) + " at most, " + Figures.mib(last[1]) + " at the end (" + samples.size() + " samples, heap fixed at 256 MiB)"
                    + "; resident MiB by sample: " + samples.stream().map(sample -> String.valueOf(sample[0] / 1024)).toList());
            // Leveling off, not climbing: generous bounds, since the figures above are what the docs report.
            assertTrue(last[0] <= first[0] + 128 * 1024, "resident memory climbed: " + first[0] + " -> " + last[0] + " KiB");
            assertTrue(last[1] <= first[1] + 64 * 1024, "old generation climbed: " + first[1] + " -> " + last[1] + " KiB");
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
