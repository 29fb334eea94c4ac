package org.summoner.relay.identity;

import org.summoner.relay.wire.Rejection;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks a signed envelope as the Summoner Aurora identity library signs it (SPEC section 8), strictly. The checks
 * run in Aurora's order and the first that fails is the verdict: the JSON text; the envelope's structure
 * ({@code v}, fields, types); the sender's identity record (its fields, version, key lengths, then its signature);
 * the receiver's record when {@code to} is not null; the envelope signature over the canonical JSON of
 * {@code {v, payload, session_proof, from, to}}. A {@link SenderCheck} may refuse the sender once its fingerprint is
 * known, before any signature is checked (the cheap policy checks first).
 *
 * <p>Where the parts are is configurable ({@link Paths}, {@code dedicated_relay.paths}); what Aurora signs is not.
 * The payload is never decrypted and session continuity is not checked: those are the agents' business.
 *
 * <p>Thread-safe. It remembers the results of its signature checks, keyed by the exact bytes checked
 * ({@link SignatureCache}, bounded), so a line seen before costs a hash rather than a check; a caller that sees the
 * same identity record on every line of a connection keeps its own memo too ({@link IdentityMemo}), which also counts
 * the checks computed for it.
 */
public final class AuroraVerifier {
    /** The envelope's version, and an identity record's. */
    static final String ENVELOPE_VERSION = "env.v1";
    static final String IDENTITY_VERSION = "id.v1";
    private static final String[] RECORD_STRINGS = {"created_at", "pub_enc_b64", "pub_sig_b64", "sig", "v"};

    /**
     * Where the parts of a signed envelope are, as dot paths: {@code root} locates the envelope in the line (empty:
     * the line itself; {@code _payload} for the Summoner SDK's typed wrapper), the others are inside the envelope.
     */
    public record Paths(List<String> root, List<String> senderIdentity, List<String> receiverIdentity,
                        List<String> envelopeSignature, List<String> senderSigningKey, List<String> senderIdentitySignature) {
        /** Summoner's defaults: the line is the envelope; {@code from}, {@code to}, {@code sig}, {@code from.pub_sig_b64}, {@code from.sig}. */
        public static final Paths DEFAULTS = of("", "from", "to", "sig", "from.pub_sig_b64", "from.sig");

        public static Paths of(String root, String senderIdentity, String receiverIdentity, String envelopeSignature,
                               String senderSigningKey, String senderIdentitySignature) {
            return new Paths(split(root), split(senderIdentity), split(receiverIdentity), split(envelopeSignature),
                    split(senderSigningKey), split(senderIdentitySignature));
        }

        private static List<String> split(String path) {
            return path.isEmpty() ? List.of() : List.of(path.split("\\.", -1));
        }
    }

    /**
     * A policy on a well-formed envelope, asked after the sender check and before any signature is checked (so that
     * what it refuses costs no signature check): the relay's freshness and replay rules.
     */
    @FunctionalInterface
    public interface EnvelopeCheck {
        /**
         * @param envelopeSignature the envelope signature's 64 bytes, or null when it is not well formed (the verdict
         *                          will say so).
         * @return null to go on, or why the envelope is refused.
         */
        Rejection check(Map<String, Object> envelope, byte[] envelopeSignature);

        EnvelopeCheck NONE = (envelope, signature) -> null;
    }

    /** A policy on the sender, asked once its fingerprint is known and before its signatures are checked. */
    @FunctionalInterface
    public interface SenderCheck {
        /** @return null to go on, or why the sender is refused. */
        Rejection check(String senderFingerprint);

        SenderCheck ANYONE = fingerprint -> null;
    }

