package org.summoner.relay.identity;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The results of Ed25519 checks, keyed by the exact bytes checked: the key, the signature and the message, hashed with
 * SHA-256. A line seen before, valid or not (a replay, a forged line sent again and again, the same identity record on
 * many connections), costs a hash of its signed bytes (microseconds) instead of a signature check (hundreds of them).
 *
 * <p>Bounded and without eviction logic: a fixed table of {@link #SLOTS} entries indexed by the hash, each slot holding
 * the last result that landed there (a collision replaces it; only the full hash matches). Someone who fills it with
 * lines of their own only makes others' checks computed again, never answered wrongly: a result is remembered only
 * for bytes whose hash it was computed for.
 *
 * <p>Thread-safe: slots are replaced whole ({@link AtomicReferenceArray}); each thread hashes with its own digest.
 * Allocates one entry per signature check it computes, none on a hit.
 */
final class SignatureCache {
    /** Entries: about 1.5 MiB when full. */
    static final int SLOTS = 16_384;
    private static final ThreadLocal<MessageDigest> SHA_256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    });

    /** A result and the hash of what it was computed for. */
    private record Entry(long a, long b, long c, long d, boolean valid) {
    }

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private final AtomicReferenceArray<Entry> slots = new AtomicReferenceArray<>(SLOTS);

    /**
     * @param meter counts the checks computed (cache misses) for the connection that asked, or null; it may answer
     *              them itself, or defer them ({@link IdentityMemo#deferTo}).
     * @return whether {@code signature} is {@code key}'s Ed25519 signature of {@code message}.
     */
    boolean verify(byte[] key, byte[] message, byte[] signature, IdentityMemo meter) {
        final MessageDigest digest = SHA_256.get();
        digest.update(key);
        digest.update(signature);
        digest.update(message);
        final byte[] hash = digest.digest();
        final long a = word(hash, 0);
        final long b = word(hash, 8);
        final long c = word(hash, 16);
        final long d = word(hash, 24);
        final int slot = (int) (a >>> 32 ^ a) & (SLOTS - 1);
        final Entry known = slots.get(slot);
        if (known != null && known.a == a && known.b == b && known.c == c && known.d == d) {
            return known.valid;
        }
        if (meter != null) {
            final int answer = meter.answer(a, b, c, d);
            if (answer >= 0) {
                return answer == 1; // computed on the pool for this line, and since replaced in the table
            }
            if (meter.defers(this, key, message, signature, a, b, c, d)) {
                return true; // taken as valid to gather the line's other checks; its verdict waits for all of them
            }
            meter.computed();
        }
        final boolean valid = Ed25519.verify(key, message, signature);
        remember(a, b, c, d, valid);
        return valid;
    }

    /** Remembers the result of a check computed elsewhere ({@link DeferredChecks}), under its hash. Thread-safe. */
    void remember(long a, long b, long c, long d, boolean valid) {
        slots.set((int) (a >>> 32 ^ a) & (SLOTS - 1), new Entry(a, b, c, d, valid));
    }

    private static long word(byte[] bytes, int at) {
        return (long) LONGS.get(bytes, at);
    }
}
