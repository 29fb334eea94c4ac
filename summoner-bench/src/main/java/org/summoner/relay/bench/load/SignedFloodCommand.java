package org.summoner.relay.bench.load;

import org.summoner.relay.identity.AuroraSigner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

import static org.summoner.relay.bench.load.AgentSockets.connect;
import static org.summoner.relay.bench.load.AgentSockets.line;
import static org.summoner.relay.bench.load.AgentSockets.write;

/**
 * The signed flood of issue 24 (item 3) against a server in {@code routing: dedicated}, as an attacker who has read the
 * code would send it, and what a bystander's directed line costs meanwhile. Alice and Bob bind; Alice sends Bob a
 * signed directed line every {@code --probe-interval-ms}, each signed beforehand, and Bob's reader notes when each
 * arrives. After {@code --warmup-seconds} (not measured; a small flood halfway compiles the code an attack runs) and
 * {@code --baseline-seconds}, {@code --attackers} connections each write {@code --copies} envelopes to
 * no one in one go: the same pre-signed envelope again and again ({@code --distinct false}, the audit's flood), or
 * as many distinct ones, all signed beforehand ({@code --distinct true}, which no replay cache stops), and read what
 * the server answers until it closes them. Probe latency is measured from each line's intended send time.
 *
 * <p>Prints one JSON line: the probe latencies before and during the attack (p50, p99, max, in ms), probes lost, and
 * what the attackers got (lines read, connections closed by the server).
 */
@Command(name = "signed-flood", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"A signed flood against a dedicated-routing server, and a bystander's directed lines meanwhile.",
                "Prints one JSON line: probe latency before and during the flood, probes lost, what the attackers got."})
