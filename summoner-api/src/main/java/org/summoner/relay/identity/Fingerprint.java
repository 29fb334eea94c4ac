package org.summoner.relay.identity;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * An agent's fingerprint (SPEC section 8): base64url of the SHA-256 of its raw 32-byte Ed25519 signing key, without
 * padding, its first 22 characters. Stateless and thread-safe.
 */
public final class Fingerprint {
    /** What a fingerprint looks like: 22 base64url characters. */
    public static final Pattern FORM = Pattern.compile("[A-Za-z0-9_-]{22}");
    public static final int LENGTH = 22;

    private Fingerprint() {
    }

    /** @return the fingerprint of a raw Ed25519 public key. */
    public static String of(byte[] signingKey) {
        final MessageDigest sha256;
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
        return Base64.getUrlEncoder().withoutPadding().encodeToString(sha256.digest(signingKey)).substring(0, LENGTH);
    }

    /** @return whether {@code text} has the form of a fingerprint. */
    public static boolean isWellFormed(String text) {
        return text != null && FORM.matcher(text).matches();
    }
}