    /**
     * The verdict: valid (no {@code rejection}) with the sender's fingerprint and the receiver's (null when
     * {@code to} is null), the envelope and its signature's bytes; or the first check that failed and the field it
     * failed on.
     */
    public record Verdict(Rejection rejection, String field, String sender, String receiver, Map<String, Object> envelope,
                          byte[] envelopeSignature) {
        public boolean valid() {
            return rejection == null && this != PENDING;
        }

        /**
         * @return whether the verdict waits for signature checks deferred by the caller's memo
         *         ({@link IdentityMemo#deferTo}): nothing is decided about the line yet.
         */
        public boolean pending() {
            return this == PENDING;
        }

        static Verdict failed(Rejection rejection, String field) {
            return new Verdict(rejection, field, null, null, null, null);
        }
    }

    /** The verdict of a line whose checks the memo deferred ({@link Verdict#pending()}): neither valid nor refused. */
    public static final Verdict PENDING = new Verdict(null, null, null, null, null, null);

    private final Paths paths;
    private final SignatureCache signatures = new SignatureCache();

    public AuroraVerifier(Paths paths) {
        this.paths = paths;
    }

    /** Parses and checks one line (valid UTF-8). */
    public Verdict verify(byte[] line, int offset, int length, SenderCheck senderCheck, IdentityMemo memo) {
        return verify(line, offset, length, senderCheck, EnvelopeCheck.NONE, memo);
    }

    /** Parses and checks one line (valid UTF-8), with the relay's checks of the envelope before its signatures. */
    public Verdict verify(byte[] line, int offset, int length, SenderCheck senderCheck, EnvelopeCheck envelopeCheck,
                          IdentityMemo memo) {
        final Object parsed;
        try {
            parsed = Json.parse(line, offset, length);
        } catch (Json.NotJson e) {
            return Verdict.failed(Rejection.NOT_JSON, "");
        }
        return verify(parsed, senderCheck, envelopeCheck, memo);
    }

    /** @return whether the line holds a value at the sender-identity path: it claims to be a signed envelope. */
    public boolean claimsSignature(Object parsedLine) {
        final Object envelope = at(parsedLine, paths.root());
        return envelope instanceof Map<?, ?> && at(envelope, paths.senderIdentity()) != null;
    }

    /** Checks a parsed line. */
    public Verdict verify(Object parsedLine, SenderCheck senderCheck, IdentityMemo memo) {
        return verify(parsedLine, senderCheck, EnvelopeCheck.NONE, memo);
    }

    /**
     * Checks a parsed line, with the relay's checks of the envelope before its signatures. With a memo that defers its
     * checks ({@link IdentityMemo#deferTo}), the verdict is {@link #PENDING} as soon as one was deferred: even a
     * failure found after it, since the deferred one, failing, would have been the verdict.
     */
    public Verdict verify(Object parsedLine, SenderCheck senderCheck, EnvelopeCheck envelopeCheck, IdentityMemo memo) {
        final Verdict verdict = check(parsedLine, senderCheck, envelopeCheck, memo);
        return memo != null && memo.deferred() ? PENDING : verdict;
    }

