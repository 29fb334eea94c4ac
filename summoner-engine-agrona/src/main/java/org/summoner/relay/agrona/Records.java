package org.summoner.relay.agrona;

import org.agrona.MutableDirectBuffer;
import org.summoner.relay.core.Route;

/**
 * The records the engine's ring buffers carry. All integers are little-endian, as Agrona's buffers write them.
 *
 * <p>Lines ring (many I/O agents to the one fan-out agent), each record starting with a header of
 * {@link #ENVELOPE_HEADER_BYTES}: the sending session's id ({@code long}), the kind ({@code int}) and target
 * ({@code long}) of the line's route:
 * <ul>
 *   <li>{@link #ENVELOPE}: id, then the envelope of a relayed line, encoded by the I/O agent (or the last piece
 *       of an envelope too long for one record).</li>
 *   <li>{@link #ENVELOPE_PART}: id, then a piece of an envelope that the following records of that id complete.</li>
 * </ul>
 * One connection's records come from one I/O agent, in order, so its pieces arrive in order.
 *
 * <p>Outbound rings (the fan-out agent to one I/O agent): {@link #BATCH}: a span count ({@code int}), that many
 * spans of {@link #SPAN_BYTES} (sender id {@code long}, route kind {@code int} and target {@code long}, end offset in
 * the payload {@code int}, complete envelopes ending in it {@code int}), then the payload: envelopes back to back.
 * An envelope too big for one record continues in the next records; its span counts it where it ends.
 */
final class Records {
    static final int ENVELOPE = 2;
    static final int ENVELOPE_PART = 3;
    static final int BATCH = 5;

    static final int ID_BYTES = Long.BYTES;
    static final int KIND_AT = ID_BYTES;
    static final int TARGET_AT = KIND_AT + Integer.BYTES;
    static final int ENVELOPE_HEADER_BYTES = TARGET_AT + Long.BYTES;
    /** A span: sender, route kind, route target, end, complete envelopes. */
    static final int SPAN_BYTES = Long.BYTES + Integer.BYTES + Long.BYTES + Integer.BYTES + Integer.BYTES;
    static final int SPAN_KIND_AT = Long.BYTES;
    static final int SPAN_TARGET_AT = SPAN_KIND_AT + Integer.BYTES;
    static final int SPAN_END_AT = SPAN_TARGET_AT + Long.BYTES;
    static final int SPAN_MESSAGES_AT = SPAN_END_AT + Integer.BYTES;
    static final int SPAN_COUNT_BYTES = Integer.BYTES;
    /** Spans in one batch record at most: a batch of more senders is closed early. */
    static final int MAX_SPANS = 128;
    static final int MAX_BATCH_HEADER = SPAN_COUNT_BYTES + MAX_SPANS * SPAN_BYTES;

    private Records() {
    }

    /** Writes a lines-ring record's header at {@code index}: the sender's id and its line's route. */
    static void writeEnvelopeHeader(MutableDirectBuffer buffer, int index, long sender, Route route) {
        buffer.putLong(index, sender);
        buffer.putInt(index + KIND_AT, route.kind());
        buffer.putLong(index + TARGET_AT, route.target());
    }
}
