package org.summoner.relay.identity;

import org.bouncycastle.math.ec.rfc8032.Ed25519.PublicPoint;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Ed25519 with raw 32-byte public keys, as Aurora shares them. Verification is BouncyCastle's RFC 8032 code
 * ({@code org.bouncycastle.math.ec.rfc8032.Ed25519}, pure Java): 8 to 10 times as fast as the JDK's SunEC here and
 * stricter (issue 29, docs/benchmarks/ed25519-candidates.txt). Signing, for {@link AuroraSigner}, stays on the JDK's
 * own (SunEC, Java 15+): a raw key is given the fixed X.509 header of an Ed25519 key. No cryptography is written
 * here. Thread-safe; verification allocates a few small arrays per call and decodes each key once
 * ({@link #decoded}), signing takes its own {@link Signature}.
 */
final class Ed25519 {
    /** SubjectPublicKeyInfo of an Ed25519 key (RFC 8410) without its 32 key bytes. */
    private static final byte[] X509_HEADER = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};
    static final int KEY_BYTES = 32;
    static final int SIGNATURE_BYTES = 64;

    private Ed25519() {
    }

    /**
     * The encodings of the eight points of small order (order 1, 2, 4 and 8), and of the two with x = 0 written with
     * x's sign set, which RFC 8032 refuses to decode: libsodium's list. A key among them signs every message for
     * anyone: with R the neutral point and S = 0, [S]B = R + [k]A holds for any message when A is the neutral point,
     * and for one message in eight at most otherwise. BouncyCastle 1.87 refuses these keys itself (summoner-bench's
     * Ed25519StrictnessTest), the JDK's Ed25519 does not; they stay refused here whatever the library does. An R among
     * them is refused too, as libsodium refuses it: BouncyCastle checks the cofactored equation, under which R + T, for
     * T of small order, verifies with the S of R. Only the key's owner can make such a signature, but no honest signer
     * ever does (R = [r]B is of small order only for r = 0 mod L), so refusing it costs nothing.
     */
    private static final byte[][] SMALL_ORDER = {
            hex("0000000000000000000000000000000000000000000000000000000000000000"),
            hex("0000000000000000000000000000000000000000000000000000000000000080"),
            hex("0100000000000000000000000000000000000000000000000000000000000000"),
            hex("0100000000000000000000000000000000000000000000000000000000000080"),
            hex("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05"),
            hex("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85"),
            hex("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a"),
            hex("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa"),
            hex("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"),
            hex("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"),
    };

    private static byte[] hex(String text) {
        final byte[] bytes = new byte[text.length() / 2];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) Integer.parseInt(text.substring(2 * i, 2 * i + 2), 16);
        }
        return bytes;
    }

    /** @return whether {@code key} encodes a point of small order ({@link #SMALL_ORDER}): no one's key. */
    static boolean smallOrder(byte[] key) {
        return smallOrder(key, 0);
    }

    private static boolean smallOrder(byte[] bytes, int offset) {
        for (byte[] point : SMALL_ORDER) {
            if (Arrays.equals(point, 0, KEY_BYTES, bytes, offset, offset + KEY_BYTES)) {
                return true;
            }
        }
        return false;
    }

    /**
     * @return whether {@code signature} is {@code key}'s Ed25519 signature of {@code message} under RFC 8032's strict
     *         rules (canonical encodings, S below L); never for a key or an R of small order ({@link #SMALL_ORDER}).
     */
    static boolean verify(byte[] key, byte[] message, byte[] signature) {
        if (key.length != KEY_BYTES || signature.length != SIGNATURE_BYTES || smallOrder(key, 0) || smallOrder(signature, 0)) {
            return false;
        }
        final PublicPoint point = decoded(key);
        return point != null && org.bouncycastle.math.ec.rfc8032.Ed25519.verify(signature, 0, point, message, 0, message.length);
    }

    /** Slots of {@link #DECODED}: about a megabyte when full. */
    private static final int DECODED_SLOTS = 4096;
    /**
     * Keys decoded to their points once, not per signature (an agent signs every line with one key): direct-mapped by
     * the key's hash, a slot replaced on a collision, a hit only for the very same 32 bytes. Someone who fills it only
     * makes others' keys decoded again, as on their first line.
     */
    private static final AtomicReferenceArray<Decoded> DECODED = new AtomicReferenceArray<>(DECODED_SLOTS);

    private record Decoded(byte[] key, PublicPoint point) {
    }

    /**
     * @return {@code key}'s point, decoded as BouncyCastle's verification of a raw key decodes it (on the curve, y
     *         canonical), or null when it is none.
     */
    private static PublicPoint decoded(byte[] key) {
        final int slot = Arrays.hashCode(key) & (DECODED_SLOTS - 1);
        final Decoded known = DECODED.get(slot);
        if (known != null && Arrays.equals(known.key, key)) {
            return known.point;
        }
        final PublicPoint point = org.bouncycastle.math.ec.rfc8032.Ed25519.validatePublicKeyPartialExport(key, 0);
        if (point != null) {
            DECODED.set(slot, new Decoded(key.clone(), point));
        }
        return point;
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
