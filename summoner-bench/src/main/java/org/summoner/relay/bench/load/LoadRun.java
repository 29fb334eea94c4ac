package org.summoner.relay.bench.load;

import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * One load run: connect N receivers (split over the receiver threads) and M senders, make sure every receiver
 * gets messages (probes until each has seen one: subscriptions are asynchronous in NATS and Redis, and so is
 * registration in a relay), then warm up, measure, stop sending and drain.
 *
 * <p>Counting: the receivers check every delivery against each sender's sequence; expected deliveries are
 * sent × N. The measurement window only decides which deliveries and latencies count towards the rates and
 * percentiles.
 */
public final class LoadRun {
    private static final long PROBE_INTERVAL_MILLIS = 20;
    private static final long READY_TIMEOUT_MILLIS = 30_000;

    private final LoadOptions options;
    private final PrintStream log;
    private final long epochNanos = System.nanoTime();
    private final CountDownLatch go = new CountDownLatch(1);
    private final AtomicInteger readyReceivers = new AtomicInteger();
    private final AtomicLongArray deliveredFrom;
    private volatile long startNanos;
    private volatile boolean sending = true;
    private byte[] publishHead;
    private byte[] publishTail;
    private volatile String failure;

    LoadRun(LoadOptions options, PrintStream log) {
        this.options = options;
        this.log = log;
        this.deliveredFrom = new AtomicLongArray(options.senders());
    }

    LoadOptions options() {
        return options;
    }

    long epochNanos() {
        return epochNanos;
    }

    long startNanos() {
        return startNanos;
    }

    /** @return what precedes each payload a sender writes; set once the receivers are connected. */
    byte[] publishHead() {
        return publishHead;
    }

    byte[] publishTail() {
        return publishTail;
    }

    /** A publisher's first bytes: the protocol's, then its hello line, if any (made for it). */
    private byte[] publisherHandshake() {
        final byte[] protocol = options.protocol().publisherHandshake();
        if (options.hello() == null) {
            return protocol;
        }
        final byte[] hello = (options.hello().get() + "\n").getBytes(StandardCharsets.UTF_8);
        final byte[] both = Arrays.copyOf(protocol, protocol.length + hello.length);
        System.arraycopy(hello, 0, both, protocol.length, hello.length);
        return both;
    }

    boolean sending() {
        return sending;
    }

    void awaitStart() throws InterruptedException {
        go.await();
    }

    void receiverReady() {
        readyReceivers.incrementAndGet();
    }

    long deliveredFrom(int sender) {
        return deliveredFrom.get(sender);
    }

    void addDelivered(int sender, long count) {
        deliveredFrom.addAndGet(sender, count);
    }

    void fail(String reason) {
        if (failure == null) {
            failure = reason;
        }
    }

