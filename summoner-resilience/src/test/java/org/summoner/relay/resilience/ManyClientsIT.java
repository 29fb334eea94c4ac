package org.summoner.relay.resilience;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.summoner.relay.tck.ServerProcess;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Thousands of concurrent clients on the runnable server (2,000; 10,000 with {@code -Presilience}), every one of
 * them reached by a burst of lines, and not one backpressure gate tripped.
 */
class ManyClientsIT {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "engine {0}")
    @MethodSource("org.summoner.relay.resilience.Engines#names")
    void holds_thousands_of_concurrent_clients_and_reaches_every_one(String engine) throws Exception {
        final int count = Figures.intProperty("resilience.clients");
        final java.nio.file.Path config = dir.resolve("server_config.json"); // the clients and their sender, past the default 10,000
        java.nio.file.Files.writeString(config, "{\"hyper_parameters\": {\"max_connections\": " + (count + 1) + "}}");
        try (ServerProcess server = ServerProcess.start(dir, List.of(), List.of("-Xmx512m"), "--port", "0", "--engine", engine,
                "--config", config.toString())) {
            final int port = server.awaitListeningPort();
            final long rssIdle = server.residentKib();
            final List<Socket> clients = new ArrayList<>(count);
            final List<BufferedReader> readers = new ArrayList<>(count);
            try (Socket sender = connect(port)) {
                final long start = System.nanoTime();
                for (int i = 0; i < count; i++) {
                    final Socket client = connect(port);
                    clients.add(client);
                    readers.add(new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8)));
                }
                final long connectedMillis = (System.nanoTime() - start) / 1_000_000;

                // Registration is asynchronous: repeat a probe until every client has one, then send the real line.
                final Thread prober = new Thread(() -> {
                    try {
                        while (!Thread.currentThread().isInterrupted()) {
                            sender.getOutputStream().write("probe\n".getBytes(StandardCharsets.UTF_8));
                            Thread.sleep(250);
                        }
                    } catch (IOException | InterruptedException e) {
                        // stopped
                    }
                }, "prober");
                prober.start();
                for (BufferedReader reader : readers) {
                    reader.readLine();
                }
                prober.interrupt();
                prober.join();
                // A busy room: ten lines in a burst, every client reading at its own pace.
                for (int i = 0; i < 10; i++) {
                    sender.getOutputStream().write(("to everyone " + i + "\n").getBytes(StandardCharsets.UTF_8));
                }
                final String from = "{\"remote_addr\":\"127.0.0.1:" + sender.getLocalPort() + "\",\"content\":\"";
                int reached = 0;
                for (BufferedReader reader : readers) {
                    String line;
                    while ((line = reader.readLine()) != null && !line.equals(from + "to everyone 0\"}")) {
                        assertEquals(from + "probe\"}", line);
                    }
                    for (int i = 1; i < 10; i++) {
                        assertEquals(from + "to everyone " + i + "\"}", reader.readLine());
                    }
                    reached++;
                }
                assertEquals(count, reached);
                final long rssHolding = server.residentKib();

                // A room of healthy clients never trips a gate: the counters, from the summary the server logs when stopped.
                server.terminate();
                final String stats = server.remainingLines().stream().filter(line -> line.contains(" - INFO - stats: ")).findFirst()
                        .orElseThrow(() -> new AssertionError("no stats line: " + server.outputSoFar()));
                assertTrue(stats.contains("; slow consumers 0, "), stats);
                assertTrue(stats.contains(", pauses 0 throttle + 0 flow control, "), stats);
                Figures.record("many clients (" + engine + ")", count + " concurrent clients connected in " + connectedMillis
                        + " ms, all reached by ten lines in a burst, with the default backpressure thresholds: 0 slow consumers, "
                        + "0 throttle or flow-control pauses; server resident memory " + Figures.mib(rssIdle) + " idle, "
                        + Figures.mib(rssHolding) + " holding them");
            } finally {
                for (Socket client : clients) {
                    client.close();
                }
            }
        }
    }

    static Socket connect(int port) throws IOException {
        final Socket socket = new Socket();
        socket.setSoTimeout(30_000);
        socket.connect(new InetSocketAddress("127.0.0.1", port), 30_000);
        return socket;
    }
}