    @SuppressWarnings("unchecked")
    private Verdict check(Object parsedLine, SenderCheck senderCheck, EnvelopeCheck envelopeCheck, IdentityMemo memo) {
        if (!(parsedLine instanceof Map)) {
            return Verdict.failed(Rejection.NOT_OBJECT, "");
        }
        final Object located = at(parsedLine, paths.root());
        if (located == null) {
            return Verdict.failed(Rejection.MISSING_FIELD, join(paths.root()));
        }
        if (!(located instanceof Map)) {
            return Verdict.failed(Rejection.NOT_OBJECT, join(paths.root()));
        }
        final Map<String, Object> envelope = (Map<String, Object>) located;

        // The envelope's structure.
        final Object version = envelope.get("v");
        if (version == null) {
            return Verdict.failed(Rejection.MISSING_FIELD, "v");
        }
        if (!ENVELOPE_VERSION.equals(version)) {
            return Verdict.failed(Rejection.WRONG_VERSION, "v");
        }
        for (String field : new String[]{"payload", "session_proof"}) {
            if (!envelope.containsKey(field)) {
                return Verdict.failed(Rejection.MISSING_FIELD, field);
            }
        }
        final Object from = at(envelope, paths.senderIdentity());
        if (from == null) {
            return Verdict.failed(Rejection.MISSING_FIELD, join(paths.senderIdentity()));
        }
        final Object to = at(envelope, paths.receiverIdentity());
        if (to == null) {
            return Verdict.failed(Rejection.MISSING_FIELD, join(paths.receiverIdentity()));
        }
        final Object signature = at(envelope, paths.envelopeSignature());
        if (signature == null) {
            return Verdict.failed(Rejection.MISSING_FIELD, join(paths.envelopeSignature()));
        }
        if (!(from instanceof Map)) {
            return Verdict.failed(Rejection.WRONG_TYPE, join(paths.senderIdentity()));
        }
        if (to != Json.NULL && !(to instanceof Map)) {
            return Verdict.failed(Rejection.WRONG_TYPE, join(paths.receiverIdentity()));
        }
        if (!(signature instanceof String)) {
            return Verdict.failed(Rejection.WRONG_TYPE, join(paths.envelopeSignature()));
        }

        // The sender's identity.
        final Record sender = new Record((Map<String, Object>) from, join(paths.senderIdentity()),
                at(envelope, paths.senderSigningKey()), join(paths.senderSigningKey()),
                at(envelope, paths.senderIdentitySignature()), join(paths.senderIdentitySignature()));
        Verdict failure = sender.checkShape();
        if (failure != null) {
            return failure;
        }
        final Rejection refused = senderCheck.check(sender.fingerprint);
        if (refused != null) {
            return new Verdict(refused, join(paths.senderIdentity()), sender.fingerprint, null, envelope, null);
        }
        final byte[] envelopeSignature = Base64Strict.decode((String) signature);
        final boolean signatureShaped = envelopeSignature != null && envelopeSignature.length == Ed25519.SIGNATURE_BYTES;
        final Rejection unchecked = envelopeCheck.check(envelope, signatureShaped ? envelopeSignature : null);
        if (unchecked != null) {
            return new Verdict(unchecked, "session_proof", sender.fingerprint, null, envelope, null);
        }
        failure = sender.checkSignature(signatures, memo, true);
        if (failure != null) {
            return failure;
        }

        // The receiver's identity, when there is one.
        Record receiver = null;
        if (to != Json.NULL) {
            final String toPath = join(paths.receiverIdentity());
            final Map<String, Object> record = (Map<String, Object>) to;
            receiver = new Record(record, toPath, record.get("pub_sig_b64"), toPath + ".pub_sig_b64", record.get("sig"), toPath + ".sig");
            failure = receiver.checkShape();
            if (failure == null) {
                failure = receiver.checkSignature(signatures, memo, false);
            }
            if (failure != null) {
                return failure;
            }
        }

        // The envelope's own signature.
        if (!signatureShaped) {
            return Verdict.failed(Rejection.BAD_SIGNATURE_LENGTH, join(paths.envelopeSignature()));
        }
        if (!signatures.verify(sender.key, signedCore(envelope, from, to), envelopeSignature, memo)) {
            return Verdict.failed(Rejection.BAD_ENVELOPE_SIGNATURE, join(paths.envelopeSignature()));
        }
        return new Verdict(null, null, sender.fingerprint, receiver == null ? null : receiver.fingerprint, envelope, envelopeSignature);
    }

    /**
     * @return the canonical bytes the envelope signature covers, Aurora's {@code {v, payload, session_proof, from, to}},
     *         with {@code from} and {@code to} the identities found at the configured paths (an envelope whose
     *         identities sit elsewhere than {@code from} and {@code to} is signed over the same five fields).
     */
    static byte[] signedCore(Map<String, Object> envelope, Object from, Object to) {
        final Map<String, Object> core = new LinkedHashMap<>();
        core.put("v", envelope.get("v"));
        core.put("payload", envelope.get("payload"));
        core.put("session_proof", envelope.get("session_proof"));
        core.put("from", from);
        core.put("to", to);
        return Json.canonical(core);
    }

