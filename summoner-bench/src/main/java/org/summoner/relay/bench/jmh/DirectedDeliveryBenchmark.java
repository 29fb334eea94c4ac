package org.summoner.relay.bench.jmh;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.summoner.relay.RunningServer;
import org.summoner.relay.SummonerServer;
import org.summoner.relay.identity.AuroraSigner;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One line from a sender to one receiver among {@code clients} connected clients, until the receiver has it:
 * {@code dedicated} sends a signed Aurora envelope (verified by the relay, delivered to the receiver's connection
 * alone); {@code broadcast} sends a plain line of the same length (delivered to every other client, and the
 * operation waits for the receiver's copy). Every client of the dedicated run is bound to an identity of its own.
 * SampleTime: per-line latency in microseconds; the engine is {@code -p engine=...}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m", "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED"})
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 5)
public class DirectedDeliveryBenchmark {
    /**
     * Distinct signed lines: more than a trial of 2 + 3 iterations sends at the rates measured here (about 40,000 with
     * a signature check each), since the relay refuses a signed envelope it has seen.
     */
    private static final int SIGNED_LINES = 100_000;
    private static final int PLAIN_LINES = 256;

    @Param({"nio", "netty", "agrona"})
    public String engine;

    @Param({"dedicated", "broadcast"})
    public String routing;

    @Param({"100"})
    public int clients;

    private RunningServer server;
    private SocketChannel sender;
    private SocketChannel receiver;
    private SocketChannel[] others;
    private ByteBuffer[] lines;
    private int[] envelopeLengths;
    private ByteBuffer envelope;
    private int next;
    private Selector drainerSelector;
    private Thread drainer;

    @Setup(Level.Trial)
    public void start() throws IOException, InterruptedException {
        final Map<String, Object> parameters = new LinkedHashMap<>();
        parameters.put("rate_limit_msgs_per_minute", Integer.MAX_VALUE);
        parameters.put("routing", routing);
        server = new SummonerServer("bench").start("127.0.0.1", 0, Map.of("version", engine, "hyper_parameters", parameters));
        sender = connect(server.address());
        receiver = connect(server.address());
        others = new SocketChannel[clients - 2];
        for (int i = 0; i < others.length; i++) {
            others[i] = connect(server.address());
        }
        final AuroraSigner alice = AuroraSigner.generate(null);
        final AuroraSigner bob = AuroraSigner.generate(null);
        final int port = ((InetSocketAddress) sender.getLocalAddress()).getPort();
        final int count = routing.equals("dedicated") ? SIGNED_LINES : PLAIN_LINES;
        lines = new ByteBuffer[count];
        envelopeLengths = new int[count];
        for (int i = 0; i < count; i++) {
            final String signed = alice.seal(Map.of("seq", i, "text", "x".repeat(64)), bob.publicId());
            final String line = routing.equals("dedicated") ? signed : "p".repeat(signed.length());
            final String escaped = line.replace("\\", "\\\\").replace("\"", "\\\"");
            envelopeLengths[i] = ("{\"remote_addr\":\"127.0.0.1:" + port + "\",\"content\":\"" + escaped + "\"}\n").length();
            lines[i] = ByteBuffer.allocateDirect(line.length() + 1).put((line + "\n").getBytes(StandardCharsets.US_ASCII));
        }
        envelope = ByteBuffer.allocateDirect(64 * 1024);
        awaitConnections(clients);
        startDrainer();
        if (routing.equals("dedicated")) {
            bind(sender, alice);
            bind(receiver, bob);
            for (SocketChannel other : others) {
                bind(other, AuroraSigner.generate(null));
            }
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (server.stats().boundIdentities() < clients) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("bound " + server.stats().boundIdentities() + " of " + clients);
                }
                Thread.sleep(5);
            }
        }
    }

    private void awaitConnections(int count) throws InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (server.stats().connectionsOpen() < count) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("registered " + server.stats().connectionsOpen() + " of " + count);
            }
            Thread.sleep(5);
        }
    }

    private static void bind(SocketChannel channel, AuroraSigner identity) throws IOException {
        write(channel, ByteBuffer.wrap((identity.seal("bind", null) + "\n").getBytes(StandardCharsets.US_ASCII)));
    }

    @Benchmark
    public void oneLine() throws IOException {
        next = next + 1 == lines.length ? 0 : next + 1;
        final ByteBuffer line = lines[next];
        line.rewind();
        write(sender, line);
        envelope.clear().limit(envelopeLengths[next]);
        while (envelope.hasRemaining()) {
            if (receiver.read(envelope) < 0) {
                throw new IOException("the server closed the receiver");
            }
        }
    }

    /** The other clients read whatever they get (in broadcast, every line) on a thread of their own, as clients do. */
    private void startDrainer() throws IOException {
        drainerSelector = Selector.open();
        for (SocketChannel other : others) {
            other.configureBlocking(false);
            other.register(drainerSelector, SelectionKey.OP_READ);
        }
        drainer = new Thread(() -> {
            final ByteBuffer sink = ByteBuffer.allocateDirect(64 * 1024);
            try {
                while (!Thread.currentThread().isInterrupted() && drainerSelector.isOpen()) {
                    drainerSelector.select(key -> {
                        try {
                            sink.clear();
                            if (((SocketChannel) key.channel()).read(sink) < 0) {
                                key.cancel();
                            }
                        } catch (IOException e) {
                            key.cancel();
                        }
                    }, 100);
                }
            } catch (IOException | ClosedSelectorException e) {
                // stopped
            }
        }, "bench-drainer");
        drainer.setDaemon(true);
        drainer.start();
    }

    @TearDown(Level.Trial)
    public void stop() throws IOException {
        drainer.interrupt();
        drainerSelector.close();
        sender.close();
        receiver.close();
        for (SocketChannel other : others) {
            other.close();
        }
        server.close();
    }

    private static SocketChannel connect(InetSocketAddress address) throws IOException {
        final SocketChannel channel = SocketChannel.open(address);
        channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        return channel;
    }

    private static void write(SocketChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }
}
