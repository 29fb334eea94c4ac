package org.summoner.relay.netty;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.summoner.relay.core.Route;
import org.summoner.relay.core.Session;
import org.summoner.relay.core.SpanTable;

/**
 * The envelopes one event loop relays between two hand-offs, encoded once each by their sessions, back to back in
 * one pooled direct buffer, with the core's {@link SpanTable} of who sent which along which route. Every recipient
 * gets retained slices of that buffer (no copy): the whole of it, or the runs of it meant for it. One write per
 * recipient per batch instead of one per envelope is what makes fan-out cheap in Netty, where each write walks the
 * pipeline and takes an outbound buffer entry.
 *
 * <p>The buffer starts small and grows by doubling, so its capacity is at most twice what it holds (a slice held by
 * a stalled reader retains the whole buffer; this bounds that overhead).
 *
 * <p>One per event loop; not thread-safe.
 */
final class EnvelopeBatch {
    /** Receives the slices meant for one recipient, in order; each slice is retained for the sink to release. */
    interface Sink<T> {
        void write(T recipient, ByteBuf slice, int messages);
    }

    /** Enough for one envelope of a typical line; the buffer doubles from here. */
    private static final int INITIAL_CAPACITY = 512;

    private final ByteBufAllocator allocator;
    private final SpanTable spans = new SpanTable(16);
    private final Slicer<Object> slicer = new Slicer<>();
    private ByteBuf buffer;

    EnvelopeBatch(ByteBufAllocator allocator) {
        this.allocator = allocator;
    }

    /** Appends one envelope, {@code envelope[0, length)}, of {@code sender} along {@code route}. */
    void append(long sender, Route route, byte[] envelope, int length) {
        if (buffer == null) {
            buffer = allocator.directBuffer(Math.max(INITIAL_CAPACITY, length));
        }
        buffer.writeBytes(envelope, 0, length);
        spans.add(sender, route, buffer.writerIndex());
    }

    boolean isEmpty() {
        return spans.isEmpty();
    }

    int messages() {
        return spans.messages();
    }

    int readableBytes() {
        return buffer == null ? 0 : buffer.readableBytes();
    }

    SpanTable spans() {
        return spans;
    }

    /**
     * Gives {@code target}, the connection of {@code session}, what it gets of the batch: everything as one slice when
     * every envelope is a broadcast and it sent none of them ({@code sentInto} false), else its runs.
     */
    @SuppressWarnings("unchecked")
    <T> void writeTo(Session session, T target, boolean sentInto, Sink<T> sink) {
        writeTo(buffer, spans, session, target, sentInto, sink, (Slicer<T>) slicer);
    }

    /** The same for a sealed batch: its buffer and its spans (null when it was all broadcast). */
    static <T> void writeTo(ByteBuf buffer, SpanTable spans, int messages, Session session, T target, Sink<T> sink, Slicer<T> slicer) {
        if (spans == null) {
            if (Route.getsBroadcast(session)) { // every envelope a broadcast, and none from this loop
                sink.write(target, buffer.retainedSlice(), messages);
            }
        } else {
            writeTo(buffer, spans, session, target, true, sink, slicer);
        }
    }

    private static <T> void writeTo(ByteBuf buffer, SpanTable spans, Session session, T target, boolean sentInto, Sink<T> sink,
                                    Slicer<T> slicer) {
        if (spans.isEmpty()) {
            return;
        }
        if (spans.wholeFor(session, sentInto)) {
            sink.write(target, buffer.retainedSlice(), spans.messages());
            return;
        }
        slicer.buffer = buffer;
        slicer.target = target;
        slicer.sink = sink;
        spans.forEachRun(session, slicer);
        slicer.buffer = null;
        slicer.target = null;
        slicer.sink = null;
    }

    /**
     * Ends the batch: the caller takes the buffer (reference count 1; null if the batch is empty) and this batch
     * starts again empty. Take {@link #spans()} first if they are needed.
     */
    ByteBuf take() {
        final ByteBuf taken = buffer;
        buffer = null;
        spans.clear();
        return taken;
    }

    /** Turns a recipient's runs into retained slices, without allocating a callback per recipient. */
    static final class Slicer<T> implements SpanTable.Runs {
        private ByteBuf buffer;
        private T target;
        private Sink<T> sink;

        @Override
        public void run(int start, int end, int messages) {
            sink.write(target, buffer.retainedSlice(start, end - start), messages);
        }
    }
}
