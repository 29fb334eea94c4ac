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

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Fan-out latency of one engine: one operation is one line written by a sender until every one of N receivers
 * has read its whole envelope. The server runs in the benchmark's JVM, started through {@link SummonerServer}
 * with {@code "version"} set to the engine, as a user would; sender and receivers are blocking loopback sockets
 * driven by the benchmark thread (receivers are read one after the other: the last one's envelope is what
 * the operation waits for, and the others' are already in their socket buffers by then).
 *
 * <p>Run through {@code bench/jmh.sh quick|full}; the annotations hold the full profile. SampleTime reports
 * percentiles of the operation time in microseconds.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 2, jvmArgsAppend = {"-Xms512m", "-Xmx512m", "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED"})
@Warmup(iterations = 5, time = 5)
@Measurement(iterations = 5, time = 10)
public class FanOutLatencyBenchmark {
    /** Every engine of the build; {@code -p engine=...} narrows it. */
    @Param({"nio", "netty", "agrona"})
    public String engine;

    @Param({"1", "10", "100"})
    public int receivers;

    /** Line content bytes, without the {@code \n}. */
    @Param({"64", "1024"})
    public int lineBytes;

    /**
     * The Agrona engine's idle strategy for a run, e.g. {@code -jvmArgsAppend -Dsummoner.bench.agrona.idle=busy-spin};
     * {@code sleeping}, its default, when unset. Other engines ignore the section.
     */
    static final String AGRONA_IDLE = "summoner.bench.agrona.idle";

    private RunningServer server;
    private SocketChannel sender;
    private SocketChannel[] receiverChannels;
    private ByteBuffer line;
    private ByteBuffer envelope;

    @Setup(Level.Trial)
    public void start() throws IOException, InterruptedException {
        server = new SummonerServer("bench").start("127.0.0.1", 0, Map.of("version", engine,
                "hyper_parameters", Map.of("rate_limit_msgs_per_minute", Integer.MAX_VALUE),
                "agrona", Map.of("idle_strategy", System.getProperty(AGRONA_IDLE, "sleeping"))));
        receiverChannels = new SocketChannel[receivers];
        for (int i = 0; i < receivers; i++) {
            receiverChannels[i] = connect(server.address());
        }
        sender = connect(server.address());
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (server.stats().connectionsOpen() < receivers + 1) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the server registered " + server.stats().connectionsOpen() + " of "
                        + (receivers + 1) + " clients");
            }
            Thread.sleep(5);
        }

        final byte[] content = new byte[lineBytes];
        Arrays.fill(content, (byte) 'x');
        final byte[] lineBytesWithNewline = Arrays.copyOf(content, lineBytes + 1);
        lineBytesWithNewline[lineBytes] = '\n';
        line = ByteBuffer.allocateDirect(lineBytesWithNewline.length).put(lineBytesWithNewline);
        final InetSocketAddress from = (InetSocketAddress) sender.getLocalAddress();
        final byte[] expected = ("{\"remote_addr\":\"127.0.0.1:" + from.getPort() + "\",\"content\":\""
                + new String(content, StandardCharsets.US_ASCII) + "\"}\n").getBytes(StandardCharsets.US_ASCII);
        envelope = ByteBuffer.allocateDirect(expected.length);

        // One round, checked byte for byte, before anything is measured.
        final ByteBuffer check = ByteBuffer.allocate(expected.length);
        line.rewind();
        write(sender, line);
        for (SocketChannel receiver : receiverChannels) {
            check.clear();
            readFully(receiver, check);
            if (!Arrays.equals(check.array(), expected)) {
                throw new IllegalStateException("unexpected envelope: " + new String(check.array(), StandardCharsets.UTF_8));
            }
        }
    }

    @Benchmark
    public void fanOut() throws IOException {
        line.rewind();
        write(sender, line);
        for (SocketChannel receiver : receiverChannels) {
            envelope.clear();
            readFully(receiver, envelope);
        }
    }

    @TearDown(Level.Trial)
    public void stop() throws IOException {
        sender.close();
        for (SocketChannel receiver : receiverChannels) {
            receiver.close();
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

    private static void readFully(SocketChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            if (channel.read(buffer) < 0) {
                throw new IOException("the server closed a receiver");
            }
        }
    }
}
