package org.summoner.relay.tck;

import org.junit.jupiter.api.Test;
import org.summoner.relay.monitoring.RelayStats;
import org.summoner.relay.RunningServer;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The kit's tests of who silence closes (SPEC section 6): nobody, unless {@code client_timeout_secs} is set. An agent
 * that only listens, as most Summoner agents do, stays connected however long it says nothing; a peer that vanished
 * without a FIN (its machine or its network gone) is found by TCP keepalive ({@code tcp_keepalive}), freed, counted
 * and logged. The vanished peer is an asyncio agent in a network namespace the test makes, behind a veth pair, whose
 * address is taken away; that test needs root and iproute2, and is skipped without them.
 */
public abstract class LivenessSection extends KitHarness {
    /** Short keepalive timers, so a test shows the rule in seconds: a vanished peer is freed after 1 + 1 x 1 s. */
    private static final Map<String, Object> FAST_KEEPALIVE = Map.of("idle_secs", 1, "interval_secs", 1, "count", 1);

    /** An agent that reads as the SDK's {@code SummonerClient} does (asyncio, 64 KiB lines) and never sends. */
    private static final String LISTENING_AGENT = """
            import asyncio, sys
            async def main():
                reader, writer = await asyncio.open_connection(sys.argv[1], int(sys.argv[2]), limit=65536)
                print("connected", flush=True)
                while True:
                    line = await reader.readline()
                    if not line:
                        print("closed", flush=True)
                        return
                    print(line.decode().rstrip("\\n"), flush=True)
            asyncio.run(main())
            """;

    @Test
    void an_agent_that_only_listens_is_never_closed_on_the_defaults_however_often_the_server_looks() throws Exception {
        final RunningServer server = startServer(Map.of("timeout_check_interval_secs", 1,
                "tcp_keepalive", Map.of("idle_secs", 1, "interval_secs", 1, "count", 1)));
        final KitClient listener = connect(server);
        final KitClient speaker = connect(server);
        awaitConnections(server, 2);

        // Two idle sweeps and two keepalive probes (answered by the listener's kernel) go by: nothing happens.
        listener.assertNothingWithin(Duration.ofMillis(2_300));
        speaker.send("still here?\n");
        assertEquals(envelope(speaker, "still here?"), listener.readLine());
        final RelayStats stats = server.stats();
        assertEquals(2, stats.connectionsOpen(), stats.toString());
        assertEquals(0, stats.idleDisconnects(), stats.toString());
        assertEquals(0, stats.deadPeers(), stats.toString());
    }

    @Test
    void a_peer_that_vanishes_without_a_fin_is_freed_counted_and_logged_by_tcp_keepalive() throws Exception {
        assumeFalse(overTls(), "the vanishing agent speaks plain TCP");
        assumeTrue(engineSections().isEmpty() || engineSections().containsKey("netty"),
                "the socket options are the acceptor's, the same in every mode of an engine: run once per engine");
        assumeTrue(NetNamespace.usable(), "needs root and iproute2 (ip netns) to make a network namespace");
        assumeTrue(python3(), "python3 is not installed");
        try (NetNamespace ns = NetNamespace.create(); KitLogs logs = KitLogs.capture()) {
            final RunningServer server = startServer(ns.hostAddress().getHostAddress(),
                    Map.of("tcp_keepalive", FAST_KEEPALIVE, "timeout_check_interval_secs", 1));
            final KitClient neighbour = connect(server);
            final Process agent = ns.start("python3", "-c", LISTENING_AGENT, ns.hostAddress().getHostAddress(),
                    String.valueOf(server.address().getPort()));
            final BufferedReader agentSays = new BufferedReader(new InputStreamReader(agent.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("connected", agentSays.readLine());
            awaitConnections(server, 2);
            neighbour.send("are you there?\n");
            assertEquals(envelope(neighbour, "are you there?"), agentSays.readLine(), "the agent is alive and reading");

            ns.vanish();
            awaitStats(server, "the vanished peer freed by keepalive", stats -> stats.deadPeers() == 1 && stats.connectionsOpen() == 1);
            final RelayStats stats = server.stats();
            assertEquals(0, stats.idleDisconnects(), stats.toString());
            assertTrue(logs.lines().stream().anyMatch(line -> line.startsWith("INFO org.summoner.relay.core.RelayCore: "
                    + ns.peerAddress().getHostAddress() + ":") && line.contains(" stopped answering (it vanished without closing: "
                    + "TCP keepalive or retransmissions went unanswered); its connection is freed")), logs.lines().toString());
            final KitClient newcomer = connect(server);
            awaitConnections(server, 2);
            neighbour.send("the rest go on\n");
            assertEquals(envelope(neighbour, "the rest go on"), newcomer.readLine());
        }
    }

    private static boolean python3() {
        try {
            final Process process = new ProcessBuilder("python3", "--version").redirectErrorStream(true).start();
            process.getInputStream().readAllBytes();
            return process.waitFor() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
