package org.summoner.relay.routing;

import org.summoner.relay.config.DedicatedRelay;
import org.summoner.relay.identity.AuroraVerifier;
import org.summoner.relay.identity.Json;
import org.summoner.relay.wire.Rejection;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.math.BigInteger;
import java.nio.ByteOrder;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The freshness and replay rules of signed envelopes (SPEC section 7, {@code dedicated_relay.replay}): an envelope
 * counts only while its {@code session_proof.ts} (Aurora's seconds since the epoch, which its signature covers) lies
 * within {@code window_secs} of the server's clock, and only once within that window. Without it, a line anyone
 * received could be sent again on a new connection, bind it to the original sender, and draw that sender's traffic.
 *
 * <p>Two steps: {@link #check} before the signatures, so a stale envelope costs no signature check; {@link #remember}
 * once the envelope verified, so that only a genuine envelope is remembered and a line that reuses a seen signature
 * over other bytes is told what it is, a bad signature (the first copy to enter wins; a copy racing it on another
 * thread is {@code replayed}). A replay still has its signatures checked, which the verifier's cache of results makes
 * a lookup rather than a computation.
 *
 * <p>What is remembered is the envelope signature's first 32 bytes: Ed25519's R, which Aurora's signers derive from the
 * signed bytes and their secret key, so the same signed bytes give the same R, other bytes another one, and nobody
 * without the key can make a valid signature with a given R. An entry lasts until its {@code ts} leaves the window.
 * Bounded by {@code max_entries}: when full, the oldest entry is forgotten and from then on an envelope no newer than
 * it is refused as {@code stale} (it could be a replay of one forgotten), so the bound never opens a gap; under a flood
 * the window shrinks instead.
 *
 * <p>Thread-safe: one lock, held for a map operation per signed line (signed lines cost a signature check each, four
 * orders of magnitude more).
 */
final class ReplayGuard implements AuroraVerifier.EnvelopeCheck {
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    /** The first 32 bytes of an envelope signature (its R). */
    private record Key(long a, long b, long c, long d) {
        static Key of(byte[] signature) {
            return new Key(word(signature, 0), word(signature, 8), word(signature, 16), word(signature, 24));
        }

        private static long word(byte[] bytes, int at) {
            return (long) LONGS.get(bytes, at);
        }
    }

    private final long windowSecs;
    private final int maxEntries;
    private final LongSupplier epochSeconds;
    /** Each remembered envelope's {@code ts}, oldest entry first; guarded by {@code this}. */
    private final LinkedHashMap<Key, Long> seen = new LinkedHashMap<>();
    /** Envelopes with a {@code ts} at or before this were forgotten to make room: they are stale. Guarded by {@code this}. */
    private long forgottenUpToTs = Long.MIN_VALUE;

    ReplayGuard(DedicatedRelay.Replay settings, LongSupplier epochSeconds) {
        this.windowSecs = settings.windowSecs();
        this.maxEntries = settings.maxEntries();
        this.epochSeconds = epochSeconds;
    }

    /** Before the signatures: {@code session_proof.ts} present, an integer, and within the window (or stale). */
    @Override
    public Rejection check(Map<String, Object> envelope, byte[] envelopeSignature) {
        final Object proof = envelope.get("session_proof");
        if (!(proof instanceof Map<?, ?> fields)) {
            return proof == null || proof == Json.NULL ? Rejection.MISSING_FIELD : Rejection.WRONG_TYPE;
        }
        final Object ts = fields.get("ts");
        if (ts == null) {
            return Rejection.MISSING_FIELD;
        }
        if (!(ts instanceof Json.Num number) || number.isFloat()) {
            return Rejection.WRONG_TYPE;
        }
        return fresh(seconds(number)) ? null : Rejection.STALE;
    }

    /**
     * Once an envelope verified: remembers it for the rest of the window.
     *
     * @return false when it is a replay after all (a copy verified first, on another connection).
     */
    boolean remember(AuroraVerifier.Verdict verdict) {
        final long ts = seconds((Json.Num) ((Map<?, ?>) verdict.envelope().get("session_proof")).get("ts"));
        final long now = epochSeconds.getAsLong();
        synchronized (this) {
            if (seen.putIfAbsent(Key.of(verdict.envelopeSignature()), ts) != null) {
                return false;
            }
            for (Iterator<Map.Entry<Key, Long>> oldest = seen.entrySet().iterator(); oldest.hasNext(); ) {
                final Map.Entry<Key, Long> entry = oldest.next();
                final long entryTs = entry.getValue();
                if (now - entryTs > windowSecs) {
                    oldest.remove(); // out of the window: stale if it comes again
                } else if (seen.size() > maxEntries) {
                    forgottenUpToTs = Math.max(forgottenUpToTs, entryTs);
                    oldest.remove();
                } else {
                    break;
                }
            }
            return true;
        }
    }

    /** @return the envelopes remembered now. */
    synchronized int size() {
        return seen.size();
    }

    private boolean fresh(long ts) {
        final long now = epochSeconds.getAsLong();
        if (ts < now - windowSecs || ts > now + windowSecs) {
            return false;
        }
        synchronized (this) {
            return ts > forgottenUpToTs;
        }
    }

    /** @return an integer's value, or the nearest {@code long} to one too large for it (stale either way). */
    private static long seconds(Json.Num integer) {
        final String text = integer.text();
        if (text.length() > 20) { // past any long: no need to read thousands of digits to know it is stale
            return text.charAt(0) == '-' ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
        final BigInteger value = new BigInteger(text);
        return value.bitLength() < Long.SIZE ? value.longValue() : value.signum() < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
}
