package org.summoner.relay.resilience;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The clients of one relay node, run as a process of its own in the node's network namespace (a thread of the test
 * cannot enter one): {@code ip netns exec <ns> java -cp <test classes> org.summoner.relay.resilience.ClientDriver
 * <host> <port> <node> <clients> <linesPerSecond> <startEpochMillis> <durationMillis> <drainMillis> <padBytes>
 * <metricsUrl> <outDir>}.
 *
 * <p>Opens {@code clients} connections to the node, then from {@code startEpochMillis} for {@code durationMillis}
 * each sends {@code <node>c<k> <seq> <sendEpochMillis> <padding>} at a fixed rate; every line each receives is
 * written with its arrival time to {@code <outDir>/<node>c<k>.recv}, every line sent to {@code <node>c<k>.sent}
 * (its own address first). After {@code drainMillis} more it scrapes the node's {@code /metrics} into {@code
 * <node>.metrics} and exits: 0, or 1 with the reason on standard error. JDK only, so its class path is the test
 * classes. Every socket has a read timeout; nothing waits without one.
 */
public final class ClientDriver {
    private ClientDriver() {
    }

    public static void main(String[] args) throws Exception {
        final String host = args[0];
        final int port = Integer.parseInt(args[1]);
        final String node = args[2];
        final int clients = Integer.parseInt(args[3]);
        final int rate = Integer.parseInt(args[4]);
        final long start = Long.parseLong(args[5]);
        final long duration = Long.parseLong(args[6]);
        final long drain = Long.parseLong(args[7]);
        final String padding = "x".repeat(Integer.parseInt(args[8]));
        final String metrics = args[9];
        final Path out = Path.of(args[10]);
        final List<Thread> threads = new ArrayList<>();
        final List<Socket> sockets = new ArrayList<>();
        final List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int k = 0; k < clients; k++) {
            final Socket socket = new Socket();
            socket.connect(new InetSocketAddress(host, port), 5_000);
            socket.setSoTimeout(500);
            socket.setTcpNoDelay(true);
            sockets.add(socket);
        }
        if (System.currentTimeMillis() > start - 200) {
            System.err.println("connected too late: " + (System.currentTimeMillis() - start) + " ms after the start");
            System.exit(1);
        }
        final long end = start + duration + drain;
        for (int k = 0; k < clients; k++) {
            final Socket socket = sockets.get(k);
            final String id = node + "c" + k;
            final String address = socket.getLocalAddress().getHostAddress() + ":" + socket.getLocalPort();
            threads.add(thread(id + "-reader", failures, () -> read(socket, out.resolve(id + ".recv"), end)));
            threads.add(thread(id + "-sender", failures, () -> send(socket, id, address, out.resolve(id + ".sent"), rate, start, duration, padding)));
        }
        for (Thread thread : threads) {
            thread.join(end - System.currentTimeMillis() + 10_000);
        }
        final String scraped = scrape(metrics, failures);
        if (scraped != null) {
            Files.writeString(out.resolve(node + ".metrics"), scraped, StandardCharsets.UTF_8);
        }
        for (Socket socket : sockets) {
            socket.close();
        }
        if (!failures.isEmpty()) {
            System.err.println(String.join("\n", failures));
            System.exit(1);
        }
        System.exit(0);
    }

    /** @return the node's metrics, or null after three attempts of 10 s each (a machine shared with builds can be slow). */
    private static String scrape(String url, List<String> failures) throws InterruptedException {
        final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
        IOException last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            try {
                return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
            } catch (IOException e) {
                last = e;
            }
        }
        failures.add("cannot scrape " + url + " (3 attempts of 10 s): " + last);
        return null;
    }

    private interface Work {
        void run() throws IOException, InterruptedException;
    }

    private static Thread thread(String name, List<String> failures, Work work) {
        final Thread thread = new Thread(() -> {
            try {
                work.run();
            } catch (IOException | InterruptedException | RuntimeException e) {
                final StringWriter trace = new StringWriter();
                e.printStackTrace(new PrintWriter(trace));
                failures.add(name + ": " + trace);
            }
        }, name);
        thread.start();
        return thread;
    }

    /** Every line until {@code end}, each as {@code <arrival millis> <line>}; an end of stream before is written as {@code EOF}. */
    private static void read(Socket socket, Path file, long end) throws IOException {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
             BufferedWriter recv = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            while (System.currentTimeMillis() < end) {
                final String line;
                try {
                    line = in.readLine();
                } catch (SocketTimeoutException e) {
                    continue;
                }
                if (line == null) {
                    recv.write(System.currentTimeMillis() + " EOF\n");
                    return;
                }
                recv.write(System.currentTimeMillis() + " " + line + "\n");
            }
        }
    }

    /** Lines at a fixed rate from {@code start}; the file gets the address, then {@code <seq> <send millis>} per line. */
    private static void send(Socket socket, String id, String address, Path file, int rate, long start, long duration, String padding)
            throws IOException, InterruptedException {
        final OutputStream output = socket.getOutputStream();
        try (BufferedWriter sent = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            sent.write(address + "\n");
            for (long seq = 0; ; seq++) {
                final long due = start + seq * 1000 / rate;
                if (due >= start + duration) {
                    return;
                }
                final long wait = due - System.currentTimeMillis();
                if (wait > 0) {
                    Thread.sleep(wait);
                }
                final long now = System.currentTimeMillis();
                try {
                    output.write((id + " " + seq + " " + now + " " + padding + "\n").getBytes(StandardCharsets.US_ASCII));
                } catch (IOException e) {
                    throw new UncheckedIOException(id + " could not send line " + seq, e);
                }
                sent.write(seq + " " + now + "\n");
            }
        }
    }
}
