package org.summoner.relay.bench.jmh;

import org.bouncycastle.math.ec.rfc8032.Ed25519;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What the candidates of {@link Ed25519Benchmark} accept of the signatures RFC 8032's strict reading refuses (the
 * cases of "Taming the many EdDSAs", Chalkias et al., 2020, made here by hand): a signature whose S is not reduced
 * (S + L), a public key and an R of small order (the neutral point, which makes [S]B = R + [k]A hold for S = 0 and
 * any message), and the neutral point in a non-canonical encoding (y = p + 1). A library may only replace the JDK's
 * in the relay if it refuses at least what the JDK refuses; this test is the record of both, and fails when either
 * library's answer changes. Found (OpenJDK 17.0.15, BouncyCastle 1.87): both refuse S + L and the non-canonical
 * encodings; SunEC accepts the neutral key's "signature" of any message, BouncyCastle refuses it. The relay refuses
 * keys of small order before SunEC sees them (summoner-api's SmallOrderKeyTest).
 */
class Ed25519StrictnessTest {
    private static final BigInteger L = BigInteger.TWO.pow(252).add(new BigInteger("27742317777372353535851937790883648493"));
    private static final byte[] MESSAGE = "{\"v\":\"env.v1\"}".getBytes(StandardCharsets.US_ASCII);

    /** @return the verdicts of SunEC and of BouncyCastle on ({@code key}, {@code signature}) over {@link #MESSAGE}. */
    private static String verdicts(byte[] key, byte[] signature) {
        boolean sunEc;
        try {
            final Signature verifier = Signature.getInstance("Ed25519");
            verifier.initVerify(Ed25519Benchmark.decode(key));
            verifier.update(MESSAGE);
            sunEc = verifier.verify(signature);
        } catch (GeneralSecurityException | RuntimeException e) {
            sunEc = false;
        }
        final boolean bouncyCastle = Ed25519.verify(signature, 0, key, 0, MESSAGE, 0, MESSAGE.length);
        return "SunEC " + (sunEc ? "accepts" : "refuses") + ", BouncyCastle " + (bouncyCastle ? "accepts" : "refuses");
    }

    private static byte[] littleEndian(BigInteger value) {
        final byte[] big = value.toByteArray();
        final byte[] little = new byte[32];
        for (int i = 0; i < Math.min(32, big.length); i++) {
            little[i] = big[big.length - 1 - i];
        }
        return little;
    }

    private static byte[] concat(byte[] r, byte[] s) {
        final byte[] signature = Arrays.copyOf(r, 64);
        System.arraycopy(s, 0, signature, 32, 32);
        return signature;
    }

    @Test
    void each_library_answers_the_strict_cases_as_recorded() throws GeneralSecurityException {
        final KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        final byte[] encoded = pair.getPublic().getEncoded();
        final byte[] key = Arrays.copyOfRange(encoded, encoded.length - 32, encoded.length);
        final Signature signer = Signature.getInstance("Ed25519");
        signer.initSign(pair.getPrivate());
        signer.update(MESSAGE);
        final byte[] valid = signer.sign();

        final byte[] sBytes = Arrays.copyOfRange(valid, 32, 64);
        final byte[] reversed = new byte[32];
        for (int i = 0; i < 32; i++) {
            reversed[i] = sBytes[31 - i];
        }
        final BigInteger s = new BigInteger(1, reversed);
        final byte[] unreducedS = concat(Arrays.copyOf(valid, 32), littleEndian(s.add(L)));

        final byte[] neutral = new byte[32];
        neutral[0] = 1; // y = 1, x = 0: the neutral point, of order 1
        final byte[] nonCanonicalNeutral = littleEndian(BigInteger.TWO.pow(255).subtract(BigInteger.valueOf(18))); // y = p + 1
        final byte[] zero = new byte[32];

        final Map<String, String> found = new LinkedHashMap<>();
        found.put("valid", verdicts(key, valid));
        found.put("S + L", verdicts(key, unreducedS));
        found.put("small-order key and R, S = 0", verdicts(neutral, concat(neutral, zero)));
        found.put("non-canonical key (y = p + 1), S = 0", verdicts(nonCanonicalNeutral, concat(neutral, zero)));
        found.put("non-canonical R (y = p + 1), small-order key, S = 0", verdicts(neutral, concat(nonCanonicalNeutral, zero)));

        final Map<String, String> recorded = new LinkedHashMap<>();
        recorded.put("valid", "SunEC accepts, BouncyCastle accepts");
        recorded.put("S + L", "SunEC refuses, BouncyCastle refuses");
        // SunEC checks [S]B = R + [k]A without refusing a small-order key: the neutral point with R the neutral point and
        // S = 0 "signs" every message. BouncyCastle refuses small-order keys (RFC 8032's verification does not require it;
        // libsodium and BouncyCastle do).
        recorded.put("small-order key and R, S = 0", "SunEC accepts, BouncyCastle refuses");
        recorded.put("non-canonical key (y = p + 1), S = 0", "SunEC refuses, BouncyCastle refuses");
        recorded.put("non-canonical R (y = p + 1), small-order key, S = 0", "SunEC refuses, BouncyCastle refuses");
        assertEquals(recorded, found);
    }
}
