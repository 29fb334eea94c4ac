package org.summoner.relay.wire;

/**
 * One engine thread's encoding buffer: each relayed line is encoded here once, under {@code max_envelope_bytes},
 * and the engine copies the envelope to wherever its recipients share it (a batch buffer, a ring, an array). The
 * buffer grows to the largest envelope seen, never past {@code max_envelope_bytes}.
 *
 * <p>Owned by one thread; not thread-safe. Allocates only when it grows.
 */
public final class EnvelopeScratch {
    private static final int INITIAL_BYTES = 4096;

    private final int maxEnvelopeBytes;
    private byte[] bytes;

    /** @param maxEnvelopeBytes {@code max_envelope_bytes}: the longest envelope written, {@code \n} included. */
    public EnvelopeScratch(int maxEnvelopeBytes) {
        this.maxEnvelopeBytes = maxEnvelopeBytes;
        this.bytes = new byte[Math.min(INITIAL_BYTES, maxEnvelopeBytes)];
    }

    /**
     * Encodes the envelope of {@code content} after {@code prefix} (see {@link EnvelopeEncoder#prefix}) into
     * {@link #bytes()} from index 0.
     *
     * @return its length, or {@link EnvelopeEncoder#TOO_LONG} when it would exceed {@code max_envelope_bytes}.
     */
    public int encode(byte[] prefix, byte[] content, int offset, int length) {
        final int room = EnvelopeEncoder.requiredRoom(prefix.length, length, maxEnvelopeBytes);
        if (bytes.length < room) {
            bytes = new byte[(int) Math.min(maxEnvelopeBytes, Math.max(room, 2L * bytes.length))];
        }
        return EnvelopeEncoder.encode(prefix, content, offset, length, bytes, 0, maxEnvelopeBytes);
    }

    /** @return the buffer {@link #encode} wrote to; valid until the next call. */
    public byte[] bytes() {
        return bytes;
    }
}