final class SignedFloodCommand implements Callable<Integer> {
    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Server host (default ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", defaultValue = "8888", description = "Server port (default ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--attackers", defaultValue = "20", description = "Attacking connections (default ${DEFAULT-VALUE}).")
    int attackers;

    @Option(names = "--copies", defaultValue = "300", description = "Envelopes each attacker writes (default ${DEFAULT-VALUE}).")
    int copies;

    @Option(names = "--distinct", defaultValue = "false", arity = "1",
            description = "Distinct envelopes (true) or one envelope again and again (default ${DEFAULT-VALUE}).")
    boolean distinct;

    @Option(names = "--probe-interval-ms", defaultValue = "10", description = "Between Alice's lines (default ${DEFAULT-VALUE}).")
    int probeIntervalMs;

    @Option(names = "--warmup-seconds", defaultValue = "10",
            description = "Probes not measured first, with a small flood halfway, so the relay's code is compiled as on a server "
                    + "that has run for a while (default ${DEFAULT-VALUE}).")
    int warmupSeconds;

    @Option(names = "--baseline-seconds", defaultValue = "3", description = "Probes measured before the flood (default ${DEFAULT-VALUE}).")
    int baselineSeconds;

    @Option(names = "--attack-seconds", defaultValue = "8", description = "Probes from the flood on (default ${DEFAULT-VALUE}).")
    int attackSeconds;

    @Override
    public Integer call() throws Exception {
        final InetSocketAddress server = new InetSocketAddress(host, port);
        final AuroraSigner alice = AuroraSigner.generate(Map.of("name", "alice"));
        final AuroraSigner bob = AuroraSigner.generate(Map.of("name", "bob"));
        final AuroraSigner mallory = AuroraSigner.generate(Map.of("name", "mallory"));
        final int probes = (warmupSeconds + baselineSeconds + attackSeconds) * 1000 / probeIntervalMs;
        final byte[][] probeLines = new byte[probes][];
        for (int i = 0; i < probes; i++) {
            probeLines[i] = line(alice.seal(Map.of("probe", i), bob.publicId()));
        }
        final byte[][] floods = new byte[attackers][];
        final byte[] once = line(mallory.seal(Map.of("flood", 0), null));
        for (int a = 0; a < attackers; a++) {
            final ByteArrayOutputStream flood = new ByteArrayOutputStream();
            for (int c = 0; c < copies; c++) {
                flood.write(distinct ? line(mallory.seal(Map.of("flood", a * copies + c), null)) : once);
            }
            floods[a] = flood.toByteArray();
        }
        final AuroraSigner warmer = AuroraSigner.generate(Map.of("name", "warm-up"));
        final byte[][] warmups = new byte[2][];
        for (int a = 0; a < warmups.length; a++) {
            final ByteArrayOutputStream flood = new ByteArrayOutputStream();
            final byte[] same = line(warmer.seal(Map.of("warm", a), null));
            for (int c = 0; c < 50; c++) {
                flood.write(c % 2 == 0 ? same : line(warmer.seal(Map.of("warm", a * 50 + c), null)));
            }
            warmups[a] = flood.toByteArray();
        }

        try (Socket aliceSocket = connect(server); Socket bobSocket = connect(server)) {
            write(aliceSocket, line(alice.seal("hello", null)));
            write(bobSocket, line(bob.seal("hello", null)));
            Thread.sleep(500); // both bound
            final AtomicLongArray arrived = new AtomicLongArray(probes);
            final Thread reader = new Thread(() -> readProbes(bobSocket, arrived), "bob");
            reader.setDaemon(true);
            reader.start();

            final long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
            final long measureFrom = start + TimeUnit.SECONDS.toNanos(warmupSeconds);
            final long attackAt = measureFrom + TimeUnit.SECONDS.toNanos(baselineSeconds);
            final Thread warming = new Thread(() -> {
                LockSupport.parkNanos(start + TimeUnit.SECONDS.toNanos(warmupSeconds) / 2 - System.nanoTime());
                for (byte[] flood : warmups) {
                    attack(server, flood, new AtomicInteger(), new AtomicInteger());
                }
            }, "warm-up");
            warming.setDaemon(true);
            warming.start();
            final AtomicInteger attackerLines = new AtomicInteger();
            final AtomicInteger attackersClosed = new AtomicInteger();
            final List<Thread> attacking = new ArrayList<>();
            final Thread launcher = new Thread(() -> {
                LockSupport.parkNanos(attackAt - System.nanoTime());
                for (int a = 0; a < attackers; a++) {
                    final byte[] flood = floods[a];
                    final Thread attacker = new Thread(() -> attack(server, flood, attackerLines, attackersClosed), "attacker-" + a);
                    attacker.setDaemon(true);
                    attacker.start();
                    attacking.add(attacker);
                }
            }, "launcher");
            launcher.start();
            final OutputStream out = aliceSocket.getOutputStream();
            final long intervalNanos = TimeUnit.MILLISECONDS.toNanos(probeIntervalMs);
            final long[] intended = new long[probes];
            for (int i = 0; i < probes; i++) {
                intended[i] = start + i * intervalNanos;
                LockSupport.parkNanos(intended[i] - System.nanoTime());
                out.write(probeLines[i]);
                out.flush();
            }
            Thread.sleep(3000); // the last probes' delivery
            launcher.join();
            for (Thread attacker : attacking) {
                attacker.join(5000);
            }
            final List<Double> before = new ArrayList<>();
            final List<Double> during = new ArrayList<>();
            int lost = 0;
            for (int i = 0; i < probes; i++) {
                final long at = arrived.get(i);
                if (at == 0) {
                    lost++;
                    continue;
                }
                if (intended[i] >= measureFrom) {
                    (intended[i] < attackAt ? before : during).add((at - intended[i]) / 1e6);
                }
            }
            System.out.printf(Locale.ROOT, "{\"attackers\":%d,\"copies\":%d,\"distinct\":%b,\"flood_bytes\":%d,\"probes\":%d,\"probes_lost\":%d,"
                            + "\"before_ms\":%s,\"during_ms\":%s,\"attacker_lines_read\":%d,\"attackers_closed\":%d}%n",
                    attackers, copies, distinct, (long) floods[0].length * attackers, probes, lost, summary(before), summary(during),
                    attackerLines.get(), attackersClosed.get());
            return 0;
        }
    }




    /** Bob's reader: each envelope from Alice carries her probe's number; the first arrival of each is noted. */
    private static void readProbes(Socket socket, AtomicLongArray arrived) {
        final byte[] marker = "\\\"probe\\\":".getBytes(StandardCharsets.US_ASCII);
        try {
            final InputStream in = socket.getInputStream();
            final byte[] buffer = new byte[1 << 16];
            final ByteArrayOutputStream pending = new ByteArrayOutputStream();
            int n;
            while ((n = in.read(buffer)) > 0) {
                final long now = System.nanoTime();
                pending.write(buffer, 0, n);
                final byte[] bytes = pending.toByteArray();
                int lineStart = 0;
                for (int i = 0; i < bytes.length; i++) {
                    if (bytes[i] == '\n') {
                        final int probe = probeNumber(bytes, lineStart, i, marker);
                        if (probe >= 0 && probe < arrived.length()) {
                            arrived.compareAndSet(probe, 0, now);
                        }
                        lineStart = i + 1;
                    }
                }
                pending.reset();
                pending.write(bytes, lineStart, bytes.length - lineStart);
            }
        } catch (IOException closed) {
            // the run is over
        }
    }

    private static int probeNumber(byte[] bytes, int from, int to, byte[] marker) {
        outer:
        for (int i = from; i + marker.length <= to; i++) {
            for (int j = 0; j < marker.length; j++) {
                if (bytes[i + j] != marker[j]) {
                    continue outer;
                }
            }
            int value = 0;
            int at = i + marker.length;
            boolean digits = false;
            while (at < to && bytes[at] >= '0' && bytes[at] <= '9') {
                value = value * 10 + (bytes[at++] - '0');
                digits = true;
            }
            return digits ? value : -1;
        }
        return -1;
    }

    /** One attacker: its flood in one write, then what the server says until it closes the connection. */
    private static void attack(InetSocketAddress server, byte[] flood, AtomicInteger lines, AtomicInteger closed) {
        try (Socket socket = connect(server)) {
            socket.setSoTimeout(12_000); // past the probes' end: a connection still open then was never closed
            final Thread writer = new Thread(() -> {
                try {
                    socket.getOutputStream().write(flood);
                } catch (IOException cutOff) {
                    // closed mid-flood: what the server does to it
                }
            });
            writer.setDaemon(true);
            writer.start();
            final InputStream in = socket.getInputStream();
            final byte[] buffer = new byte[8192];
            int n;
            while ((n = in.read(buffer)) > 0) {
                for (int i = 0; i < n; i++) {
                    if (buffer[i] == '\n') {
                        lines.incrementAndGet();
                    }
                }
            }
            closed.incrementAndGet();
        } catch (SocketTimeoutException stillOpen) {
            // the server never closed it: not counted
        } catch (IOException e) {
            closed.incrementAndGet(); // reset by the server: closed too
        }
    }

    private static String summary(List<Double> millis) {
        if (millis.isEmpty()) {
            return "null";
        }
        final double[] sorted = millis.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return String.format(Locale.ROOT, "{\"n\":%d,\"p50\":%.2f,\"p99\":%.2f,\"max\":%.2f}", sorted.length,
                percentile(sorted, 0.50), percentile(sorted, 0.99), sorted[sorted.length - 1]);
    }

    private static double percentile(double[] sorted, double q) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)];
    }
}
