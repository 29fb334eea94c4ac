package org.summoner.relay.resilience;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.summoner.relay.monitoring.RelayStats;
import org.summoner.relay.RunningServer;
import org.summoner.relay.SummonerServer;
import org.summoner.relay.tck.KitClient;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Clients that vanish: processes killed in the middle of a line, and clients that connect and never send. Runs
 * the server in this JVM so its counters can be checked.
 */
class VanishingPeersIT {
    private static final String PEER = """
            import socket, sys, time
            s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
            s.sendall(("half a line from %s" % sys.argv[2]).encode())
            print("ready", flush=True)
            time.sleep(60)
            """;

    private static void await(RunningServer server, String what, Predicate<RelayStats> condition) throws InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.test(server.stats())) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what + ": " + server.stats());
            Thread.sleep(10);
        }
    }

    @ParameterizedTest(name = "engine {0}")
    @MethodSource("org.summoner.relay.resilience.Engines#names")
    void peers_killed_mid_line_leave_the_others_untouched(String engine) throws Exception {
        assumeTrue(python3(), "python3 is not installed");
        try (RunningServer server = new SummonerServer("vanishing").start("127.0.0.1", 0, Map.of("version", engine));
             KitClient sender = KitClient.connect(server.address());
             KitClient receiver = KitClient.connect(server.address())) {
            await(server, "two clients", stats -> stats.connectionsOpen() == 2);
            final List<Process> peers = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                final Process peer = new ProcessBuilder("python3", "-c", PEER, String.valueOf(server.address().getPort()), String.valueOf(i))
                        .redirectErrorStream(true).start();
                assertEquals("ready", new BufferedReader(new InputStreamReader(peer.getInputStream(), StandardCharsets.UTF_8)).readLine());
                peers.add(peer);
            }
            await(server, "22 clients", stats -> stats.connectionsOpen() == 22);

            for (int i = 0; i < peers.size(); i++) {
                sender.send("line " + i + "\n");
                peers.get(i).destroyForcibly(); // SIGKILL: the kernel closes the socket for the dead process
            }
            for (Process peer : peers) {
                peer.waitFor(10, TimeUnit.SECONDS);
            }
            await(server, "the dead peers' connections closed", stats -> stats.connectionsOpen() == 2);
            sender.send("after\n");

            int lines = 0;
            String line;
            do {
                line = receiver.readLine();
                if (line.contains("\"content\":\"line ")) {
                    assertEquals(sender.address(), line.substring(16, line.indexOf("\",\"")), "every line in order from the sender");
                    assertTrue(line.endsWith("\"content\":\"line " + lines + "\"}"), line);
                    lines++;
                }
            } while (!line.endsWith("\"content\":\"after\"}"));
            assertEquals(20, lines);
            final RelayStats stats = server.stats();
            Figures.record("killed peers (" + engine + ")", "20 client processes killed with SIGKILL mid-line while a sender sent; the receiver got all "
                    + lines + " lines in order; " + (stats.linesRelayed() - 21) + " dead peers' unfinished lines were relayed as final "
                    + "lines (their kernel closed with FIN, as a client that closes), the others' discarded (closed with a reset, "
                    + "having unread data); connections back to 2");
        }
    }

    @ParameterizedTest(name = "engine {0}")
    @MethodSource("org.summoner.relay.resilience.Engines#names")
    void clients_that_never_send_are_told_and_closed_by_the_idle_timeout(String engine) throws Exception {
        final int count = 1000;
        try (RunningServer server = new SummonerServer("silent").start("127.0.0.1", 0, Map.of("version", engine,
                "hyper_parameters", Map.of("client_timeout_secs", 2, "timeout_check_interval_secs", 1)))) {
            final List<KitClient> silent = new ArrayList<>();
            try {
                for (int i = 0; i < count; i++) {
                    silent.add(KitClient.connect(server.address()));
                }
                await(server, count + " clients", stats -> stats.connectionsOpen() == count);
                final long connected = System.nanoTime();
                for (KitClient client : silent) {
                    assertEquals("Warning: You have been disconnected due to inactivity.", client.readLine());
                    client.assertEndOfStream();
                }
                await(server, "all closed", stats -> stats.connectionsOpen() == 0);
                assertEquals(count, server.stats().idleDisconnects());
                Figures.record("silent clients (" + engine + ")", count + " clients that never sent (client_timeout_secs 2, timeout_check_interval_secs 1)"
                        + " were all told and closed, the last " + Duration.ofNanos(System.nanoTime() - connected).toMillis()
                        + " ms after all had connected; idle disconnects " + server.stats().idleDisconnects());
            } finally {
                for (KitClient client : silent) {
                    client.close();
                }
            }
        }
    }

    static boolean python3() {
        try {
            return new ProcessBuilder("python3", "--version").start().waitFor(10, TimeUnit.SECONDS);
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