    /** @return {@link #signedCore(Map, Object, Object)} of an envelope with Aurora's own field names. */
    static byte[] signedCore(Map<String, Object> envelope) {
        return signedCore(envelope, envelope.get("from"), envelope.get("to"));
    }

    /** @return the canonical bytes an identity signature covers: its keys and date, and {@code meta} unless null. */
    static byte[] identityCore(Map<String, Object> record) {
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

    /** One identity record being checked. */
    private static final class Record {
        private final Map<String, Object> fields;
        private final String path;
        private final Object keyText;
        private final String keyPath;
        private final Object signatureText;
        private final String signaturePath;
        byte[] key;
        byte[] signature;
        String fingerprint;

        Record(Map<String, Object> fields, String path, Object keyText, String keyPath, Object signatureText, String signaturePath) {
            this.fields = fields;
            this.path = path;
            this.keyText = keyText;
            this.keyPath = keyPath;
            this.signatureText = signatureText;
            this.signaturePath = signaturePath;
        }

        /** Fields, types, version, key and signature lengths; then the fingerprint is known. */
        Verdict checkShape() {
            for (String field : RECORD_STRINGS) {
                final Object value = fields.get(field);
                if (value == null) {
                    return Verdict.failed(Rejection.MISSING_FIELD, path + "." + field);
                }
                if (!(value instanceof String) && !field.equals("v")) {
                    return Verdict.failed(Rejection.WRONG_TYPE, path + "." + field);
                }
            }
            if (keyText == null) {
                return Verdict.failed(Rejection.MISSING_FIELD, keyPath);
            }
            if (signatureText == null) {
                return Verdict.failed(Rejection.MISSING_FIELD, signaturePath);
            }
            if (!(keyText instanceof String)) {
                return Verdict.failed(Rejection.WRONG_TYPE, keyPath);
            }
            if (!(signatureText instanceof String)) {
                return Verdict.failed(Rejection.WRONG_TYPE, signaturePath);
            }
            if (!IDENTITY_VERSION.equals(fields.get("v"))) {
                return Verdict.failed(Rejection.WRONG_VERSION, path + ".v");
            }
            key = Base64Strict.decode((String) keyText);
            if (key == null || key.length != Ed25519.KEY_BYTES) {
                return Verdict.failed(Rejection.BAD_KEY_LENGTH, keyPath);
            }
            final byte[] encryptionKey = Base64Strict.decode((String) fields.get("pub_enc_b64"));
            if (encryptionKey == null || encryptionKey.length != Ed25519.KEY_BYTES) {
                return Verdict.failed(Rejection.BAD_KEY_LENGTH, path + ".pub_enc_b64");
            }
            signature = Base64Strict.decode((String) signatureText);
            if (signature == null || signature.length != Ed25519.SIGNATURE_BYTES) {
                return Verdict.failed(Rejection.BAD_SIGNATURE_LENGTH, signaturePath);
            }
            fingerprint = Fingerprint.of(key);
            return null;
        }

        Verdict checkSignature(SignatureCache signatures, IdentityMemo memo, boolean sender) {
            final byte[] core = identityCore(fields);
            if (memo != null && memo.remembers(sender, core, signature)) {
                return null;
            }
            if (!signatures.verify(key, core, signature, memo)) {
                return Verdict.failed(Rejection.BAD_IDENTITY_SIGNATURE, path);
            }
            if (memo != null) {
                memo.remember(sender, core, signature);
            }
            return null;
        }
    }

    private static Object at(Object value, List<String> path) {
        Object at = value;
        for (String key : path) {
            if (!(at instanceof Map<?, ?> map)) {
                return null;
            }
            at = map.get(key);
        }
        return at;
    }

    private static String join(List<String> path) {
        return String.join(".", path);
    }
}
