package org.summoner.relay.identity;

/**
 * The signature checks of one line that no memo or cache could answer, gathered while the line was verified on its
 * connection's thread instead of computed there ({@link IdentityMemo#deferTo}); computed later on a thread of the
 * verification pool ({@link #compute()}), in Aurora's order, stopping at the first that fails; then the answers of the
 * line's second verification on its connection's thread ({@link IdentityMemo#answerWith}), which therefore computes
 * nothing and reaches the same verdict a check on the spot would have.
 *
 * <p>A line needs three checks at most: its sender's identity record, its receiver's, its envelope. Not thread-safe:
 * gathered and answered on the connection's thread, computed on one pool thread in between; the hand-offs (the pool's
 * queue, the dispatcher's inbox) publish it safely.
 */
public final class DeferredChecks {
    /** A sender's record, a receiver's, the envelope: the most one line asks. */
    static final int MAX = 3;
    private static final byte UNKNOWN = -1;

    private final byte[][] keys = new byte[MAX][];
    private final byte[][] messages = new byte[MAX][];
    private final byte[][] signatures = new byte[MAX][];
    /** The SHA-256 of each check's bytes, as {@link SignatureCache} keys its results: four words each. */
    private final long[] hashes = new long[4 * MAX];
    private final byte[] results = {UNKNOWN, UNKNOWN, UNKNOWN};
    private SignatureCache cache;
    private int count;

    /** @return the checks gathered. */
    public int count() {
        return count;
    }

    /**
     * Computes the gathered checks in order, until one fails; each result is also remembered by the cache the check was
     * asked of, so that the same bytes sent again cost a hash. Called once, on a pool thread.
     */
    public void compute() {
        for (int i = 0; i < count; i++) {
            final boolean valid = Ed25519.verify(keys[i], messages[i], signatures[i]);
            results[i] = (byte) (valid ? 1 : 0);
            cache.remember(hashes[4 * i], hashes[4 * i + 1], hashes[4 * i + 2], hashes[4 * i + 3], valid);
            if (!valid) {
                return; // the verdict is this failure: the checks after it would decide nothing
            }
        }
    }

    /** Gathers one check the verifier needs; with a full list (never, for Aurora's three) it is dropped: asked again. */
    void gather(SignatureCache from, byte[] key, byte[] message, byte[] signature, long a, long b, long c, long d) {
        if (count == MAX) {
            return; // the line is verified again once these are known, and this check deferred then
        }
        cache = from;
        keys[count] = key;
        messages[count] = message;
        signatures[count] = signature;
        hashes[4 * count] = a;
        hashes[4 * count + 1] = b;
        hashes[4 * count + 2] = c;
        hashes[4 * count + 3] = d;
        count++;
    }

    /** @return the computed result of the check of the bytes hashed to these words: 1 valid, 0 not, -1 not computed. */
    int answer(long a, long b, long c, long d) {
        for (int i = 0; i < count; i++) {
            if (hashes[4 * i] == a && hashes[4 * i + 1] == b && hashes[4 * i + 2] == c && hashes[4 * i + 3] == d) {
                return results[i];
            }
        }
        return UNKNOWN;
    }
}
