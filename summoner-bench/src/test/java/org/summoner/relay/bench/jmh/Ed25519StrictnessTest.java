package org.summoner.relay.bench.jmh;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.goterl.lazysodium.LazySodiumJava;
import org.bouncycastle.math.ec.rfc8032.Ed25519;
import org.junit.jupiter.api.Test;
import org.summoner.relay.identity.Json;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.Signature;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * What each candidate of {@link Ed25519Benchmark} accepts of the signatures a strict reading of RFC 8032 refuses (the
 * cases of "Taming the many EdDSAs", Chalkias et al., 2020, made here by hand from a fixed seed), and whether it gives
 * every signature of the Aurora vectors ({@code aurora-v1.json}) the verdict the vectors give. The cases: a signature
 * whose S is not reduced (S + L); each of the eight points of small order as the key, with R the neutral point, S = 0
 * and a message whose hash k is a multiple of 8 (then [S]B = R + [k]A holds; for the neutral key, every message);
 * the same with the key in a non-canonical encoding (y = p or y = p + 1, or x = 0 with x's sign set); each point of
 * small order, and the same non-canonical encodings, as R of a real key with S = k·a (which a verifier that multiplies
 * by the cofactor accepts for every such R, and one that does not for the neutral R only). A non-canonical encoding of
 * a point whose discrete logarithm no one knows cannot be turned into a signature, so it is not a case.
 *
 * <p>A library may only replace the JDK's in the relay if it refuses at least what the relay refuses; this test is the
 * record of each, and fails when any answer changes. The system's libsodium is skipped, with the reason, where it is
 * not installed ({@code apt-get install -y libsodium23}).
 */
class Ed25519StrictnessTest {
    private static final BigInteger L = BigInteger.TWO.pow(252).add(new BigInteger("27742317777372353535851937790883648493"));
    private static final byte[] MESSAGE = "{\"v\":\"env.v1\"}".getBytes(StandardCharsets.US_ASCII);
    private static final Path VECTORS = Path.of("..", "summoner-api", "src", "test", "resources", "aurora", "aurora-v1.json");

    /** The eight points of small order, canonically encoded, with their order. */
    private static final Map<String, String> SMALL_ORDER = new LinkedHashMap<>();
    /** Encodings of points of small order that strict decoding refuses. */
    private static final Map<String, String> NON_CANONICAL = new LinkedHashMap<>();

    static {
        SMALL_ORDER.put("0100000000000000000000000000000000000000000000000000000000000000", "order 1 (neutral)");
        SMALL_ORDER.put("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", "order 2");
        SMALL_ORDER.put("0000000000000000000000000000000000000000000000000000000000000000", "order 4");
        SMALL_ORDER.put("0000000000000000000000000000000000000000000000000000000000000080", "order 4, -x");
        SMALL_ORDER.put("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05", "order 8");
        SMALL_ORDER.put("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85", "order 8, -x");
        SMALL_ORDER.put("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a", "order 8'");
        SMALL_ORDER.put("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa", "order 8', -x");
        NON_CANONICAL.put("0100000000000000000000000000000000000000000000000000000000000080", "y = 1, x = 0 with sign set");
        NON_CANONICAL.put("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", "y = p - 1, x = 0 with sign set");
        NON_CANONICAL.put("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", "y = p (order 4)");
        NON_CANONICAL.put("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", "y = p (order 4), -x");
        NON_CANONICAL.put("eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", "y = p + 1 (neutral)");
        NON_CANONICAL.put("eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", "y = p + 1 (neutral), x sign set");
    }

    /** One verifier under test. */
    private interface Verifier {
        boolean verify(byte[] key, byte[] message, byte[] signature);
    }

    private static boolean sunEc(byte[] key, byte[] message, byte[] signature) {
        try {
            final Signature verifier = Signature.getInstance("Ed25519");
            verifier.initVerify(Ed25519Benchmark.decode(key));
            verifier.update(message);
            return verifier.verify(signature);
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }

    private static boolean bouncyCastle(byte[] key, byte[] message, byte[] signature) {
        return Ed25519.verify(signature, 0, key, 0, message, 0, message.length);
    }

    // ---- the hand-made cases

    private static byte[] littleEndian(BigInteger value) {
        final byte[] big = value.toByteArray();
        final byte[] little = new byte[32];
        for (int i = 0; i < Math.min(32, big.length); i++) {
            little[i] = big[big.length - 1 - i];
        }
        return little;
    }

    private static BigInteger fromLittleEndian(byte[] bytes, int offset, int length) {
        final byte[] big = new byte[length];
        for (int i = 0; i < length; i++) {
            big[i] = bytes[offset + length - 1 - i];
        }
        return new BigInteger(1, big);
    }

    private static byte[] concat(byte[] r, byte[] s) {
        final byte[] signature = Arrays.copyOf(r, 64);
        System.arraycopy(s, 0, signature, 32, 32);
        return signature;
    }

    private static byte[] sha512(byte[]... parts) {
        try {
            final MessageDigest digest = MessageDigest.getInstance("SHA-512");
            for (byte[] part : parts) {
                digest.update(part);
            }
            return digest.digest();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @return k = SHA-512(R || A || M) mod L, the scalar RFC 8032 multiplies the key by. */
    private static BigInteger k(byte[] r, byte[] key, byte[] message) {
        return fromLittleEndian(sha512(r, key, message), 0, 64).mod(L);
    }

    /** The cases: name to {key, message, signature}, in a fixed order. */
    private static Map<String, byte[][]> cases() {
        final HexFormat hex = HexFormat.of();
        final byte[] seed = new byte[32];
        Arrays.fill(seed, (byte) 42);
        final byte[] key = new byte[32];
        Ed25519.generatePublicKey(seed, 0, key, 0);
        final byte[] expanded = Arrays.copyOf(sha512(seed), 32);
        expanded[0] &= (byte) 248;
        expanded[31] &= 127;
        expanded[31] |= 64;
        final BigInteger a = fromLittleEndian(expanded, 0, 32); // the secret scalar: key = [a]B
        final byte[] valid = new byte[64];
        Ed25519.sign(seed, 0, key, 0, MESSAGE, 0, MESSAGE.length, valid, 0);
        final byte[] neutral = hex.parseHex(SMALL_ORDER.keySet().iterator().next());
        final byte[] zero = new byte[32];

        final Map<String, byte[][]> cases = new LinkedHashMap<>();
        cases.put("valid signature", new byte[][]{key, MESSAGE, valid});
        final BigInteger s = fromLittleEndian(valid, 32, 32);
        cases.put("S + L", new byte[][]{key, MESSAGE, concat(Arrays.copyOf(valid, 32), littleEndian(s.add(L)))});
        final Map<String, String> keys = new LinkedHashMap<>();
        SMALL_ORDER.forEach((point, name) -> keys.put(point, "small-order key, " + name));
        NON_CANONICAL.forEach((point, name) -> keys.put(point, "non-canonical key, " + name));
        keys.forEach((point, name) -> {
            final byte[] forged = hex.parseHex(point);
            for (int n = 0; ; n++) { // a message whose k is a multiple of 8, so [k]A is the neutral point
                final byte[] message = ("{\"v\":\"env.v1\",\"n\":" + n + "}").getBytes(StandardCharsets.US_ASCII);
                if (k(neutral, forged, message).mod(BigInteger.valueOf(8)).signum() == 0) {
                    cases.put(name + "; R = neutral, S = 0", new byte[][]{forged, message, concat(neutral, zero)});
                    break;
                }
            }
        });
        final Map<String, String> rs = new LinkedHashMap<>();
        SMALL_ORDER.forEach((point, name) -> rs.put(point, "small-order R, " + name));
        NON_CANONICAL.forEach((point, name) -> rs.put(point, "non-canonical R, " + name));
        rs.forEach((point, name) -> {
            final byte[] r = hex.parseHex(point);
            final byte[] sForged = littleEndian(k(r, key, MESSAGE).multiply(a).mod(L));
            cases.put(name + "; real key, S = k·a", new byte[][]{key, MESSAGE, concat(r, sForged)});
        });
        return cases;
    }

    /** @return the names of the cases {@code verifier} accepts. */
    private static Set<String> accepted(Verifier verifier) {
        final Set<String> accepted = new TreeSet<>();
        cases().forEach((name, c) -> {
            if (verifier.verify(c[0], c[1], c[2])) {
                accepted.add(name);
            }
        });
        return accepted;
    }

    // ---- the Aurora vectors: every signature a case carries, with the verdict its "fails" implies

    private static byte[] decode(Object base64, int length) {
        if (!(base64 instanceof String text)) {
            return null;
        }
        try {
            final byte[] bytes = Base64.getDecoder().decode(text);
            return bytes.length == length ? bytes : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static byte[] identityCore(Map<?, ?> record) {
        final Map<String, Object> core = new LinkedHashMap<>();
        core.put("created_at", record.get("created_at"));
        core.put("pub_enc_b64", record.get("pub_enc_b64"));
        core.put("pub_sig_b64", record.get("pub_sig_b64"));
        final Object meta = record.get("meta");
        if (meta != null && meta != Json.NULL) {
            core.put("meta", meta);
        }
        return Json.canonical(core);
    }

    /** One signature of the vectors: what it covers and whether the vectors say it holds. */
    private record Signed(String name, byte[] key, byte[] message, byte[] signature, boolean holds) {
    }

    private static List<Signed> auroraSignatures() throws IOException, Json.NotJson {
        final JsonNode vectors = new ObjectMapper().readTree(Files.readAllBytes(VECTORS));
        final List<Signed> signed = new ArrayList<>();
        for (JsonNode identity : vectors.get("identities")) {
            final JsonNode record = identity.get("public_id");
            signed.add(new Signed(identity.get("name").textValue() + " identity",
                    decode(record.get("pub_sig_b64").textValue(), 32),
                    identity.get("signed_core").textValue().getBytes(StandardCharsets.UTF_8),
                    decode(record.get("sig").textValue(), 64), true));
        }
        for (JsonNode testCase : vectors.get("cases")) {
            final byte[] line = testCase.get("line").textValue().getBytes(StandardCharsets.UTF_8);
            final Object parsed;
            try {
                parsed = Json.parse(line, 0, line.length);
            } catch (Json.NotJson e) {
                continue;
            }
            final JsonNode root = testCase.get("envelope_root");
            final Object envelope = parsed instanceof Map<?, ?> map && root != null && !root.isNull()
                    ? map.get(root.textValue()) : parsed;
            if (!(envelope instanceof Map<?, ?> fields) || !(fields.get("from") instanceof Map<?, ?> from)) {
                continue;
            }
            final String fails = String.valueOf(testCase.get("fails"));
            final String name = testCase.get("name").textValue();
            for (String role : new String[]{"from", "to"}) {
                if (fields.get(role) instanceof Map<?, ?> record) {
                    final byte[] key = decode(record.get("pub_sig_b64"), 32);
                    final byte[] signature = decode(record.get("sig"), 64);
                    if (key != null && signature != null) {
                        signed.add(new Signed(name + " " + role, key, identityCore(record), signature,
                                !fails.contains("bad_identity_signature:" + role)));
                    }
                }
            }
            final byte[] key = decode(from.get("pub_sig_b64"), 32);
            final byte[] signature = decode(fields.get("sig"), 64);
            final List<String> signedFields = List.of("v", "payload", "session_proof", "from", "to");
            if (key != null && signature != null && fields.keySet().containsAll(signedFields)) {
                final Map<String, Object> core = new LinkedHashMap<>();
                for (String field : signedFields) {
                    core.put(field, fields.get(field));
                }
                signed.add(new Signed(name + " envelope", key, Json.canonical(core), signature,
                        !fails.contains("bad_envelope_signature:sig")));
            }
        }
        return signed;
    }

    /** Asserts that {@code verifier} gives every signature of the Aurora vectors the vectors' verdict. */
    private static void assertAuroraVerdicts(Verifier verifier) throws Exception {
        final List<Signed> signed = auroraSignatures();
        final Map<String, Boolean> expected = new LinkedHashMap<>();
        final Map<String, Boolean> found = new LinkedHashMap<>();
        int holding = 0;
        for (Signed s : signed) {
            expected.put(s.name(), s.holds());
            found.put(s.name(), verifier.verify(s.key(), s.message(), s.signature()));
            holding += s.holds() ? 1 : 0;
        }
        assertEquals(expected, found);
        assertEquals(111, signed.size(), "the signatures the vectors carry");
        assertEquals(87, holding, "of which hold");
    }

    // ---- what each candidate accepts

    /** What SunEC and BouncyCastle accept besides the valid signature: R = the neutral point with S = k·a. */
    private static final Set<String> THE_NEUTRAL_R = Set.of("valid signature",
            "small-order R, order 1 (neutral); real key, S = k·a");

    @Test
    void sunEc_accepts_the_small_order_keys_and_the_neutral_r() throws Exception {
        final Set<String> recorded = new TreeSet<>(THE_NEUTRAL_R);
        // SunEC checks [S]B = R + [k]A and refuses non-canonical encodings, but not keys of small order: the neutral
        // key "signs" every message, the others one in 8 or fewer. The relay refuses those keys before SunEC sees them.
        for (String name : SMALL_ORDER.values()) {
            recorded.add("small-order key, " + name + "; R = neutral, S = 0");
        }
        assertEquals(recorded, accepted(Ed25519StrictnessTest::sunEc));
        assertAuroraVerdicts(Ed25519StrictnessTest::sunEc);
    }

    @Test
    void bouncyCastle_refuses_small_order_keys_and_non_canonical_encodings_and_accepts_any_small_order_r() throws Exception {
        final Set<String> recorded = new TreeSet<>(THE_NEUTRAL_R);
        // BouncyCastle checks [8][S]B = [8]R + [8][k]A (the cofactored equation, which batch verification also uses),
        // so R + T for any T of small order passes with the S of R. Only the key's owner can make such a signature (S =
        // k·a needs the secret a; another R changes k): a signer can write one message's signature in 8 ways, as it can
        // in any number of ways by choosing another nonce. No one else can forge or alter one.
        for (String name : SMALL_ORDER.values()) {
            recorded.add("small-order R, " + name + "; real key, S = k·a");
        }
        assertEquals(recorded, accepted(Ed25519StrictnessTest::bouncyCastle));
        assertAuroraVerdicts(Ed25519StrictnessTest::bouncyCastle);
    }

    @Test
    void system_libsodium_refuses_every_case_but_the_valid_one() throws Exception {
        assumeTrue(LibSodium.missing() == null, LibSodium::missing);
        assertTrue(LibSodium.sodium_version_string().startsWith("1.0."), LibSodium.sodium_version_string());
        assertEquals(Set.of("valid signature"), accepted(LibSodium::verify));
        assertAuroraVerdicts(LibSodium::verify);
    }

    @Test
    void lazysodium_bundled_refuses_every_case_but_the_valid_one() throws Exception {
        final LazySodiumJava lazy;
        try {
            lazy = LibSodium.bundled();
        } catch (RuntimeException | LinkageError e) {
            assumeTrue(false, "lazysodium bundles no libsodium for this platform: " + e);
            return;
        }
        final Verifier verifier = (key, message, signature) -> lazy.cryptoSignVerifyDetached(signature, message, message.length, key);
        assertEquals(Set.of("valid signature"), accepted(verifier));
        assertAuroraVerdicts(verifier);
    }
}
