package org.summoner.relay.identity;

import org.junit.jupiter.api.Test;
import org.summoner.relay.wire.Rejection;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An identity whose signing key is a point of small order is anyone's: with the neutral point as the key and as R,
 * and S = 0, [S]B = R + [k]A holds for every message, so "signatures" of any record and envelope cost nothing and need
 * no secret. The JDK's Ed25519 accepts them (summoner-bench's Ed25519StrictnessTest records it); the relay refuses
 * every small-order key, as libsodium does, so such an identity never binds and its lines are never relayed. It
 * refuses an R of small order too, as libsodium does: BouncyCastle's cofactored check lets a key's owner put any
 * such R in a signature, which no honest signer does.
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

    private static BigInteger littleEndian(byte[] bytes, int offset, int length) {
        final byte[] big = new byte[length];
        for (int i = 0; i < length; i++) {
            big[i] = bytes[offset + length - 1 - i];
        }
        return new BigInteger(1, big);
    }

    @Test
    void a_signature_whose_r_is_of_small_order_is_refused_though_its_key_and_equation_hold() throws Exception {
        final BigInteger l = BigInteger.TWO.pow(252).add(new BigInteger("27742317777372353535851937790883648493"));
        final byte[] seed = new byte[32];
        Arrays.fill(seed, (byte) 7);
        final byte[] key = new byte[32];
        org.bouncycastle.math.ec.rfc8032.Ed25519.generatePublicKey(seed, 0, key, 0);
        final byte[] expanded = Arrays.copyOf(MessageDigest.getInstance("SHA-512").digest(seed), 32);
        expanded[0] &= (byte) 248;
        expanded[31] &= 127;
        expanded[31] |= 64;
        final BigInteger a = littleEndian(expanded, 0, 32); // the secret scalar: key = [a]B
        final byte[] message = "{\"v\":\"env.v1\"}".getBytes(StandardCharsets.US_ASCII);
        final MessageDigest sha512 = MessageDigest.getInstance("SHA-512");
        sha512.update(NEUTRAL);
        sha512.update(key);
        final BigInteger k = littleEndian(sha512.digest(message), 0, 64).mod(l);
        final byte[] s = k.multiply(a).mod(l).toByteArray();
        final byte[] signature = Arrays.copyOf(NEUTRAL, 64); // R = the neutral point, S = k·a: [S]B = [k]A = R + [k]A
        for (int i = 0; i < Math.min(32, s.length); i++) {
            signature[32 + i] = s[s.length - 1 - i];
        }
        assertTrue(org.bouncycastle.math.ec.rfc8032.Ed25519.verify(signature, 0, key, 0, message, 0, message.length),
                "the equation holds");
        assertFalse(Ed25519.verify(key, message, signature));
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
