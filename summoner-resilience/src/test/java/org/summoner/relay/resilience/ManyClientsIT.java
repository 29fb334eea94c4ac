package org.summoner.relay.resilience;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
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

/** Thousands of concurrent clients on the runnable server, every one of them reached by one line. */
class ManyClientsIT {
    @TempDir
    Path dir;

    @Test
    void holds_thousands_of_concurrent_clients_and_reaches_every_one() throws Exception {
        final int count = Figures.intProperty("resilience.clients");
        try (ServerProcess server = ServerProcess.start(dir, List.of(), List.of("-Xmx512m"), "--port", "0")) {
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
                sender.getOutputStream().write("to everyone\n".getBytes(StandardCharsets.UTF_8));
                final String expected = "{\"remote_addr\":\"127.0.0.1:" + sender.getLocalPort() + "\",\"content\":\"to everyone\"}";
                int reached = 0;
                for (BufferedReader reader : readers) {
                    String line;
                    while ((line = reader.readLine()) != null && !line.equals(expected)) {
                        assertEquals("{\"remote_addr\":\"127.0.0.1:" + sender.getLocalPort() + "\",\"content\":\"probe\"}", line);
                    }
                    if (expected.equals(line)) {
                        reached++;
                    }
                }
                assertEquals(count, reached);
                Figures.record("many clients", count + " concurrent clients connected in " + connectedMillis
                        + " ms, all reached by one line; server resident memory " + Figures.mib(rssIdle) + " idle, "
                        + Figures.mib(server.residentKib()) + " holding them");
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
