package org.summoner.relay.bench.load;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.summoner.relay.RunningServer;
import org.summoner.relay.SummonerServer;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A seconds-long run of the harness against the NIO engine in this JVM, in both modes: it proves the harness
 * works end to end and counts exactly. It asserts counts, never speed.
 */
class LoadSmokeTest {
    private RunningServer server;

    @BeforeEach
    void start() {
        server = new SummonerServer("smoke").start("127.0.0.1", 0, Map.of("version", "nio",
                "hyper_parameters", Map.of("rate_limit_msgs_per_minute", Integer.MAX_VALUE)));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private LoadResult run(int senders, int receivers, long rate) throws Exception {
        return run(server, senders, receivers, rate, Shape.PLAIN, null);
    }

    private static LoadResult run(RunningServer server, int senders, int receivers, long rate, Shape shape,
                                  java.util.function.Supplier<String> hello) throws Exception {
        final LoadOptions options = new LoadOptions("smoke", "smoke", Protocol.SUMMONER, "127.0.0.1",
                server.address().getPort(), List.of(), senders, receivers, 128, rate, 200, 0, 1, 5, 2, List.of(ProcessHandle.current().pid()),
                shape, hello, true);
        final ByteArrayOutputStream progress = new ByteArrayOutputStream();
        final LoadResult result = new LoadRun(options, new PrintStream(progress, true, StandardCharsets.UTF_8)).execute();
        assertTrue(progress.toString(StandardCharsets.UTF_8).startsWith("[smoke]   1s measure sent "), progress.toString(StandardCharsets.UTF_8));
        return result;
    }

    @Test
    void a_closed_loop_run_delivers_everything_once_and_in_order() throws Exception {
        final LoadResult result = run(2, 3, 0);

        assertTrue(result.clean(), result.toJson());
        assertTrue(result.sent() > 0, result.toJson());
        assertEquals(result.sent() * 3, result.expected());
        assertEquals(result.expected(), result.delivered());
        assertTrue(result.latencyMicros().count() > 0 && result.latencyMicros().count() <= result.delivered(), result.toJson());
        assertEquals("max", result.mode());
        assertTrue(result.serverCpuSeconds() > 0, "the server (this JVM) used CPU in the window: " + result.toJson());
    }

    @Test
    void an_open_loop_run_reports_its_schedule_lag_and_the_json_reads_back() throws Exception {
        final LoadResult result = run(1, 2, 500);

        assertTrue(result.clean(), result.toJson());
        assertEquals(result.sent() * 2, result.delivered());
        assertTrue(result.sendLagMicros().count() == result.sent(), result.toJson());
        assertEquals(result, LoadResult.fromJson(result.toJson()));
    }

    @Test
    void json_lines_through_a_hybrid_relay_and_a_hosts_directives_through_a_hosted_one_count_exactly() throws Exception {
        final org.summoner.relay.identity.AuroraSigner host = org.summoner.relay.identity.AuroraSigner.generate(null);
        try (RunningServer hybrid = new SummonerServer("smoke-hybrid").start("127.0.0.1", 0, Map.of("version", "nio",
                "hyper_parameters", Map.of("rate_limit_msgs_per_minute", Integer.MAX_VALUE, "routing", "hybrid")));
             RunningServer hosted = new SummonerServer("smoke-hosted").start("127.0.0.1", 0, Map.of("version", "nio",
                "hyper_parameters", Map.of("rate_limit_msgs_per_minute", Integer.MAX_VALUE, "routing", "hosted",
                        "hosted_relay", Map.of("host_fingerprints", java.util.List.of(host.fingerprint())))))) {
            final LoadResult json = run(hybrid, 1, 3, 0, Shape.JSON, null);
            assertTrue(json.clean(), json.toJson());
            assertEquals(json.sent() * 3, json.delivered());

            final LoadResult directives = run(hosted, 1, 3, 0, Shape.DIRECTIVE, () -> host.seal("bind", null));
            assertTrue(directives.clean(), directives.toJson());
            assertEquals(directives.sent() * 3, directives.delivered(), "a sender that failed to bind as the host would be told no host is connected");
        }
    }
}
