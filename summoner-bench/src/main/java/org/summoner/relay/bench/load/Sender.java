package org.summoner.relay.bench.load;

import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * One publisher. Open loop: a message every {@code senders / rate} seconds at its intended time, never skipping
 * one when late (those already due go out together in one write), each stamped with its intended time so latency
 * includes any delay the server caused (no coordinated omission). Closed loop: as fast as the window allows, in
 * batches, stamped with the time the batch is written.
 */
final class Sender implements Runnable {
    /** Below this, waiting spins instead of parking, so the harness's own timer slack stays out of the latency. */
    private static final long SPIN_NANOS = TimeUnit.MICROSECONDS.toNanos(60);
    private static final int BUFFER_BYTES = 64 * 1024;

    private final int id;
    private final SocketChannel channel;
    private final LoadRun run;
    private final LoadOptions options;
    private final AtomicLong sent = new AtomicLong();
    /** Open loop only: how late each message left against its intended time; read after the thread ended. */
    private final Histogram sendLag = new Histogram(TimeUnit.MINUTES.toNanos(1), 3);
    private volatile IOException failure;

    Sender(int id, SocketChannel channel, LoadRun run) {
        this.id = id;
        this.channel = channel;
        this.run = run;
        this.options = run.options();
    }

    long sent() {
        return sent.get();
    }

    Histogram sendLag() {
        return sendLag;
    }

    IOException failure() {
        return failure;
    }

    @Override
    public void run() {
        final byte[] head = run.publishHead();
        final byte[] tail = run.publishTail();
        final Payload payload = new Payload(options.lineBytes());
        final ByteBuffer out = ByteBuffer.allocateDirect(BUFFER_BYTES);
        try {
            run.awaitStart();
            if (options.closedLoop()) {
                closedLoop(head, payload, tail, out);
            } else {
                openLoop(head, payload, tail, out);
            }
        } catch (IOException e) {
            failure = e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void openLoop(byte[] head, Payload payload, byte[] tail, ByteBuffer out) throws IOException {
        final double intervalNanos = 1e9 * options.senders() / options.rate();
        final long first = run.startNanos() + (long) (id * intervalNanos / options.senders());
        final long epoch = run.epochNanos();
        final int perBuffer = Math.max(1, BUFFER_BYTES / (head.length + options.lineBytes() + tail.length));
        // Spinning keeps the schedule precise at modest rates; at high ones it would burn the core the server
        // needs, so the sender parks and sends whatever fell due meanwhile in one write.
        final boolean spin = intervalNanos >= SPIN_NANOS;
        long seq = 0;
        while (run.sending()) {
            waitUntil(first + (long) (seq * intervalNanos), spin);
            final long sentAt = System.nanoTime();
            out.clear();
            int batch = 0;
            long due = first + (long) (seq * intervalNanos);
            do {
                sendLag.recordValue(Math.min(Math.max(0, sentAt - due), sendLag.getHighestTrackableValue()));
                out.put(head).put(payload.stamp(id, seq, due - epoch).bytes()).put(tail); // stamped with its own intended time
                seq++;
                batch++;
                due = first + (long) (seq * intervalNanos);
            } while (batch < perBuffer && due - sentAt <= 0);
            out.flip();
            writeFully(out);
            sent.lazySet(seq);
        }
    }

    private void closedLoop(byte[] head, Payload payload, byte[] tail, ByteBuffer out) throws IOException {
        final int publishBytes = head.length + options.lineBytes() + tail.length;
        final int perBuffer = Math.max(1, BUFFER_BYTES / publishBytes);
        // Waiting for room for a real batch, not for one line, keeps the harness's own syscalls per line low.
        final int minBatch = Math.max(1, Math.min(perBuffer, options.window() / 8));
        final long epoch = run.epochNanos();
        long seq = 0;
        while (run.sending()) {
            final long done = run.deliveredFrom(id) / options.receivers();
            final long room = options.window() - (seq - done);
            if (room < minBatch) {
                LockSupport.parkNanos(10_000);
                continue;
            }
            final int batch = (int) Math.min(room, perBuffer);
            final long now = System.nanoTime() - epoch;
            out.clear();
            for (int i = 0; i < batch; i++) {
                out.put(head).put(payload.stamp(id, seq++, now).bytes()).put(tail);
            }
            out.flip();
            writeFully(out);
            sent.lazySet(seq);
        }
    }

    private void writeFully(ByteBuffer out) throws IOException {
        while (out.hasRemaining()) {
            channel.write(out);
        }
    }

    private static void waitUntil(long deadline, boolean spin) {
        while (true) {
            final long left = deadline - System.nanoTime();
            if (left <= 0) {
                return;
            }
            if (!spin || left > SPIN_NANOS) {
                LockSupport.parkNanos(spin ? left - SPIN_NANOS : left);
            } else {
                Thread.onSpinWait();
            }
        }
    }
}