    LoadResult execute() throws IOException, InterruptedException {
        final List<SocketChannel> channels = new ArrayList<>();
        final List<ReceiverLoop> loops = new ArrayList<>();
        final List<Thread> loopThreads = new ArrayList<>();
        final List<Sender> senders = new ArrayList<>();
        final List<Thread> senderThreads = new ArrayList<>();
        final List<PublisherDrain> drains = new ArrayList<>();
        final String startedAt = Instant.now().toString();
        try {
            for (int i = 0; i < options.receiverThreads(); i++) {
                loops.add(new ReceiverLoop(this));
            }
            for (int i = 0; i < options.receivers(); i++) {
                final SocketChannel channel = connect(options.receiverPort(i), options.protocol().subscriberHandshake());
                channels.add(channel);
                loops.get(i % loops.size()).add(channel);
            }
            for (int i = 0; i < loops.size(); i++) {
                loopThreads.add(start(loops.get(i), "load-receiver-" + i));
            }
            final List<String> receivers = new ArrayList<>();
            for (SocketChannel channel : channels) {
                final InetSocketAddress local = (InetSocketAddress) channel.getLocalAddress();
                receivers.add(local.getAddress().getHostAddress() + ":" + local.getPort());
            }
            publishHead = options.protocol() == Protocol.SUMMONER ? options.shape().head(receivers)
                    : options.protocol().publishHead(options.lineBytes());
            publishTail = options.protocol() == Protocol.SUMMONER ? options.shape().tail() : options.protocol().publishTail();
            for (int i = 0; i < options.senders(); i++) {
                final SocketChannel channel = connect(options.port(), publisherHandshake());
                channels.add(channel);
                final PublisherDrain drain = new PublisherDrain(channel, options.protocol().newParser(options.lineBytes(), options.shape()));
                drains.add(drain);
                start(drain, "load-drain-" + i);
                final Sender sender = new Sender(i, channel, this);
                senders.add(sender);
                senderThreads.add(start(sender, "load-sender-" + i));
            }
            probeUntilEveryReceiverIsReady(channels.get(options.receivers()));

            startNanos = System.nanoTime();
            go.countDown();
            final Histogram measured = new Histogram(TimeUnit.MINUTES.toNanos(1), 3);
            long sentAtStart = 0;
            long deliveredAtStart = 0;
            final ProcessCpu serverCpu = options.serverPids().isEmpty() ? null : new ProcessCpu(options.serverPids());
            double cpuAtStart = serverCpu == null ? Double.NaN : serverCpu.seconds();
            final int seconds = options.warmupSeconds() + options.durationSeconds();
            for (int second = 1; second <= seconds; second++) {
                sleepUntil(startNanos + TimeUnit.SECONDS.toNanos(second));
                final boolean measuring = second > options.warmupSeconds();
                final Histogram thisSecond = new Histogram(TimeUnit.MINUTES.toNanos(1), 3);
                for (ReceiverLoop loop : loops) {
                    thisSecond.add(loop.takeLatency());
                }
                if (measuring) {
                    measured.add(thisSecond);
                }
                if (second == options.warmupSeconds()) {
                    sentAtStart = sent(senders);
                    deliveredAtStart = delivered(loops);
                    cpuAtStart = serverCpu == null ? Double.NaN : serverCpu.seconds();
                }
                if (options.progress()) {
                    progress(second, measuring, senders, loops, thisSecond);
                }
            }
            final long sentInWindow = sent(senders) - sentAtStart;
            final long deliveredInWindow = delivered(loops) - deliveredAtStart;
            final Double serverCpuSeconds = serverCpu == null ? null : Math.round((serverCpu.seconds() - cpuAtStart) * 100) / 100.0;

            sending = false;
            for (Thread thread : senderThreads) {
                thread.join(10_000);
            }
            for (Sender sender : senders) {
                if (sender.failure() != null) {
                    fail("sender failed: " + sender.failure());
                }
            }
            final long expected = sent(senders) * options.receivers();
            final long drainDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(options.drainSeconds());
            while (delivered(loops) < expected && System.nanoTime() < drainDeadline) {
                Thread.sleep(10);
            }

            long gaps = 0;
            long reorders = 0;
            long disconnects = 0;
            long notices = 0;
            String firstNotice = null;
            for (ReceiverLoop loop : loops) {
                gaps += loop.gaps();
                reorders += loop.reorders();
                disconnects += loop.disconnects();
                notices += loop.notices();
                firstNotice = firstNotice != null ? firstNotice : loop.firstNotice();
            }
            for (PublisherDrain drain : drains) {
                notices += drain.notices();
                firstNotice = firstNotice != null ? firstNotice : drain.firstNotice();
            }
            final Histogram sendLag = new Histogram(TimeUnit.MINUTES.toNanos(1), 3);
            if (!options.closedLoop()) {
                for (Sender sender : senders) {
                    sendLag.add(sender.sendLag());
                }
            }
            final long delivered = delivered(loops);
            return new LoadResult(options.label(), options.scenario(), options.protocol().name().toLowerCase(Locale.ROOT),
                    options.host(), options.port(), options.senders(), options.receivers(), options.lineBytes(),
                    options.closedLoop() ? "max" : "rate", options.rate(), options.window(), options.warmupSeconds(),
                    options.durationSeconds(), sent(senders), expected, delivered, Math.max(0, expected - delivered),
                    gaps, reorders, disconnects, notices, firstNotice,
                    sentInWindow / (double) options.durationSeconds(), deliveredInWindow / (double) options.durationSeconds(),
                    LoadResult.Latency.of(measured), options.closedLoop() ? null : LoadResult.Latency.of(sendLag),
                    serverCpuSeconds, failure, startedAt);
        } finally {
            sending = false;
            go.countDown();
            for (ReceiverLoop loop : loops) {
                loop.stop();
            }
            for (SocketChannel channel : channels) {
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // the run is over
                }
            }
            for (Thread thread : loopThreads) {
                thread.join(5_000);
            }
        }
    }

    private SocketChannel connect(int port, byte[] handshake) throws IOException {
        final SocketChannel channel = SocketChannel.open();
        try {
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            channel.connect(new InetSocketAddress(options.host(), port));
            final ByteBuffer hello = ByteBuffer.wrap(handshake);
            while (hello.hasRemaining()) {
                channel.write(hello);
            }
            return channel;
        } catch (IOException e) {
            channel.close();
            throw new IOException("cannot connect to " + options.host() + ":" + port + ": " + e.getMessage(), e);
        }
    }

    /** Sends probes from the first sender until every receiver has seen one. */
    private void probeUntilEveryReceiverIsReady(SocketChannel firstSender) throws IOException, InterruptedException {
        final byte[] head = publishHead;
        final byte[] tail = publishTail;
        final ByteBuffer probe = ByteBuffer.allocate(head.length + options.lineBytes() + tail.length)
                .put(head).put(Payload.probe(0, options.lineBytes())).put(tail);
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(READY_TIMEOUT_MILLIS);
        while (readyReceivers.get() < options.receivers()) {
            if (System.nanoTime() > deadline) {
                throw new IOException("only " + readyReceivers.get() + " of " + options.receivers()
                        + " receivers got a probe within " + READY_TIMEOUT_MILLIS + " ms"
                        + (failure == null ? "" : "; " + failure));
            }
            probe.flip();
            while (probe.hasRemaining()) {
                firstSender.write(probe);
            }
            probe.limit(probe.capacity());
            Thread.sleep(PROBE_INTERVAL_MILLIS);
        }
    }

    private void progress(int second, boolean measuring, List<Sender> senders, List<ReceiverLoop> loops, Histogram latency) {
        long gaps = 0;
        long reorders = 0;
        long disconnects = 0;
        for (ReceiverLoop loop : loops) {
            gaps += loop.gaps();
            reorders += loop.reorders();
            disconnects += loop.disconnects();
        }
        log.printf(Locale.ROOT, "[%s] %3ds %-7s sent %s  delivered %s  gaps %d  reorders %d  disconnects %d  "
                        + "p50 %s  p99 %s  p99.9 %s%n",
                options.label(), second, measuring ? "measure" : "warm-up", count(sent(senders)), count(delivered(loops)),
                gaps, reorders, disconnects, micros(latency.getValueAtPercentile(50)),
                micros(latency.getValueAtPercentile(99)), micros(latency.getValueAtPercentile(99.9)));
    }

    private static long sent(List<Sender> senders) {
        long sum = 0;
        for (Sender sender : senders) {
            sum += sender.sent();
        }
        return sum;
    }

    private static long delivered(List<ReceiverLoop> loops) {
        long sum = 0;
        for (ReceiverLoop loop : loops) {
            sum += loop.deliveries();
        }
        return sum;
    }

    private static String count(long n) {
        return n >= 1_000_000 ? String.format(Locale.ROOT, "%.2fM", n / 1e6)
                : n >= 1_000 ? String.format(Locale.ROOT, "%.1fK", n / 1e3) : Long.toString(n);
    }

    private static String micros(long nanos) {
        return String.format(Locale.ROOT, "%.0fus", nanos / 1e3);
    }

    private static void sleepUntil(long deadline) throws InterruptedException {
        long left;
        while ((left = deadline - System.nanoTime()) > 0) {
            TimeUnit.NANOSECONDS.sleep(left);
        }
    }

    private static Thread start(Runnable body, String name) {
        final Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }
}
