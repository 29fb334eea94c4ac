package org.summoner.relay.netty;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.summoner.relay.wire.EnvelopeEncoder;
import org.summoner.relay.wire.EnvelopeScratch;

import java.util.Arrays;

/**
 * The envelopes one event loop relays between two hand-offs, encoded once each, back to back, into one pooled
 * direct buffer. Every recipient gets retained slices of that buffer (no copy): the whole of it, or, for a client
 * that sent some of these lines, the runs of it that others sent. One write per recipient per batch instead of one
 * per envelope is what makes fan-out cheap in Netty, where each write walks the pipeline and takes an outbound
 * buffer entry.
 *
 * <p>Who sent what is kept as spans: consecutive envelopes of one sender share a span. The buffer starts small and
 * grows by doubling, so its capacity is at most twice what it holds (a slice held by a stalled reader retains the
 * whole buffer; this bounds that overhead). The encoding is the API's {@link EnvelopeEncoder}.
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
    private final EnvelopeScratch scratch;
    private ByteBuf buffer;
    private Object[] senders = new Object[16];
    private int[] spanEnds = new int[16];
    private int[] spanMessages = new int[16];
    private int spans;
    private int messages;

    /** @param maxEnvelopeBytes {@code max_envelope_bytes}: the longest envelope it holds. */
    EnvelopeBatch(ByteBufAllocator allocator, int maxEnvelopeBytes) {
        this.allocator = allocator;
        this.scratch = new EnvelopeScratch(maxEnvelopeBytes);
    }

    /**
     * Encodes the envelope of {@code content} from {@code sender} at the end of the batch.
     *
     * @return false, with nothing appended, when the envelope would exceed {@code max_envelope_bytes}.
     */
    boolean append(Object sender, byte[] prefix, byte[] content, int offset, int length) {
        final int encoded = scratch.encode(prefix, content, offset, length);
        if (encoded == EnvelopeEncoder.TOO_LONG) {
            return false;
        }
        if (buffer == null) {
            buffer = allocator.directBuffer(Math.max(INITIAL_CAPACITY, encoded));
        }
        buffer.writeBytes(scratch.bytes(), 0, encoded);
        messages++;
        if (spans > 0 && senders[spans - 1] == sender) {
            spanEnds[spans - 1] = buffer.writerIndex();
            spanMessages[spans - 1]++;
            return true;
        }
        if (spans == senders.length) {
            senders = Arrays.copyOf(senders, spans * 2);
            spanEnds = Arrays.copyOf(spanEnds, spans * 2);
            spanMessages = Arrays.copyOf(spanMessages, spans * 2);
        }
        senders[spans] = sender;
        spanEnds[spans] = buffer.writerIndex();
        spanMessages[spans] = 1;
        spans++;
        return true;
    }

    boolean isEmpty() {
        return messages == 0;
    }

    int messages() {
        return messages;
    }

    int readableBytes() {
        return buffer == null ? 0 : buffer.readableBytes();
    }

    /** Gives {@code recipient} every envelope of the batch, as one slice. */
    <T> void writeAll(T recipient, Sink<T> sink) {
        if (messages > 0) {
            sink.write(recipient, buffer.retainedSlice(), messages);
        }
    }

    /** Gives {@code recipient} the envelopes others sent, one slice per run of them, skipping its own. */
    <T> void writeExcept(T recipient, Sink<T> sink) {
        int runStart = -1;
        int runEnd = 0;
        int runMessages = 0;
        for (int i = 0; i < spans; i++) {
            final int spanStart = i == 0 ? 0 : spanEnds[i - 1];
            if (senders[i] == recipient) {
                if (runMessages > 0) {
                    sink.write(recipient, buffer.retainedSlice(runStart, runEnd - runStart), runMessages);
                    runMessages = 0;
                }
                continue;
            }
            if (runMessages == 0) {
                runStart = spanStart;
            }
            runEnd = spanEnds[i];
            runMessages += spanMessages[i];
        }
        if (runMessages > 0) {
            sink.write(recipient, buffer.retainedSlice(runStart, runEnd - runStart), runMessages);
        }
    }

    /**
     * Ends the batch: the caller takes the buffer (reference count 1; null if the batch is empty) and this batch
     * starts again empty.
     */
    ByteBuf take() {
        final ByteBuf taken = buffer;
        buffer = null;
        Arrays.fill(senders, 0, spans, null);
        spans = 0;
        messages = 0;
        return taken;
    }
}
