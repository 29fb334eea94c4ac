package org.summoner.relay.resilience;

import org.summoner.relay.identity.AuroraSigner;
import org.summoner.relay.identity.Json;
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
import java.util.Map;
import java.util.TreeMap;


/**
 * The clients of one relay node, run as a process of its own in the node's network namespace (a thread of the test
 * cannot enter one): {@code ip netns exec <ns> java -cp <test classes> org.summoner.relay.resilience.ClientDriver
 * <host> <port> <node> <clients> <linesPerSecond> <startEpochMillis> <durationMillis> <drainMillis> <padBytes>
 * <metricsUrl> <outDir> [dedicated <every client id, comma-separated>]}.
 *
 * <p>Opens {@code clients} connections to the node, then from {@code startEpochMillis} for {@code durationMillis}
 * each sends {@code <node>c<k> <seq> <sendEpochMillis> <padding>} at a fixed rate; every line each receives is
 * written with its arrival time to {@code <outDir>/<node>c<k>.recv}, every line sent to {@code <node>c<k>.sent}
 * (its own address first). After {@code drainMillis} more it scrapes the node's {@code /metrics} into {@code
 * <node>.metrics} and exits: 0, or 1 with the reason on standard error. Every socket has a read timeout; nothing
 * waits without one.
 *
 * <p>With {@code dedicated} (a relay with {@code "routing": "dedicated"}), each client is an Aurora identity: it writes
 * its public record to {@code <outDir>/<id>.identity}, waits for every other client's, binds its connection with a
 * signed line to no one, and each of its lines is a signed envelope whose payload is the text above, to the other
 * clients in turn (sorted by id, line {@code seq} to the {@code seq % n}-th): the {@code .sent} file has the
 * recipient after each line's time, and the {@code .recv} file the envelope's payload in place of the whole signed
 * line, so the checker reads both modes alike.
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
        final List<String> everyone = args.length > 12 && args[11].equals("dedicated") ? List.of(args[12].split(",")) : null;
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
        final Map<String, Map<String, Object>> identities = new TreeMap<>();
        final AuroraSigner[] signers = new AuroraSigner[clients];
        if (everyone != null) {
            for (int k = 0; k < clients; k++) {
                signers[k] = AuroraSigner.generate(node + "c" + k);
                final Path file = out.resolve(node + "c" + k + ".identity");
                Files.write(out.resolve(node + "c" + k + ".identity.tmp"), Json.canonical(signers[k].publicId()));
                Files.move(out.resolve(node + "c" + k + ".identity.tmp"), file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            }
            identities.putAll(awaitIdentities(out, everyone, start - 1_000));
            for (int k = 0; k < clients; k++) {
                sockets.get(k).getOutputStream().write((signers[k].seal(node + "c" + k + " binds", null) + "\n").getBytes(StandardCharsets.UTF_8));
            }
        }
        final long end = start + duration + drain;
        for (int k = 0; k < clients; k++) {
            final Socket socket = sockets.get(k);
            final String id = node + "c" + k;
            final String address = socket.getLocalAddress().getHostAddress() + ":" + socket.getLocalPort();
            final Lines lines = everyone == null ? (seq, text) -> new String[]{text, null} : signed(signers[k], id, identities);
            threads.add(thread(id + "-reader", failures, () -> read(socket, out.resolve(id + ".recv"), end, everyone != null)));
            threads.add(thread(id + "-sender", failures, () -> send(socket, id, address, out.resolve(id + ".sent"), rate, start, duration, padding, lines)));
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

    /** What a client sends as its line {@code seq} of text {@code text}: the line, and its recipient (null: everyone). */
    private interface Lines {
        String[] line(long seq, String text);
    }

    /** The lines of client {@code id} in a dedicated run: signed by it, to the other clients in turn. */
    private static Lines signed(AuroraSigner signer, String id, Map<String, Map<String, Object>> identities) {
        final List<String> others = identities.keySet().stream().filter(other -> !other.equals(id)).toList();
        return (seq, text) -> {
            final String to = others.get((int) (seq % others.size()));
            return new String[]{signer.seal(text, identities.get(to)), to};
        };
    }

    /** @return every client's public record, by id, once all are written; waits until {@code deadline} at most. */
    private static Map<String, Map<String, Object>> awaitIdentities(Path out, List<String> everyone, long deadline) throws Exception {
        final Map<String, Map<String, Object>> found = new TreeMap<>();
        while (found.size() < everyone.size()) {
            for (String id : everyone) {
                final Path file = out.resolve(id + ".identity");
                if (!found.containsKey(id) && Files.exists(file)) {
                    final byte[] bytes = Files.readAllBytes(file);
                    @SuppressWarnings("unchecked") final Map<String, Object> record = (Map<String, Object>) Json.parse(bytes, 0, bytes.length);
                    found.put(id, record);
                }
            }
            if (found.size() < everyone.size()) {
                if (System.currentTimeMillis() > deadline) {
                    throw new IOException("identities not all written by the start: have " + found.keySet() + " of " + everyone);
                }
                Thread.sleep(20);
            }
        }
        return found;
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

    /**
     * Every line until {@code end}, each as {@code <arrival millis> <line>}; an end of stream before is written as
     * {@code EOF}. With {@code signed}, an envelope whose content is a signed line is written with its payload in place
     * of that content.
     */
    private static void read(Socket socket, Path file, long end, boolean signed) throws IOException {
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
                recv.write(System.currentTimeMillis() + " " + (signed ? payloadOf(line) : line) + "\n");
            }
        }
    }

    /** @return {@code line} with its signed content's payload as its content, or as it is when it is not such a line. */
    private static String payloadOf(String line) {
        try {
            final byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
            if (Json.parse(bytes, 0, bytes.length) instanceof Map<?, ?> envelope && envelope.get("content") instanceof String content) {
                final byte[] inner = content.getBytes(StandardCharsets.UTF_8);
                if (Json.parse(inner, 0, inner.length) instanceof Map<?, ?> signed && signed.get("payload") instanceof String payload) {
                    final Map<String, Object> plain = new java.util.LinkedHashMap<>();
                    plain.put("remote_addr", envelope.get("remote_addr"));
                    plain.put("content", payload);
                    return new String(Json.compact(plain), StandardCharsets.UTF_8);
                }
            }
        } catch (Json.NotJson e) {
            // a notice, or what no client sent: the checker says so
        }
        return line;
    }

    /**
     * Lines at a fixed rate from {@code start}; the file gets the address, then {@code <seq> <send millis>} per line,
     * and its recipient when it has one.
     */
    private static void send(Socket socket, String id, String address, Path file, int rate, long start, long duration, String padding,
                             Lines lines) throws IOException, InterruptedException {
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
                final String[] line = lines.line(seq, id + " " + seq + " " + now + " " + padding);
                try {
                    output.write((line[0] + "\n").getBytes(StandardCharsets.US_ASCII));
                } catch (IOException e) {
                    throw new UncheckedIOException(id + " could not send line " + seq, e);
                }
                sent.write(seq + " " + now + (line[1] == null ? "" : " " + line[1]) + "\n");
            }
        }
    }
}
