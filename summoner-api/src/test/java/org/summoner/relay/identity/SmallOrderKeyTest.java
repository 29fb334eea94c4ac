package org.summoner.relay.identity;

import org.junit.jupiter.api.Test;
import org.summoner.relay.wire.Rejection;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * An identity whose signing key is a point of small order is anyone's: with the neutral point as the key and as R,
 * and S = 0, [S]B = R + [k]A holds for every message, so "signatures" of any record and envelope cost nothing and need
 * no secret. The JDK's Ed25519 accepts them (summoner-bench's Ed25519StrictnessTest records it); the relay refuses
 * every small-order key, as libsodium does, so such an identity never binds and its lines are never relayed.
 */
class SmallOrderKeyTest {
    private static final byte[] NEUTRAL = new byte[32];

    static {
        NEUTRAL[0] = 1; // y = 1, x = 0
    }

    private static String b64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }

    @Test
    void the_keys_refused_are_points_of_small_order_as_bouncycastle_finds_them() {
        int refused = 0;
        for (int i = 0; i < 256; i++) {
            final byte[] key = new byte[32];
            key[0] = (byte) i; // y from 0 to 255, and the same with x's sign set: 512 encodings, the small ones among them
            for (int sign = 0; sign < 2; sign++) {
                key[31] = (byte) (sign << 7);
                if (Ed25519.smallOrder(key)) { // BouncyCastle's full check refuses these, and mixed-order points too
                    refused++;
                    assertFalse(org.bouncycastle.math.ec.rfc8032.Ed25519.validatePublicKeyFull(key, 0), "a key to BouncyCastle: " + b64(key));
                }
            }
        }
        assertEquals(4, refused, "y = 0 and y = 1, each with both signs");
        for (String hex : new String[]{"26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
                "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
                "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
                "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
                "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"}) {
            final byte[] key = java.util.HexFormat.of().parseHex(hex);
            assertEquals(true, Ed25519.smallOrder(key), hex);
            assertFalse(org.bouncycastle.math.ec.rfc8032.Ed25519.validatePublicKeyFull(key, 0), "of small order: " + hex);
        }
    }

    @Test
    void a_signature_by_the_neutral_key_verifies_nothing() {
        final byte[] forged = new byte[64];
        System.arraycopy(NEUTRAL, 0, forged, 0, 32); // R = the neutral point, S = 0
        assertFalse(Ed25519.verify(NEUTRAL, "any message".getBytes(StandardCharsets.US_ASCII), forged));
    }

    @Test
    void an_envelope_from_an_identity_with_a_small_order_key_is_refused_as_its_identity_signature() throws Exception {
        final byte[] forged = new byte[64];
        System.arraycopy(NEUTRAL, 0, forged, 0, 32);
        final Map<String, Object> from = new LinkedHashMap<>();
        from.put("created_at", "2026-12-07T00:00:00Z");
        from.put("pub_enc_b64", b64(new byte[32]));
        from.put("pub_sig_b64", b64(NEUTRAL));
        from.put("sig", b64(forged));
        from.put("v", "id.v1");
        final Map<String, Object> envelope = new LinkedHashMap<>();
        envelope.put("v", AuroraVerifier.ENVELOPE_VERSION);
        envelope.put("payload", "forged");
        envelope.put("session_proof", Map.of("ts", System.currentTimeMillis() / 1000));
        envelope.put("from", from);
        envelope.put("to", Json.NULL);
        envelope.put("sig", b64(forged));
        final byte[] line = Json.canonical(Json.of(envelope));
        final AuroraVerifier.Verdict verdict = new AuroraVerifier(AuroraVerifier.Paths.DEFAULTS)
                .verify(line, 0, line.length, AuroraVerifier.SenderCheck.ANYONE, null);
        assertEquals(Rejection.BAD_IDENTITY_SIGNATURE, verdict.rejection(), verdict.toString());
    }
}
