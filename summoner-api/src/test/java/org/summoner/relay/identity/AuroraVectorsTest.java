package org.summoner.relay.identity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.summoner.relay.wire.Rejection;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every case of {@code aurora-v1.json} (made by the Aurora reference library; a copy of the project's
 * {@code shared/vectors}): the verdict, the reason, the fingerprints and the bytes each signature covers must be
 * Aurora's. The lenient cases Aurora accepts ({@code aurora_quirks}) must be refused, for the reason SPEC section 8
 * gives.
 */
class AuroraVectorsTest {
    private static final JsonNode VECTORS = load();

    private static JsonNode load() {
        try (InputStream in = AuroraVectorsTest.class.getResourceAsStream("/aurora/aurora-v1.json")) {
            return new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] wire(JsonNode testCase) throws Exception {
        final byte[] line = testCase.get("line").textValue().getBytes(StandardCharsets.UTF_8);
        assertEquals(testCase.get("line_utf8_sha256").textValue(), sha256(line), "the line's bytes are the vector's");
        return line;
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    private static AuroraVerifier verifierFor(JsonNode testCase) {
        final JsonNode root = testCase.get("envelope_root");
        return new AuroraVerifier(root == null || root.isNull() ? AuroraVerifier.Paths.DEFAULTS
                : AuroraVerifier.Paths.of(root.textValue(), "from", "to", "sig", "from.pub_sig_b64", "from.sig"));
    }

    private static String fingerprintOf(String name) {
        for (JsonNode identity : VECTORS.get("identities")) {
            if (identity.get("name").textValue().equals(name)) {
                return identity.get("fingerprint").textValue();
            }
        }
        throw new IllegalArgumentException(name);
    }

    @TestFactory
    List<DynamicTest> every_case_gets_auroras_verdict_reason_and_fingerprints() {
        final List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode testCase : VECTORS.get("cases")) {
            tests.add(DynamicTest.dynamicTest(testCase.get("name").textValue(), () -> {
                final byte[] line = wire(testCase);
                final AuroraVerifier.Verdict verdict = verifierFor(testCase).verify(line, 0, line.length,
                        AuroraVerifier.SenderCheck.ANYONE, null);
                if (testCase.get("expect").textValue().equals("valid")) {
                    assertTrue(verdict.valid(), () -> "valid, not " + verdict);
                    assertEquals(testCase.get("sender_fingerprint").textValue(), verdict.sender());
                    assertEquals(fingerprintOf(testCase.get("sender").textValue()), verdict.sender());
                    final JsonNode receiver = testCase.get("receiver_fingerprint");
                    assertEquals(receiver == null || receiver.isNull() ? null : receiver.textValue(), verdict.receiver());
                    assertEquals(testCase.get("envelope_core_sha256").textValue(), sha256(AuroraVerifier.signedCore(verdict.envelope())));
                    @SuppressWarnings("unchecked")
                    final Map<String, Object> from = (Map<String, Object>) verdict.envelope().get("from");
                    assertEquals(testCase.get("from_core_sha256").textValue(), sha256(AuroraVerifier.identityCore(from)));
                } else {
                    final String expected = testCase.get("reason").textValue();
                    assertEquals(expected, verdict.valid() ? "valid" : verdict.rejection().code(), () -> verdict.toString());
                    final String firstFailure = testCase.get("fails").get(0).textValue();
                    final String field = firstFailure.contains(":") ? firstFailure.substring(firstFailure.indexOf(':') + 1) : "";
                    assertEquals(field, verdict.field(), "the field that failed first");
                }
            }));
        }
        assertEquals(59, tests.size());
        return tests;
    }

    /** SPEC section 8: duplicate keys and NaN are not JSON; loose base64 is the key's or the signature's failure. */
    @TestFactory
    List<DynamicTest> every_lenient_case_aurora_accepts_is_refused() {
        final Map<String, Rejection> expected = Map.of(
                "duplicate_key", Rejection.NOT_JSON,
                "missing_field", Rejection.MISSING_FIELD,
                "not_json", Rejection.NOT_JSON,
                "bad_key_length", Rejection.BAD_KEY_LENGTH);
        final List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode quirk : VECTORS.get("aurora_quirks")) {
            tests.add(DynamicTest.dynamicTest(quirk.get("name").textValue(), () -> {
                assertEquals("valid", quirk.get("aurora_verdict").textValue());
                assertEquals("invalid", quirk.get("strict_verdict").textValue());
                final byte[] line = wire(quirk);
                final AuroraVerifier.Verdict verdict = verifierFor(quirk).verify(line, 0, line.length,
                        AuroraVerifier.SenderCheck.ANYONE, null);
                final String strictReason = quirk.get("strict_reason").textValue();
                // A signature spelled loosely fails as the signature it is: its length is not a strict 64 bytes.
                final Rejection reason = strictReason.equals("bad_base64") ? Rejection.BAD_SIGNATURE_LENGTH : expected.get(strictReason);
                assertNotNull(reason, strictReason);
                assertEquals(reason, verdict.rejection(), verdict::toString);
            }));
        }
        return tests;
    }

