package org.summoner.relay.bench.load;

import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Reads a share of the receivers on one thread with one selector. For every delivery it checks the sender's
 * sequence (a number ahead of the expected one is a gap, one behind is a reorder) and records the latency from
 * the send time stamped in the payload to the moment the read returned it.
 *
 * <p>Counters are written by this thread only and published with {@code lazySet} once per read, for the run's
 * progress line and the senders' windows.
 */
final class ReceiverLoop implements Runnable {
    private static final long HIGHEST_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final LoadRun run;
    private final Selector selector;
    private final Consumer<SelectionKey> onReady = this::onReady;
    /** Written by this thread only; handed to the run once a second (see {@link #takeLatency}). */
    private Histogram latency = new Histogram(HIGHEST_NANOS, 3);
    private final AtomicReference<Histogram> handedOver = new AtomicReference<>();
    private volatile boolean handOverRequested;
    private final long[] fields = new long[3];
    private final long[] deliveredFrom;
    private final AtomicLong deliveries = new AtomicLong();
    private final AtomicLong gaps = new AtomicLong();
    private final AtomicLong reorders = new AtomicLong();
    private final AtomicLong notices = new AtomicLong();
    private final AtomicLong disconnects = new AtomicLong();
    private volatile boolean stopped;
    private volatile String firstNotice;

    private long delivered;
    private long gapCount;
    private long reorderCount;
    private long readNanos;

    ReceiverLoop(LoadRun run) throws IOException {
        this.run = run;
        this.selector = Selector.open();
        this.deliveredFrom = new long[run.options().senders()];
    }

    /** Called before the thread starts. */
    void add(SocketChannel channel) throws IOException {
        channel.configureBlocking(false);
        channel.register(selector, SelectionKey.OP_READ, new Subscriber(channel, run.options()));
    }

    void stop() {
        stopped = true;
        selector.wakeup();
    }

    @Override
    public void run() {
        try {
            while (!stopped) {
                selector.select(onReady, 100);
                if (handOverRequested) {
                    handedOver.set(latency);
                    latency = new Histogram(HIGHEST_NANOS, 3);
                    handOverRequested = false;
                }
            }
        } catch (IOException e) {
            run.fail("receiver selector failed: " + e);
        } finally {
            for (SelectionKey key : selector.keys()) {
                try {
                    key.channel().close();
                } catch (IOException ignored) {
                    // closing at the end of the run
                }
            }
            try {
                selector.close();
            } catch (IOException ignored) {
                // closing at the end of the run
            }
        }
    }

    private void onReady(SelectionKey key) {
        final Subscriber subscriber = (Subscriber) key.attachment();
        final ByteBuffer in = subscriber.in;
        final int n;
        try {
            n = subscriber.channel.read(in);
        } catch (IOException e) {
            disconnected(key);
            return;
        }
        if (n < 0) {
            disconnected(key);
            return;
        }
        readNanos = System.nanoTime() - run.epochNanos();
        in.flip();
        InboundParser.parse(subscriber.parser, in, subscriber, subscriber.reply);
        in.compact();
        if (!in.hasRemaining()) {
            run.fail("a frame larger than the receive buffer (" + in.capacity() + " bytes)");
            disconnected(key);
            return;
        }
        if (subscriber.reply.position() > 0) {
            subscriber.reply.flip();
            try {
                subscriber.channel.write(subscriber.reply); // a PONG: tiny, fits the socket buffer
            } catch (IOException e) {
                disconnected(key);
                return;
            } finally {
                subscriber.reply.clear();
            }
        }
        publish();
    }

    private void disconnected(SelectionKey key) {
        key.cancel();
        try {
            key.channel().close();
        } catch (IOException ignored) {
            // already gone
        }
        disconnects.lazySet(disconnects.get() + 1);
    }

    private void onPayload(Subscriber subscriber, byte[] bytes, int offset, int length) {
        if (Payload.isProbe(bytes, offset, length)) {
            if (!subscriber.ready) {
                subscriber.ready = true;
                run.receiverReady();
            }
            return;
        }
        if (!Payload.read(bytes, offset, length, fields) || fields[0] >= subscriber.nextSeq.length) {
            onNotice("unreadable payload: " + new String(bytes, offset, Math.min(length, 60), StandardCharsets.US_ASCII));
            return;
        }
        final int sender = (int) fields[0];
        final long seq = fields[1];
        final long expected = subscriber.nextSeq[sender];
        if (seq == expected) {
            subscriber.nextSeq[sender] = seq + 1;
        } else if (seq > expected) {
            gapCount += seq - expected;
            subscriber.nextSeq[sender] = seq + 1;
        } else {
            reorderCount++;
        }
        delivered++;
        deliveredFrom[sender]++;
        latency.recordValue(Math.min(Math.max(0, readNanos - fields[2]), HIGHEST_NANOS));
    }

    private void onNotice(String text) {
        if (firstNotice == null) {
            firstNotice = text;
        }
        notices.lazySet(notices.get() + 1);
    }

    private void publish() {
        deliveries.lazySet(delivered);
        gaps.lazySet(gapCount);
        reorders.lazySet(reorderCount);
        for (int i = 0; i < deliveredFrom.length; i++) {
            if (deliveredFrom[i] != 0) {
                run.addDelivered(i, deliveredFrom[i]);
                deliveredFrom[i] = 0;
            }
        }
    }

    /**
     * @return the latencies recorded since the last call, in nanoseconds. A plain histogram handed over between
     *         two selects costs the receiving thread one volatile read per select, where a concurrent recorder
     *         would cost it atomic operations per delivery.
     */
    Histogram takeLatency() throws InterruptedException {
        handOverRequested = true;
        selector.wakeup();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        Histogram taken;
        while ((taken = handedOver.getAndSet(null)) == null) {
            if (stopped || System.nanoTime() > deadline) {
                return new Histogram(HIGHEST_NANOS, 3);
            }
            Thread.sleep(0, 100_000);
        }
        return taken;
    }

    long deliveries() {
        return deliveries.get();
    }

    long gaps() {
        return gaps.get();
    }

    long reorders() {
        return reorders.get();
    }

    long notices() {
        return notices.get();
    }

    long disconnects() {
        return disconnects.get();
    }

    String firstNotice() {
        return firstNotice;
    }

    /** One receiving connection: its buffers, its parser, and the next sequence number expected per sender. */
    private final class Subscriber implements PayloadSink {
        final SocketChannel channel;
        final InboundParser parser;
        final ByteBuffer in = ByteBuffer.allocate(256 * 1024);
        final ByteBuffer reply = ByteBuffer.allocate(1024);
        final long[] nextSeq;
        boolean ready;

        Subscriber(SocketChannel channel, LoadOptions options) {
            this.channel = channel;
            this.parser = options.protocol().newParser(options.lineBytes(), options.shape());
            this.nextSeq = new long[options.senders()];
        }

        @Override
        public void onPayload(byte[] buffer, int offset, int length) {
            ReceiverLoop.this.onPayload(this, buffer, offset, length);
        }

        @Override
        public void onServerNotice(String text) {
            onNotice(text);
        }
    }
}
