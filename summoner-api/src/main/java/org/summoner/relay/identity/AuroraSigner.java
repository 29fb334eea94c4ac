package org.summoner.relay.identity;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An agent identity made and used as Aurora makes them (SPEC section 8): an Ed25519 signing key and an X25519
 * encryption key, the self-signed record {@code {created_at, pub_enc_b64, pub_sig_b64, meta?, sig, v: "id.v1"}},
 * and envelopes {@code {v: "env.v1", payload, session_proof, from, to, sig}} signed over their canonical JSON. For
 * Java agents and for tests; the relay itself only verifies ({@link AuroraVerifier}). It never encrypts a payload:
 * a payload is whatever JSON value the caller gives (Aurora's directed envelopes carry AES-GCM ciphertext).
 *
 * <p>Immutable and thread-safe.
 */
public final class AuroraSigner {
    private static final DateTimeFormatter CREATED_AT = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssxxx");
    private static final SecureRandom NONCES = new SecureRandom();

    private final PrivateKey signingKey;
    private final Map<String, Object> publicId;
    private final String fingerprint;

    private AuroraSigner(PrivateKey signingKey, Map<String, Object> publicId, String fingerprint) {
        this.signingKey = signingKey;
        this.publicId = publicId;
        this.fingerprint = fingerprint;
    }

    /** A new identity; {@code meta} (any JSON-like value, or null for none) is signed with the keys. */
    public static AuroraSigner generate(Object meta) {
        try {
            final KeyPair signing = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
            final KeyPair encryption = KeyPairGenerator.getInstance("X25519").generateKeyPair();
            final byte[] signingPublic = Ed25519.raw(signing.getPublic());
            final Map<String, Object> record = new LinkedHashMap<>();
            record.put("created_at", OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.SECONDS).format(CREATED_AT));
            record.put("pub_enc_b64", Base64Strict.encode(Ed25519.raw(encryption.getPublic())));
            record.put("pub_sig_b64", Base64Strict.encode(signingPublic));
            if (meta != null) {
                record.put("meta", Json.of(meta));
            }
            record.put("sig", Base64Strict.encode(Ed25519.sign(signing.getPrivate(), AuroraVerifier.identityCore(record))));
            record.put("v", AuroraVerifier.IDENTITY_VERSION);
            return new AuroraSigner(signing.getPrivate(), record, Fingerprint.of(signingPublic));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK cannot make Ed25519 and X25519 keys", e);
        }
    }

    /**
     * @return this identity as one line of JSON to keep and {@link #restore} later, in another process:
     *         {@code {"public_id": <the record>, "signing_key_pkcs8_b64": <the Ed25519 private key>}}. Secret: whoever
     *         reads it can sign as this identity.
     */
    public String export() {
        final Map<String, Object> exported = new LinkedHashMap<>();
        exported.put("public_id", publicId);
        exported.put("signing_key_pkcs8_b64", Base64Strict.encode(signingKey.getEncoded()));
        return new String(Json.canonical(exported), StandardCharsets.US_ASCII);
    }

    /**
     * @return the identity {@link #export()} wrote.
     * @throws IllegalArgumentException when the text is not one, or its key does not match its record.
     */
    @SuppressWarnings("unchecked")
    public static AuroraSigner restore(String exported) {
        try {
            final byte[] bytes = exported.strip().getBytes(StandardCharsets.UTF_8);
            final Map<String, Object> fields = (Map<String, Object>) Json.parse(bytes, 0, bytes.length);
            final Map<String, Object> record = (Map<String, Object>) fields.get("public_id");
            final byte[] pkcs8 = Base64Strict.decode((String) fields.get("signing_key_pkcs8_b64"));
            final PrivateKey key = KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
            final byte[] publicKey = Base64Strict.decode((String) record.get("pub_sig_b64"));
            final byte[] probe = "summoner".getBytes(StandardCharsets.US_ASCII);
            if (!Ed25519.verify(publicKey, probe, Ed25519.sign(key, probe))) {
                throw new IllegalArgumentException("the signing key does not match the record's pub_sig_b64");
            }
            return new AuroraSigner(key, record, Fingerprint.of(publicKey));
        } catch (Json.NotJson | ClassCastException | NullPointerException | GeneralSecurityException e) {
            throw new IllegalArgumentException("not an identity exported by AuroraSigner.export(): " + e, e);
        }
    }

    /** @return the public identity record, as others receive it (a JSON object of {@link Json} values). */
    public Map<String, Object> publicId() {
        return publicId;
    }

    public String fingerprint() {
        return fingerprint;
    }

    /**
     * @return a session proof as Aurora's senders make one, enough for the relay's freshness and replay rules:
     *         {@code {"ts": <seconds since the epoch, now>, "0_nonce": <16 random bytes in hex>}} (Aurora adds its
     *         session fields, which the relay does not read).
     */
    public static Map<String, Object> freshSessionProof() {
        final byte[] nonce = new byte[16];
        NONCES.nextBytes(nonce);
        final StringBuilder hex = new StringBuilder(32);
        for (byte b : nonce) {
            hex.append(Character.forDigit(b >> 4 & 0xF, 16)).append(Character.forDigit(b & 0xF, 16));
        }
        final Map<String, Object> proof = new LinkedHashMap<>();
        proof.put("ts", System.currentTimeMillis() / 1000);
        proof.put("0_nonce", hex.toString());
        return proof;
    }

    /** @return {@link #seal(Object, Object, Map)} with a {@link #freshSessionProof()}: what an agent sends now. */
    public String seal(Object payload, Map<String, Object> to) {
        return seal(payload, freshSessionProof(), to);
    }

    /**
     * @param payload      the payload (any JSON-like value; null for JSON null).
     * @param sessionProof Aurora's session proof (any JSON-like value; null for JSON null); the relay accepts an
     *                     envelope only while its {@code ts} is fresh and only once ({@link #freshSessionProof()}).
     * @param to           the receiver's public record, or null for an envelope to no one in particular.
     * @return the envelope as one line of JSON, without its {@code \n}.
     */
    public String seal(Object payload, Object sessionProof, Map<String, Object> to) {
        final Map<String, Object> envelope = envelope(payload, sessionProof, to);
        return new String(Json.canonical(envelope), StandardCharsets.US_ASCII);
    }

    /** @return the signed envelope as a map of {@link Json} values, e.g. to wrap it before sending. */
    public Map<String, Object> envelope(Object payload, Object sessionProof, Map<String, Object> to) {
        final Map<String, Object> envelope = new LinkedHashMap<>();
        envelope.put("v", AuroraVerifier.ENVELOPE_VERSION);
        envelope.put("payload", Json.of(payload));
        envelope.put("session_proof", Json.of(sessionProof));
        envelope.put("from", publicId);
        envelope.put("to", to == null ? Json.NULL : to);
        envelope.put("sig", Base64Strict.encode(Ed25519.sign(signingKey, AuroraVerifier.signedCore(envelope))));
        return envelope;
    }
}
