package org.summoner.relay.resilience;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.summoner.relay.tck.ServerProcess;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fifty hostile clients (random bytes, over-long lines, invalid UTF-8; half of them never read) next to ten
 * well-behaved chatters, on the runnable server with its default configuration. The chatters must get every
 * line of each other, in order, and never be paused for the hostile readers (the isolation rule); the server must
 * keep serving; its memory is sampled throughout.
 */
class NoisyNeighboursIT {
    private static final int CHATTERS = 10;
    private static final int NOISY = 50;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "engine {0}")
    @MethodSource("org.summoner.relay.resilience.Engines#names")
    @Timeout(value = 5, unit = TimeUnit.MINUTES) // the full run is 60 s of noise
    void hostile_clients_neither_crash_the_server_nor_cost_the_others_a_line(String engine) throws Exception {
        final int seconds = Figures.intProperty("resilience.noisy.seconds");
        try (ServerProcess server = ServerProcess.start(dir, List.of(), List.of("-Xms256m", "-Xmx256m"), "--port", "0", "--engine", engine)) {
            final int port = server.awaitListeningPort();
            final ExecutorService pool = Executors.newCachedThreadPool();
            final List<Socket> chatters = new ArrayList<>();
            try {
                for (int i = 0; i < CHATTERS; i++) {
                    chatters.add(ManyClientsIT.connect(port));
                }
                Thread.sleep(500);
                final List<String> names = chatters.stream().map(s -> "127.0.0.1:" + s.getLocalPort()).toList();
                final long[] sent = new long[CHATTERS];
                final List<Future<long[]>> received = new ArrayList<>();
                for (Socket chatter : chatters) {
                    received.add(pool.submit(() -> readChat(chatter, names)));
                }
                final long rssBefore = server.residentKib();
                final long oldBefore = server.liveOldGenerationKib();
                final AtomicLong noiseBytes = new AtomicLong();
                final long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
                for (int i = 0; i < NOISY; i++) {
                    final int id = i;
                    pool.submit(() -> noise(port, id % 2 == 0, end, new SplittableRandom(id), noiseBytes));
                }
                long rssMax = rssBefore;
                long seq = 0;
                while (System.nanoTime() < end) {
                    for (int c = 0; c < CHATTERS; c++) {
                        chatters.get(c).getOutputStream().write(("chat " + c + " " + seq + "\n").getBytes(StandardCharsets.UTF_8));
                        sent[c]++;
                    }
                    seq++;
                    Thread.sleep(250); // 4 lines a second each, under the default rate limit of 300 a minute
                    rssMax = Math.max(rssMax, server.residentKib());
                }
                for (Socket chatter : chatters) {
                    chatter.getOutputStream().write("done\n".getBytes(StandardCharsets.UTF_8));
                }
                for (int c = 0; c < CHATTERS; c++) {
                    final long[] got = received.get(c).get(60, TimeUnit.SECONDS);
                    for (int from = 0; from < CHATTERS; from++) {
                        assertEquals(from == c ? 0 : sent[from], got[from], "chatter " + c + " got from chatter " + from);
                    }
                }
                final long rssAfter = server.residentKib();
                final long oldAfter = server.liveOldGenerationKib();

                // Still serving: a newcomer (from another loopback address, in case 127.0.0.1 got quarantined) is relayed to.
                try (Socket newcomer = new Socket()) {
                    newcomer.setSoTimeout(30_000);
                    newcomer.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.3"), 0));
                    newcomer.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
                    Thread.sleep(300);
                    chatters.get(0).getOutputStream().write("welcome\n".getBytes(StandardCharsets.UTF_8));
                    final BufferedReader reader = new BufferedReader(new InputStreamReader(newcomer.getInputStream(), StandardCharsets.UTF_8));
                    String line;
                    do {
                        line = reader.readLine();
                    } while (line != null && !line.endsWith("\"content\":\"welcome\"}"));
                    assertTrue(line != null, "the newcomer got the line");
                }

                // The isolation rule: hostile readers (half of them never read) are cut off one by one; they are never
                // more than half of the room, so no one is ever paused for them.
                server.terminate();
                final String stats = server.remainingLines().stream().filter(line -> line.contains(" - INFO - stats: ")).findFirst()
                        .orElseThrow(() -> new AssertionError("no stats line: " + server.outputSoFar()));
                assertTrue(stats.contains(", pauses 0 throttle + 0 flow control, "), stats);
                final String slowConsumers = stats.substring(stats.indexOf("; slow consumers ") + 17, stats.indexOf(", idle closed"));
                Figures.record("noisy neighbours (" + engine + ")", NOISY + " hostile clients sent " + noiseBytes.get() / 1024 + " KiB of junk for "
                        + seconds + " s next to " + CHATTERS + " chatters, who got all " + Arrays.stream(sent).sum() * (CHATTERS - 1)
                        + " of each other's lines in order and were never paused (0 throttle or flow-control pauses; "
                        + slowConsumers + " hostile readers closed as slow consumers); server resident memory " + Figures.mib(rssBefore) + " before, "
                        + Figures.mib(rssMax) + " at most, " + Figures.mib(rssAfter) + " after; old generation "
                        + Figures.mib(oldBefore) + " before, " + Figures.mib(oldAfter) + " after, live after a full collection (heap fixed at 256 MiB)");
            } finally {
                pool.shutdownNow();
                for (Socket chatter : chatters) {
                    chatter.close();
                }
            }
        }
    }

    /** Counts each chatter's lines as they arrive, checking they come in order; stops at every chatter's "done". */
    private static long[] readChat(Socket chatter, List<String> names) throws IOException {
        final long[] next = new long[names.size()];
        int done = 0;
        final BufferedReader reader = new BufferedReader(new InputStreamReader(chatter.getInputStream(), StandardCharsets.UTF_8));
        while (done < names.size() - 1) {
            final String line = reader.readLine();
            if (line == null) {
                throw new IOException("the server closed chatter " + chatter.getLocalPort());
            }
            final int from = names.indexOf(line.substring(line.indexOf("\"remote_addr\":\"") + 15, Math.max(0, line.indexOf("\",\""))));
            if (from < 0 || !line.startsWith("{")) {
                continue; // a noisy client's line, or a notice: not chat
            }
            final String content = line.substring(line.indexOf("\"content\":\"") + 11, line.length() - 2);
            if (content.equals("done")) {
                done++;
                continue;
            }
            final String[] words = content.split(" ");
            final long seq = Long.parseLong(words[2]);
            if (seq != next[from]) {
                throw new IOException("chatter " + from + ": expected line " + next[from] + ", got " + seq);
            }
            next[from]++;
        }
        return next;
    }

    /**
     * One hostile client until {@code end}: junk of every kind (and its rate limit's worth of valid 2 KB lines, relayed
     * to everyone); if it is a reader it drains, else it never reads.
     */
    private static Void noise(int port, boolean reads, long end, SplittableRandom random, AtomicLong bytes) {
        while (System.nanoTime() < end) {
            try (Socket socket = new Socket()) {
                socket.setReceiveBufferSize(reads ? 65536 : 4096);
                socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
                if (reads) {
                    final InputStream in = socket.getInputStream();
                    final Thread drain = new Thread(() -> {
                        final byte[] sink = new byte[65536];
                        try {
                            while (in.read(sink) >= 0) {
                                // discard
                            }
                        } catch (IOException e) {
                            // closed
                        }
                    });
                    drain.setDaemon(true);
                    drain.start();
                }
                final OutputStream out = socket.getOutputStream();
                while (System.nanoTime() < end) {
                    final byte[] junk = junk(random);
                    out.write(junk);
                    bytes.addAndGet(junk.length);
                    Thread.sleep(random.nextInt(20));
                }
            } catch (IOException e) {
                // cut off (slow consumer) or refused (quarantine): come back, as an attacker would
                sleepQuietly(200);
            } catch (InterruptedException e) {
                return null;
            }
        }
        return null;
    }

    private static byte[] junk(SplittableRandom random) {
        switch (random.nextInt(5)) {
            case 0 -> { // random bytes with random newlines
                final byte[] bytes = new byte[1 + random.nextInt(4096)];
                for (int i = 0; i < bytes.length; i++) {
                    bytes[i] = random.nextInt(20) == 0 ? (byte) '\n' : (byte) random.nextInt(256);
                }
                return bytes;
            }
            case 1 -> { // a line over max_line_bytes (65536)
                final byte[] bytes = new byte[70_000];
                Arrays.fill(bytes, (byte) 'L');
                bytes[bytes.length - 1] = '\n';
                return bytes;
            }
            case 2 -> {
                return new byte[]{'b', 'a', 'd', (byte) 0xC3, (byte) 0x28, '\n'};
            }
            case 3 -> { // a valid 2 KB line, relayed to everyone: what makes the readers that never read fall behind
                final byte[] bytes = new byte[2048];
                Arrays.fill(bytes, (byte) 'B');
                bytes[bytes.length - 1] = '\n';
                return bytes;
            }
            default -> {
                return ("noise " + random.nextLong() + "\n").getBytes(StandardCharsets.US_ASCII);
            }
        }
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
