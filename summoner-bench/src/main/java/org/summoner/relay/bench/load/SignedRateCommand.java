package org.summoner.relay.bench.load;

import org.summoner.relay.identity.AuroraSigner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.summoner.relay.bench.load.AgentSockets.connect;
import static org.summoner.relay.bench.load.AgentSockets.line;
import static org.summoner.relay.bench.load.AgentSockets.write;

/**
 * How many signed lines a relay in {@code routing: dedicated} delivers a second when every line costs a signature
 * check: {@code --pairs} senders each write {@code --lines} distinct envelopes (signed beforehand, each to its own
 * receiver, so no cache answers and no replay is refused) as fast as the relay reads them, and the receivers count
 * what arrives. The rate is the lines delivered over the time from the first write to the last arrival, after a
 * warm-up round of {@code --warmup-lines} a sender that is not counted.
 *
 * <p>Prints one JSON line: lines sent and delivered, seconds, lines a second, and the server's CPU seconds per line
 * when {@code --server-pid} is given.
 */
@Command(name = "signed-rate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Signed directed lines a dedicated-routing server delivers a second, each needing a signature check.",
                "Prints one JSON line: lines delivered, seconds, lines a second, server CPU per line."})
final class SignedRateCommand implements Callable<Integer> {
    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Server host (default ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", defaultValue = "8888", description = "Server port (default ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--pairs", defaultValue = "4", description = "Senders, each with its own receiver (default ${DEFAULT-VALUE}).")
    int pairs;

    @Option(names = "--lines", defaultValue = "4000", description = "Envelopes each sender writes, measured (default ${DEFAULT-VALUE}).")
    int lines;

    @Option(names = "--warmup-lines", defaultValue = "2000", description = "Envelopes each sender writes first, not measured (default ${DEFAULT-VALUE}).")
    int warmupLines;

    @Option(names = "--timeout-seconds", defaultValue = "120", description = "Longest wait for the deliveries (default ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    @Option(names = "--server-pid", defaultValue = "0", description = "The server's process, for its CPU per line (default: not measured).")
    long serverPid;

    @Override
    public Integer call() throws Exception {
        final InetSocketAddress server = new InetSocketAddress(host, port);
        final List<AuroraSigner> senders = new ArrayList<>();
        final List<AuroraSigner> receivers = new ArrayList<>();
        final byte[][] warmups = new byte[pairs][];
        final byte[][] measured = new byte[pairs][];
        for (int p = 0; p < pairs; p++) {
            senders.add(AuroraSigner.generate(Map.of("name", "sender-" + p)));
            receivers.add(AuroraSigner.generate(Map.of("name", "receiver-" + p)));
            warmups[p] = envelopes(senders.get(p), receivers.get(p), 0, warmupLines);
            measured[p] = envelopes(senders.get(p), receivers.get(p), warmupLines, lines);
        }
        final List<Socket> sockets = new ArrayList<>();
        try {
            final Socket[] out = new Socket[pairs];
            final AtomicLong delivered = new AtomicLong();
            final AtomicLong lastArrival = new AtomicLong();
            for (int p = 0; p < pairs; p++) {
                out[p] = connected(server, sockets);
                final Socket in = connected(server, sockets);
                write(out[p], line(senders.get(p).seal("hello", null)));
                write(in, line(receivers.get(p).seal("hello", null)));
                final Thread reader = new Thread(() -> count(in, delivered, lastArrival), "receiver-" + p);
                reader.setDaemon(true);
                reader.start();
            }
            Thread.sleep(500); // every connection bound
            final long warmupTotal = (long) pairs * warmupLines;
            send(out, warmups);
            await(delivered, warmupTotal, timeoutSeconds);
            final ProcessCpu cpu = serverPid > 0 ? new ProcessCpu(List.of(serverPid)) : null;
            final double cpuBefore = cpu == null ? Double.NaN : cpu.seconds();
            final long start = System.nanoTime();
            send(out, measured);
            final long total = (long) pairs * lines;
            final boolean all = await(delivered, warmupTotal + total, timeoutSeconds);
            final double cpuAfter = cpu == null ? Double.NaN : cpu.seconds();
            final long got = delivered.get() - warmupTotal;
            final double seconds = ((all ? lastArrival.get() : System.nanoTime()) - start) / 1e9;
            System.out.printf(Locale.ROOT, "{\"pairs\":%d,\"lines\":%d,\"delivered\":%d,\"seconds\":%.3f,\"lines_per_second\":%.0f,"
                            + "\"server_cpu_seconds\":%.2f,\"server_cpu_ms_per_line\":%.4f}%n",
                    pairs, total, got, seconds, got / seconds, cpuAfter - cpuBefore, (cpuAfter - cpuBefore) * 1000 / got);
            return all ? 0 : 1;
        } finally {
            for (Socket socket : sockets) {
                socket.close();
            }
        }
    }

    private static byte[] envelopes(AuroraSigner from, AuroraSigner to, int first, int count) {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int i = first; i < first + count; i++) {
            final byte[] line = line(from.seal(Map.of("n", i), to.publicId()));
            bytes.write(line, 0, line.length);
        }
        return bytes.toByteArray();
    }

    /** Every sender writes its envelopes at once, each from its own thread; returns when all are written. */
    private static void send(Socket[] out, byte[][] envelopes) throws InterruptedException {
        final CountDownLatch written = new CountDownLatch(out.length);
        for (int p = 0; p < out.length; p++) {
            final Socket socket = out[p];
            final byte[] bytes = envelopes[p];
            final Thread writer = new Thread(() -> {
                try {
                    write(socket, bytes);
                } catch (IOException e) {
                    System.err.println("a sender was cut off: " + e);
                } finally {
                    written.countDown();
                }
            }, "sender-" + p);
            writer.setDaemon(true);
            writer.start();
        }
        written.await();
    }

    private static boolean await(AtomicLong delivered, long target, int timeoutSeconds) throws InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (delivered.get() < target) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(1);
        }
        return true;
    }




    private static Socket connected(InetSocketAddress server, List<Socket> sockets) throws IOException {
        final Socket socket = connect(server);
        sockets.add(socket);
        return socket;
    }

    /** A receiver: counts the lines that reach it, noting when the last did. */
    private static void count(Socket socket, AtomicLong delivered, AtomicLong lastArrival) {
        try {
            final InputStream in = socket.getInputStream();
            final byte[] buffer = new byte[1 << 16];
            int n;
            while ((n = in.read(buffer)) > 0) {
                final long now = System.nanoTime();
                int lines = 0;
                for (int i = 0; i < n; i++) {
                    if (buffer[i] == '\n') {
                        lines++;
                    }
                }
                if (lines > 0) {
                    lastArrival.set(now);
                    delivered.addAndGet(lines);
                }
            }
        } catch (IOException closed) {
            // the run is over
        }
    }
}
