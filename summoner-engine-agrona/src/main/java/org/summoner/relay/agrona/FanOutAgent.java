package org.summoner.relay.agrona;

import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.ControlledMessageHandler;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.summoner.relay.core.SpanTable;
import org.summoner.relay.counters.RelayCounters;

import java.util.Arrays;

/**
 * The one fan-out agent: reads envelopes (encoded once each by the sender's I/O agent) from the many-to-one lines
 * ring, gathers them into a batch with who sent which along which route (the core's {@link SpanTable}), and publishes the batch to every I/O agent's one-to-one
 * outbound ring, one record per ring (or several, for a batch larger than a ring's largest message).
 *
 * <p>A full outbound ring is backpressure: the batch stays here, the agent stops reading lines until every ring has
 * taken it (counted once per wait in {@code handOffWaits}), the lines ring fills, and the I/O agents stop reading
 * their sockets. Nothing is dropped and nothing grows: the batch is bounded by {@link #BATCH_BYTES} plus one
 * envelope.
 *
 * <p>Runs on its own thread; nothing here is shared.
 */
final class FanOutAgent implements Agent, ControlledMessageHandler {
    /** A batch is published once it holds this much, or when the lines ring has no more for now. */
    static final int BATCH_BYTES = 16 * 1024;
    private static final int READ_LIMIT = 256;

    private final RingBuffer lines;
    private final RingBuffer[] outbound;
    private final Runnable[] wakers;
    private final RelayCounters counters;
    /** Envelopes of senders whose last piece has not come yet; an entry is removed with its last piece. */
    private final Long2ObjectHashMap<Pieces> pieces = new Long2ObjectHashMap<>();
    private final ExpandableDirectByteBuffer payload = new ExpandableDirectByteBuffer(BATCH_BYTES * 2);
    private final SpanTable spans = new SpanTable(Records.MAX_SPANS);
    /** Payload bytes each outbound ring has taken of the current batch. */
    private final int[] published;
    private int payloadLength;
    private boolean waiting;

    /** An envelope arriving in pieces ({@link Records#ENVELOPE_PART}), gathered until its last piece. */
    private static final class Pieces {
        byte[] bytes = new byte[0];
        int length;

        void append(MutableDirectBuffer buffer, int index, int count) {
            if (bytes.length < length + count) {
                bytes = Arrays.copyOf(bytes, Math.max(length + count, bytes.length * 2));
            }
            buffer.getBytes(index, bytes, length, count);
            length += count;
        }
    }

    FanOutAgent(RingBuffer lines, RingBuffer[] outbound, Runnable[] wakers, RelayCounters counters) {
        this.lines = lines;
        this.outbound = outbound;
        this.wakers = wakers;
        this.counters = counters;
        this.published = new int[outbound.length];
    }

    @Override
    public String roleName() {
        return "summoner-agrona-fanout";
    }

    /** @return whether a line waits and the outbound rings can take what comes of it. */
    boolean hasWork() {
        return !waiting && lines.size() > 0;
    }

    @Override
    public int doWork() {
        int work = 0;
        if (payloadLength > 0) {
            if (!publish()) {
                return 0; // still waiting for room
            }
            work++;
        }
        work += lines.controlledRead(this, READ_LIMIT);
        if (payloadLength > 0) {
            publish();
            work++;
        }
        return work;
    }

    @Override
    public Action onMessage(int type, MutableDirectBuffer buffer, int index, int length) {
        final long id = buffer.getLong(index);
        final int body = index + Records.ENVELOPE_HEADER_BYTES;
        final int bodyLength = length - Records.ENVELOPE_HEADER_BYTES;
        switch (type) {
            case Records.ENVELOPE_PART -> {
                pieces.computeIfAbsent(id, ignored -> new Pieces()).append(buffer, body, bodyLength);
                return Action.CONTINUE;
            }
            case Records.ENVELOPE -> {
                return envelope(id, buffer.getInt(index + Records.KIND_AT), buffer.getLong(index + Records.TARGET_AT),
                        buffer, body, bodyLength);
            }
            default -> throw new IllegalStateException("unknown record type " + type + " in the lines ring");
        }
    }

    /** The last (or only) piece of an envelope: appended to the batch with its route, unless the batch is full. */
    private Action envelope(long id, int routeKind, long routeTarget, MutableDirectBuffer buffer, int body, int bodyLength) {
        final Pieces earlier = pieces.get(id);
        final int length = (earlier == null ? 0 : earlier.length) + bodyLength;
        if (payloadLength > 0 && (payloadLength + length > BATCH_BYTES || spans.count() == Records.MAX_SPANS)) {
            return Action.ABORT; // the batch is full: publish it, and read this envelope again into the next one
        }
        if (earlier != null) {
            payload.putBytes(payloadLength, earlier.bytes, 0, earlier.length);
            payloadLength += earlier.length;
            pieces.remove(id); // a long envelope's memory is not kept
        }
        payload.putBytes(payloadLength, buffer, body, bodyLength);
        payloadLength += bodyLength;
        spans.addSpan(id, routeKind, routeTarget, payloadLength, 1);
        return payloadLength >= BATCH_BYTES ? Action.BREAK : Action.CONTINUE;
    }

    /** @return true once every outbound ring has the whole batch; then the batch starts again empty. */
    private boolean publish() {
        boolean all = true;
        for (int r = 0; r < outbound.length; r++) {
            if (!publishTo(r)) {
                all = false;
            }
        }
        if (!all) {
            if (!waiting) {
                waiting = true;
                counters.handOffWaited();
            }
            return false;
        }
        waiting = false;
        payloadLength = 0;
        spans.clear();
        Arrays.fill(published, 0);
        return true;
    }

    private boolean publishTo(int r) {
        final RingBuffer ring = outbound[r];
        final int maxPayload = ring.maxMsgLength() - Records.MAX_BATCH_HEADER;
        boolean wrote = false;
        try {
            while (published[r] < payloadLength) {
                final int from = published[r];
                final int to = Math.min(payloadLength, from + maxPayload);
                int first = 0;
                while (spans.endOf(first) <= from) {
                    first++;
                }
                int last = first;
                while (last + 1 < spans.count() && spans.endOf(last) < to) {
                    last++;
                }
                final int count = last - first + 1;
                final int length = Records.SPAN_COUNT_BYTES + count * Records.SPAN_BYTES + (to - from);
                final int index = ring.tryClaim(Records.BATCH, length);
                if (index < 0) {
                    return false;
                }
                final MutableDirectBuffer dst = ring.buffer();
                dst.putInt(index, count);
                int at = index + Records.SPAN_COUNT_BYTES;
                for (int i = first; i <= last; i++) {
                    final int end = spans.endOf(i);
                    dst.putLong(at, spans.sender(i));
                    dst.putInt(at + Records.SPAN_KIND_AT, spans.kind(i));
                    dst.putLong(at + Records.SPAN_TARGET_AT, spans.target(i));
                    dst.putInt(at + Records.SPAN_END_AT, Math.min(end, to) - from);
                    dst.putInt(at + Records.SPAN_MESSAGES_AT, end <= to ? spans.messagesOf(i) : 0);
                    at += Records.SPAN_BYTES;
                }
                dst.putBytes(at, payload, from, to - from);
                ring.commit(index);
                published[r] = to;
                wrote = true;
            }
            return true;
        } finally {
            if (wrote) {
                wakers[r].run();
            }
        }
    }
}
