package org.summoner.relay.identity;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;

/**
 * Ed25519 with raw 32-byte public keys, as Aurora shares them, over the JDK's own implementation (SunEC, Java 15+):
 * a raw key is given the fixed X.509 header of an Ed25519 key. No cryptography is written here. Thread-safe; each call
 * takes its own {@link Signature}.
 */
final class Ed25519 {
    /** SubjectPublicKeyInfo of an Ed25519 key (RFC 8410) without its 32 key bytes. */
    private static final byte[] X509_HEADER = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};
    static final int KEY_BYTES = 32;
    static final int SIGNATURE_BYTES = 64;

    private Ed25519() {
    }

    /** @return whether {@code signature} is {@code key}'s Ed25519 signature of {@code message}. */
    static boolean verify(byte[] key, byte[] message, byte[] signature) {
        try {
            final Signature verifier = Signature.getInstance("Ed25519");
            verifier.initVerify(publicKey(key));
            verifier.update(message);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false; // a key that is not a point of the curve, or a malformed signature: not valid
        }
    }

    static byte[] sign(PrivateKey key, byte[] message) {
        try {
            final Signature signer = Signature.getInstance("Ed25519");
            signer.initSign(key);
            signer.update(message);
            return signer.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK cannot sign with Ed25519", e);
        }
    }

    static PublicKey publicKey(byte[] raw) throws GeneralSecurityException {
        final byte[] encoded = Arrays.copyOf(X509_HEADER, X509_HEADER.length + KEY_BYTES);
        System.arraycopy(raw, 0, encoded, X509_HEADER.length, KEY_BYTES);
        return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(encoded));
    }

    /** @return the raw 32 bytes of an X.509-encoded Ed25519 or X25519 public key. */
    static byte[] raw(PublicKey key) {
        final byte[] encoded = key.getEncoded();
        return Arrays.copyOfRange(encoded, encoded.length - KEY_BYTES, encoded.length);
    }
}