    @Test
    void identity_fingerprints_and_signed_cores_are_auroras() throws Exception {
        for (JsonNode identity : VECTORS.get("identities")) {
            final Object record = Json.parse(identity.get("public_id").toString().getBytes(StandardCharsets.UTF_8), 0,
                    identity.get("public_id").toString().getBytes(StandardCharsets.UTF_8).length);
            @SuppressWarnings("unchecked")
            final Map<String, Object> fields = (Map<String, Object>) record;
            assertEquals(identity.get("signed_core").textValue(),
                    new String(AuroraVerifier.identityCore(fields), StandardCharsets.US_ASCII), identity.get("name").textValue());
            assertEquals(identity.get("fingerprint").textValue(),
                    Fingerprint.of(Base64Strict.decode((String) fields.get("pub_sig_b64"))));
        }
    }

    @Test
    void a_record_and_envelope_made_here_verify_as_auroras_do() {
        final AuroraSigner alice = AuroraSigner.generate(Map.of("name", "alice", "n", 1));
        final AuroraSigner bob = AuroraSigner.generate(null);
        final String line = alice.seal(Map.of("text", "héllo", "x", 0.1), Map.of("ts", 1), bob.publicId());
        final byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
        final AuroraVerifier.Verdict verdict = new AuroraVerifier(AuroraVerifier.Paths.DEFAULTS)
                .verify(bytes, 0, bytes.length, AuroraVerifier.SenderCheck.ANYONE, null);
        assertTrue(verdict.valid(), verdict::toString);
        assertEquals(alice.fingerprint(), verdict.sender());
        assertEquals(bob.fingerprint(), verdict.receiver());
    }

    @Test
    void an_exported_identity_restores_to_one_that_signs_as_the_original() {
        final AuroraSigner original = AuroraSigner.generate(Map.of("name", "kept"));
        final AuroraSigner restored = AuroraSigner.restore(original.export());
        assertEquals(original.fingerprint(), restored.fingerprint());
        assertEquals(original.publicId(), restored.publicId());
        final String line = restored.seal("hi", null);
        final byte[] bytes = line.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(original.fingerprint(), new AuroraVerifier(AuroraVerifier.Paths.DEFAULTS)
                .verify(bytes, 0, bytes.length, AuroraVerifier.SenderCheck.ANYONE, null).sender());
        final String mismatched = original.export().replace((String) original.publicId().get("pub_sig_b64"),
                (String) AuroraSigner.generate(null).publicId().get("pub_sig_b64"));
        assertEquals("the signing key does not match the record's pub_sig_b64", assertThrows(IllegalArgumentException.class, () -> AuroraSigner.restore(mismatched)).getMessage());
    }
}
