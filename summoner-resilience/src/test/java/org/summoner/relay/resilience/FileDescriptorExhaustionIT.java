package org.summoner.relay.resilience;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.summoner.relay.tck.ServerProcess;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The server runs out of file descriptors ({@code prlimit --nofile=128}): accepts fail, it backs off
 * ({@code accept_error_backoff_ms}), keeps serving the clients it has, and takes the waiting ones once
 * descriptors free up.
 */
class FileDescriptorExhaustionIT {
    private static final int DESCRIPTORS = 128;
    private static final int CLIENTS = 200;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "engine {0}")
    @MethodSource("org.summoner.relay.resilience.Engines#names")
    void out_of_descriptors_the_server_backs_off_keeps_serving_and_recovers(String engine) throws Exception {
        try (ServerProcess server = ServerProcess.start(dir, List.of("prlimit", "--nofile=" + DESCRIPTORS + ":" + DESCRIPTORS, "--"),
                List.of("-Xmx256m"), "--port", "0", "--engine", engine)) {
            final int port = server.awaitListeningPort();
            final List<Socket> crowd = new ArrayList<>();
            try (Socket first = ManyClientsIT.connect(port); Socket second = ManyClientsIT.connect(port)) {
                Thread.sleep(300);
                for (int i = 0; i < CLIENTS; i++) {
                    crowd.add(ManyClientsIT.connect(port)); // the kernel completes the handshake; accept() may not
                }
                awaitOutput(server, "accept failed: ");
                awaitOutput(server, "Too many open files");

                first.getOutputStream().write("still serving\n".getBytes(StandardCharsets.UTF_8));
                final BufferedReader secondReader = new BufferedReader(new InputStreamReader(second.getInputStream(), StandardCharsets.UTF_8));
                assertEquals("{\"remote_addr\":\"127.0.0.1:" + first.getLocalPort() + "\",\"content\":\"still serving\"}", secondReader.readLine());

                for (Socket socket : crowd.subList(0, CLIENTS - 1)) {
                    socket.close();
                }
                final Socket last = crowd.get(CLIENTS - 1);
                final BufferedReader lastReader = new BufferedReader(new InputStreamReader(last.getInputStream(), StandardCharsets.UTF_8));
                final Thread prober = new Thread(() -> {
                    try {
                        while (!Thread.currentThread().isInterrupted()) {
                            first.getOutputStream().write("welcome\n".getBytes(StandardCharsets.UTF_8));
                            Thread.sleep(200);
                        }
                    } catch (Exception e) {
                        // stopped
                    }
                }, "prober");
                prober.start();
                final String line = lastReader.readLine(); // the last client waited in the backlog until descriptors freed up
                prober.interrupt();
                prober.join();
                assertEquals("{\"remote_addr\":\"127.0.0.1:" + first.getLocalPort() + "\",\"content\":\"welcome\"}", line);
                final long warnings = server.outputSoFar().stream().filter(l -> l.contains("accept failed")).count();
                Figures.record("descriptor exhaustion (" + engine + ")", "with " + DESCRIPTORS + " descriptors and " + (CLIENTS + 2)
                        + " clients, accepts failed and were retried every 100 ms (" + warnings + " warning line(s) logged); "
                        + "connected clients kept chatting; the waiting client was served once descriptors were freed");
            } finally {
                for (Socket socket : crowd) {
                    socket.close();
                }
            }
        }
    }

    private static void awaitOutput(ServerProcess server, String text) throws InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (server.outputSoFar().stream().noneMatch(line -> line.contains(text))) {
            assertTrue(System.nanoTime() < deadline, "the server never logged '" + text + "': " + server.outputSoFar());
            Thread.sleep(50);
        }
    }

}
