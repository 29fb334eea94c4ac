package org.summoner.relay.identity;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.summoner.relay.fuzz.AuroraVectors;
import org.summoner.relay.fuzz.IdentityPool;
import org.summoner.relay.fuzz.KnownFindings;
import org.summoner.relay.fuzz.PathPresets;
import org.summoner.relay.fuzz.Violation;
import org.summoner.relay.wire.Rejection;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Coverage-guided fuzzing of {@link AuroraVerifier} alone: any line, with any {@code dedicated_relay.paths} the
 * config could name (the presets of {@link PathPresets}, or dot paths of fuzzer-chosen names), any sender policy,
 * with and without an identity memo. Seeded with every line of the Aurora vectors ({@code cases} and
 * {@code aurora_quirks}), so the fuzzer starts from valid and subtly invalid envelopes.
 *
 * <p>Invariants, on every input: the verifier returns a verdict and never throws; a verdict is well-formed (valid
 * exactly when it has no rejection; a valid one names a well-formed sender fingerprint and the envelope, an invalid one
 * the field); the line and its parsed value get the same verdict; an {@link IdentityMemo}, fresh or warmed by other
 * lines, never changes a verdict; a sender policy only ever refuses more; a valid verdict's fingerprints are those
 * of the keys at the configured paths (computed here) and belong to identities whose keys signed something the
 * fuzzer has (the vectors' or the pool's): any other is a forgery; an unchanged vector line with its own paths gets
 * the vector's verdict.
 *
 * <p>Input layout ({@link FuzzedDataProvider}): its last byte chooses the paths (low 3 bits: a preset; bit 3: names
 * read from the start of the input instead), the sender policy (bit 4), the memo (bits 5 and 6) and whether one key of
 * the envelope is renamed before the line is verified (bit 7: {@link #renameKey}); the byte before it says which key,
 * the one before that to what; the rest of the input is the line. A seed is therefore a vector line followed by
 * {@code 00 00 00} for a line that is the envelope, {@code 00 00 01} for one wrapped in {@code _payload}.
 */
final class AuroraVerifierFuzzTarget {
    private static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    /** The vector lines by their bytes (ISO-8859-1 text): their expected verdict with their own envelope root. */
    private static final Map<String, Expected> VECTORS = expectations();
    /** A line the pool signed, verified first to warm a memo. */
    private static final byte[] WARM_UP = IdentityPool.SIGNERS.get(0)
            .seal("warm", null, IdentityPool.SIGNERS.get(1).publicId()).getBytes(StandardCharsets.US_ASCII);
    /** Names a key may be renamed to ({@link #renameKey}): those of the envelope and of the path presets. */
    private static final String[] RENAMES = {"from", "to", "sig", "sender", "recipient", "signature", "key", "payload",
            "session_proof", "v", "meta"};
    private static long inputs;

    private record Expected(String root, boolean valid, String reason) {
    }

    @FuzzTest(maxDuration = "60s")
    @DictionaryEntries({"\"v\":\"env.v1\"", "\"id.v1\"", "\"from\"", "\"to\"", "\"sig\"", "\"payload\"", "\"session_proof\"",
            "\"pub_sig_b64\"", "\"pub_enc_b64\"", "\"created_at\"", "\"meta\"", "\"_payload\"", "null", "NaN", "1e+16", "-0.0",
            "\"sender\"", "\"recipient\"", "\"signature\"", "\"key\"", "=="})
    void verifier_returns_a_well_formed_verdict_for_any_line_and_paths_and_never_throws(FuzzedDataProvider data) {
        inputs++;
        final int choice = data.consumeInt(0, 255);
        final int renamed = data.consumeInt(0, 255);
        final String newName = RENAMES[data.consumeInt(0, 255) % RENAMES.length];
        final String[] paths = (choice & 0x08) == 0 ? PathPresets.PRESETS.get(choice & 0x07) : fuzzedPaths(data);
        final AuroraVerifier verifier = new AuroraVerifier(AuroraVerifier.Paths.of(paths[0], paths[1], paths[2], paths[3],
                paths[4], paths[5]));
        final String refusedFingerprint = IdentityPool.legitimateFingerprints().stream().sorted().findFirst().orElseThrow();
        final AuroraVerifier.SenderCheck policy = (choice & 0x10) == 0 ? AuroraVerifier.SenderCheck.ANYONE
                : fingerprint -> fingerprint.equals(refusedFingerprint) ? Rejection.SENDER_NOT_ALLOWED : null;
        final byte[] line = (choice & 0x80) == 0 ? data.consumeRemainingAsBytes()
                : renameKey(data.consumeRemainingAsBytes(), paths[0], renamed, newName);

        final AuroraVerifier.Verdict plain = verify(verifier, line, policy, null);
        if (plain == null) {
            return; // a tolerated known finding
        }
        checkWellFormed(plain, line);
        checkFingerprints(plain, paths, line);

        final IdentityMemo memo = new IdentityMemo();
        if ((choice & 0x20) != 0) {
            verify(verifier, WARM_UP, AuroraVerifier.SenderCheck.ANYONE, memo);
        }
        if ((choice & 0x40) != 0) {
            verify(verifier, line, policy, memo);
        }
        same(plain, verify(verifier, line, policy, memo), "a memo changed the verdict", line);
        try {
            same(plain, verifier.verify(Json.parse(line, 0, line.length), policy, null), "the parsed line got another verdict", line);
        } catch (Json.NotJson e) {
            check(plain.rejection() == Rejection.NOT_JSON, "parse", () -> "a line Json cannot parse got " + plain.rejection());
        } catch (Throwable error) {
            KnownFindings.tolerate(error, "AuroraVerifier.verify(Object)", inputs);
        }
        if (policy != AuroraVerifier.SenderCheck.ANYONE) {
            final AuroraVerifier.Verdict anyone = verify(verifier, line, AuroraVerifier.SenderCheck.ANYONE, null);
            check(anyone == null || plain.valid() == (anyone.valid() && !refusedFingerprint.equals(anyone.sender())), "policy",
                    () -> "a sender policy changed the verdict beyond refusing " + refusedFingerprint + ": " + plain + " vs " + anyone);
        }
        final Expected expected = VECTORS.get(new String(line, StandardCharsets.ISO_8859_1));
        if (expected != null && Objects.equals(paths[0], expected.root()) && isDefaultBesidesRoot(paths)
                && policy == AuroraVerifier.SenderCheck.ANYONE) {
            check(plain.valid() == expected.valid() && (expected.valid() || plain.rejection().code().equals(expected.reason())),
                    "vector", () -> "a vector line got " + plain.rejection() + ", the vector says " + (expected.valid() ? "valid" : expected.reason()));
        }
    }

    /** @return the verdict, or null when it threw a tolerated known finding; anything else fails. */
    private static AuroraVerifier.Verdict verify(AuroraVerifier verifier, byte[] line, AuroraVerifier.SenderCheck policy, IdentityMemo memo) {
        try {
            final AuroraVerifier.Verdict verdict = verifier.verify(line, 0, line.length, policy, memo);
            check(verdict != null, "verdict", () -> "a null verdict");
            return verdict;
        } catch (Violation violation) {
            throw violation;
        } catch (Throwable error) {
            KnownFindings.tolerate(error, "AuroraVerifier.verify", inputs);
            return null;
        }
    }

    private static void checkWellFormed(AuroraVerifier.Verdict verdict, byte[] line) {
        if (verdict.valid()) {
            check(Fingerprint.isWellFormed(verdict.sender()) && verdict.envelope() != null && verdict.field() == null
                    && (verdict.receiver() == null || Fingerprint.isWellFormed(verdict.receiver())), "verdict",
                    () -> "a valid verdict without a well-formed sender, receiver or envelope: " + verdict);
            check(IdentityPool.legitimateFingerprints().contains(verdict.sender()), "forgery", () -> "valid with sender "
                    + verdict.sender() + ", whose key signed nothing the fuzzer has: " + new String(line, StandardCharsets.UTF_8));
        } else {
            check(verdict.rejection() != null && verdict.field() != null, "verdict", () -> "an invalid verdict without its field: " + verdict);
        }
    }

    /** A valid verdict's fingerprints are those of the keys at the configured paths, computed here with Jackson. */
    private static void checkFingerprints(AuroraVerifier.Verdict verdict, String[] paths, byte[] line) {
        if (!verdict.valid()) {
            return;
        }
        final JsonNode envelope = at(parse(line), PathPresets.split(paths[0]));
        final String sender = fingerprintOf(at(envelope, PathPresets.split(paths[4])));
        check(verdict.sender().equals(sender), "fingerprint", () -> "sender " + verdict.sender() + " but the key at " + paths[4]
                + " is " + sender);
        final JsonNode to = at(envelope, PathPresets.split(paths[2]));
        final String receiver = to == null || to.isNull() ? null : fingerprintOf(to.get("pub_sig_b64"));
        check(Objects.equals(verdict.receiver(), receiver), "fingerprint", () -> "receiver " + verdict.receiver()
                + " but the record at " + paths[2] + " has " + receiver);
    }

    private static void same(AuroraVerifier.Verdict expected, AuroraVerifier.Verdict actual, String what, byte[] line) {
        if (actual == null) {
            return;
        }
        check(expected.rejection() == actual.rejection() && Objects.equals(expected.sender(), actual.sender())
                        && Objects.equals(expected.receiver(), actual.receiver()), "consistency",
                () -> what + ": " + expected + " then " + actual + " for " + new String(line, StandardCharsets.UTF_8));
    }

    private static boolean isDefaultBesidesRoot(String[] paths) {
        final String[] defaults = PathPresets.PRESETS.get(0);
        for (int i = 1; i < defaults.length; i++) {
            if (!defaults[i].equals(paths[i])) {
                return false;
            }
        }
        return true;
    }

    /** Dot paths of names from the input, as the config accepts them: non-empty names; the root may be empty. */
    private static String[] fuzzedPaths(FuzzedDataProvider data) {
        final String[] paths = new String[6];
        for (int i = 0; i < paths.length; i++) {
            final int names = data.consumeInt(i == 0 ? 0 : 1, 3);
            final List<String> parts = new ArrayList<>();
            for (int n = 0; n < names; n++) {
                String name = data.consumeString(12).replace(".", "");
                if (name.isEmpty()) {
                    name = data.pickValue(new String[]{"from", "to", "sig", "pub_sig_b64", "_payload", "sender", "v", "payload"});
                }
                parts.add(name);
            }
            paths[i] = String.join(".", parts);
        }
        return paths;
    }

    private static Map<String, Expected> expectations() {
        final Map<String, Expected> expected = new HashMap<>();
        for (JsonNode testCase : AuroraVectors.document().get("cases")) {
            final JsonNode root = testCase.get("envelope_root");
            final JsonNode reason = testCase.get("reason");
            expected.put(new String(testCase.get("line").textValue().getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1),
                    new Expected(root == null || root.isNull() ? "" : root.textValue(), testCase.get("expect").textValue().equals("valid"),
                            reason == null || reason.isNull() ? null : reason.textValue()));
        }
        for (JsonNode quirk : AuroraVectors.document().get("aurora_quirks")) {
            final JsonNode root = quirk.get("envelope_root");
            expected.put(new String(quirk.get("line").textValue().getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1),
                    new Expected(root == null || root.isNull() ? "" : root.textValue(), quirk.get("strict_verdict").textValue().equals("valid"),
                            strictCode(quirk.get("strict_reason").textValue())));
        }
        return Map.copyOf(expected);
    }

    /**
     * The one structure-aware mutation: a key of the envelope (at the root path) renamed to another name a config may
     * use, the rest of the line kept as parsed. Byte mutations of a signed line almost never turn {@code "from"} into
     * {@code "sender"} in one step; an envelope laid out for other paths than the verifier's needs exactly that.
     */
    private static byte[] renameKey(byte[] line, String root, int which, String name) {
        final JsonNode parsed = parse(line);
        final JsonNode envelope = at(parsed, PathPresets.split(root));
        if (envelope == null || !envelope.isObject() || envelope.isEmpty()) {
            return line;
        }
        final com.fasterxml.jackson.databind.node.ObjectNode object = (com.fasterxml.jackson.databind.node.ObjectNode) envelope;
        final List<String> keys = new ArrayList<>();
        object.fieldNames().forEachRemaining(keys::add);
        final String key = keys.get(which % keys.size());
        final JsonNode value = object.remove(key);
        object.set(name, value);
        try {
            return JSON.writeValueAsBytes(parsed);
        } catch (IOException e) {
            return line;
        }
    }

    /** SPEC 8: a duplicate key is not JSON; a loosely spelled signature fails as its length (as AuroraVectorsTest reads them). */
    private static String strictCode(String strictReason) {
        return switch (strictReason) {
            case "duplicate_key" -> Rejection.NOT_JSON.code();
            case "bad_base64" -> Rejection.BAD_SIGNATURE_LENGTH.code();
            default -> strictReason;
        };
    }

    private static JsonNode parse(byte[] line) {
        try {
            return JSON.readTree(line);
        } catch (IOException e) {
            return null;
        }
    }

    private static JsonNode at(JsonNode node, List<String> path) {
        JsonNode at = node;
        for (String key : path) {
            if (at == null || !at.isObject()) {
                return null;
            }
            at = at.get(key);
        }
        return at;
    }

    private static String fingerprintOf(JsonNode key) {
        if (key == null || !key.isTextual()) {
            return null;
        }
        try {
            final byte[] raw = Base64.getDecoder().decode(key.textValue());
            final byte[] hash = MessageDigest.getInstance("SHA-256").digest(raw);
            return Base64.getUrlEncoder().withoutPadding().encodeToString(hash).substring(0, 22);
        } catch (IllegalArgumentException | NoSuchAlgorithmException e) {
            return null;
        }
    }

    private static void check(boolean holds, String rule, java.util.function.Supplier<String> message) {
        if (!holds) {
            KnownFindings.tolerate(new Violation(rule, message.get()), inputs);
        }
    }
}
