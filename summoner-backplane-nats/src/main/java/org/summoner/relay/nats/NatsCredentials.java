package org.summoner.relay.nats;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nats.client.AuthHandler;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.EdECPoint;
import java.security.spec.EdECPrivateKeySpec;
import java.security.spec.EdECPublicKeySpec;
import java.security.spec.NamedParameterSpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A NATS {@code .creds} file as {@code nsc generate creds} writes one (a user JWT, then the user's nkey seed, each
 * between its {@code -----BEGIN ...-----} and {@code ------END ...------} lines), read and checked once, at start, and
 * the answer to a NATS server's challenge: the JWT, and the nonce signed with the seed's Ed25519 key. The JDK signs
 * ({@code Ed25519}, Java 15 and later): jnats's own handler ({@code Nats.credentials}) signs through BouncyCastle, 8 MB
 * the relay leaves out. A file with a seed and no JWT (a server's plain {@code nkey} users) is refused.
 *
 * <p>Thread-safe: immutable once read; the client calls it at every connection.
 */
final class NatsCredentials implements AuthHandler {
    private static final Pattern JWT = block("NATS USER JWT");
    private static final Pattern SEED = block("USER NKEY SEED");
    /** The first 5 bits of a seed's first byte ('S'), and the prefix byte of a user's public key ('U'). */
    private static final int SEED_PREFIX = 18 << 3;
    private static final int USER_PREFIX = 20 << 3;
    private static final String BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

    private final Path file;
    private final char[] jwt;
    private final char[] user;
    private final PrivateKey key;

    private NatsCredentials(Path file, char[] jwt, char[] user, PrivateKey key) {
        this.file = file;
        this.jwt = jwt;
        this.user = user;
        this.key = key;
    }

    /**
     * @return the credentials of {@code file}.
     * @throws IllegalArgumentException saying what is wrong with the file, never quoting its secret.
     */
    static NatsCredentials read(Path file) {
        final String text;
        try {
            text = Files.readString(file, StandardCharsets.ISO_8859_1); // the blocks are ASCII; a comment need not be
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(file + " that cannot be read: " + e.getMessage(), e);
        }
        final Matcher jwt = JWT.matcher(text);
        final Matcher seed = SEED.matcher(text);
        if (!jwt.find()) {
            throw new IllegalArgumentException(file + " without a \"NATS USER JWT\" block (a seed alone, for a server's nkey users, is not supported)");
        }
        if (!seed.find()) {
            throw new IllegalArgumentException(file + " without a \"USER NKEY SEED\" block");
        }
        final String subject = subject(file, jwt.group(1));
        final byte[] raw = decode(seed.group(1));
        if (raw == null || raw.length != 34 || (raw[0] & 0xF8) != SEED_PREFIX
                || (((raw[0] & 0x07) << 5) | ((raw[1] & 0xF8) >> 3)) != USER_PREFIX) {
            throw new IllegalArgumentException(file + " whose seed is not a user's nkey seed");
        }
        try {
            final PrivateKey key = KeyFactory.getInstance("Ed25519").generatePrivate(
                    new EdECPrivateKeySpec(NamedParameterSpec.ED25519, Arrays.copyOfRange(raw, 2, 34)));
            Arrays.fill(raw, (byte) 0);
            final byte[] probe = "summoner nats credentials check".getBytes(StandardCharsets.US_ASCII);
            final Signature verifier = Signature.getInstance("Ed25519");
            verifier.initVerify(publicKey(subject));
            verifier.update(probe);
            if (!verifier.verify(sign(key, probe))) {
                throw new IllegalArgumentException(file + " whose seed is not the key of its JWT's user (" + subject + ")");
            }
            return new NatsCredentials(file, jwt.group(1).toCharArray(), subject.toCharArray(), key);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(file + " whose keys the JDK cannot use: " + e.getMessage(), e);
        }
    }

    /** @return the user's public key, the JWT's {@code sub}, when the JWT is a NATS user's. */
    private static String subject(Path file, String jwt) {
        final String[] parts = jwt.split("\\.");
        try {
            final JsonNode claims = new ObjectMapper().readTree(Base64.getUrlDecoder().decode(parts[1]));
            final String subject = claims.path("sub").asText("");
            final byte[] raw = decode(subject);
            if (parts.length == 3 && "user".equals(claims.path("nats").path("type").asText())
                    && raw != null && raw.length == 33 && (raw[0] & 0xFF) == USER_PREFIX) {
                return subject;
            }
        } catch (IOException | RuntimeException e) {
            // not base64url JSON: said below
        }
        throw new IllegalArgumentException(file + " whose JWT is not a NATS user's");
    }

    /** @return the Ed25519 key of a user's public nkey (RFC 8032 section 5.1.2: y little-endian, x's parity on top). */
    private static PublicKey publicKey(String nkey) throws GeneralSecurityException {
        final byte[] raw = decode(nkey);
        final byte[] y = new byte[32];
        for (int i = 0; i < 32; i++) {
            y[i] = raw[32 - i];
        }
        final boolean xOdd = (y[0] & 0x80) != 0;
        y[0] &= 0x7F;
        return KeyFactory.getInstance("Ed25519").generatePublic(
                new EdECPublicKeySpec(NamedParameterSpec.ED25519, new EdECPoint(xOdd, new BigInteger(1, y))));
    }

    /** @return the bytes of an nkey (base32, no padding) whose CRC-16 checks, without it; null when it is none. */
    private static byte[] decode(String nkey) {
        final byte[] out = new byte[nkey.length() * 5 / 8];
        int buffer = 0;
        int bits = 0;
        int n = 0;
        for (int i = 0; i < nkey.length(); i++) {
            final int value = BASE32.indexOf(nkey.charAt(i));
            if (value < 0) {
                return null;
            }
            buffer = (buffer << 5) | value;
            bits += 5;
            if (bits >= 8) {
                bits -= 8;
                out[n++] = (byte) (buffer >> bits);
            }
        }
        if (n < 3) {
            return null;
        }
        final int crc = (out[n - 2] & 0xFF) | (out[n - 1] & 0xFF) << 8; // little-endian
        return crc == crc16(out, n - 2) ? Arrays.copyOf(out, n - 2) : null;
    }

    /** CRC-16/XMODEM (polynomial 0x1021, initial 0), as nkeys checks its keys. */
    private static int crc16(byte[] data, int length) {
        int crc = 0;
        for (int i = 0; i < length; i++) {
            crc ^= (data[i] & 0xFF) << 8;
            for (int bit = 0; bit < 8; bit++) {
                crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
            }
            crc &= 0xFFFF;
        }
        return crc;
    }

    private static Pattern block(String name) {
        return Pattern.compile("-{3,}BEGIN " + name + "-{3,}\\s*(\\S+)\\s*-{3,}END " + name + "-{3,}");
    }

    private static byte[] sign(PrivateKey key, byte[] data) throws GeneralSecurityException {
        final Signature signer = Signature.getInstance("Ed25519");
        signer.initSign(key);
        signer.update(data);
        return signer.sign();
    }

    @Override
    public byte[] sign(byte[] nonce) {
        try {
            return sign(key, nonce);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign the NATS server's nonce with the seed of " + file, e);
        }
    }

    @Override
    public char[] getID() {
        return user.clone();
    }

    @Override
    public char[] getJWT() {
        return jwt.clone();
    }

    /** The file only: never the seed. */
    @Override
    public String toString() {
        return "credentials " + file;
    }
}
