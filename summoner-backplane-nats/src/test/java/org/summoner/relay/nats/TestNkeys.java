package org.summoner.relay.nats;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.Signature;
import java.security.interfaces.EdECPrivateKey;
import java.util.Arrays;
import java.util.Base64;

/**
 * NATS decentralized auth made by the test, with the JDK's Ed25519 (no {@code nsc}, no BouncyCastle): nkeys of an
 * operator, an account or a user, the JWTs each signs for the next ({@code nats-server} checks every signature), and a
 * user's {@code .creds} file in the layout {@code nsc generate creds} writes.
 */
final class TestNkeys {
    private static final String BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    private static final String HEADER = base64Url("{\"typ\":\"JWT\",\"alg\":\"ed25519-nkey\"}");

    /** One nkey: its prefix byte (operator 'O', account 'A', user 'U') and its Ed25519 pair. */
    record Key(int prefix, KeyPair pair) {
        String publicKey() {
            final byte[] encoded = pair.getPublic().getEncoded(); // X.509: the raw 32 bytes come last
            return encode(new byte[] {(byte) prefix}, Arrays.copyOfRange(encoded, encoded.length - 32, encoded.length));
        }

        String seed() {
            final byte[] raw = ((EdECPrivateKey) pair.getPrivate()).getBytes().orElseThrow();
            return encode(new byte[] {(byte) ((18 << 3) | (prefix >> 5)), (byte) ((prefix & 31) << 3)}, raw);
        }

        byte[] sign(byte[] data) throws GeneralSecurityException {
            final Signature signer = Signature.getInstance("Ed25519");
            signer.initSign(pair.getPrivate());
            signer.update(data);
            return signer.sign();
        }
    }

    private TestNkeys() {
    }

    static Key operator() throws GeneralSecurityException {
        return key(14 << 3);
    }

    static Key account() throws GeneralSecurityException {
        return key(0);
    }

    static Key user() throws GeneralSecurityException {
        return key(20 << 3);
    }

    private static Key key(int prefix) throws GeneralSecurityException {
        return new Key(prefix, KeyPairGenerator.getInstance("Ed25519").generateKeyPair());
    }

    /** @return the operator's JWT, signed by itself. */
    static String operatorJwt(Key operator) throws GeneralSecurityException {
        return jwt(operator, operator, "{\"type\":\"operator\",\"version\":2}");
    }

    /** @return an account's JWT signed by its operator, without limits. */
    static String accountJwt(Key operator, Key account) throws GeneralSecurityException {
        return jwt(operator, account, "{\"limits\":{\"subs\":-1,\"data\":-1,\"payload\":-1,\"imports\":-1,\"exports\":-1,"
                + "\"wildcards\":true,\"conn\":-1,\"leaf\":-1},\"type\":\"account\",\"version\":2}");
    }

    /** @return a user's JWT signed by its account, without limits. */
    static String userJwt(Key account, Key user) throws GeneralSecurityException {
        return jwt(account, user, "{\"pub\":{},\"sub\":{},\"subs\":-1,\"data\":-1,\"payload\":-1,\"type\":\"user\",\"version\":2}");
    }

    /** @return a {@code .creds} file's text, as {@code nsc generate creds} writes it. */
    static String creds(String jwt, Key user) {
        return "-----BEGIN NATS USER JWT-----\n" + jwt + "\n------END NATS USER JWT------\n\n"
                + "************************* IMPORTANT *************************\n"
                + "NKEY Seed printed below can be used to sign and prove identity.\n"
                + "NKEYs are sensitive and should be treated as secrets.\n\n"
                + "-----BEGIN USER NKEY SEED-----\n" + user.seed() + "\n------END USER NKEY SEED------\n\n"
                + "*************************************************************\n";
    }

    private static String jwt(Key issuer, Key subject, String nats) throws GeneralSecurityException {
        final String claims = "\"iat\":" + System.currentTimeMillis() / 1000 + ",\"iss\":\"" + issuer.publicKey() + "\",\"name\":\"test\",\"sub\":\""
                + subject.publicKey() + "\",\"nats\":" + nats + "}";
        final byte[] hash = MessageDigest.getInstance("SHA-256").digest(("{" + claims).getBytes(StandardCharsets.UTF_8));
        final String body = base64Url("{\"jti\":\"" + base32(hash) + "\"," + claims);
        final byte[] signature = issuer.sign((HEADER + "." + body).getBytes(StandardCharsets.US_ASCII));
        return HEADER + "." + body + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(signature);
    }

    private static String base64Url(String text) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    /** @return prefix and key, then their CRC-16/XMODEM little-endian, in base32 without padding. */
    private static String encode(byte[] prefix, byte[] key) {
        final byte[] raw = new byte[prefix.length + key.length + 2];
        System.arraycopy(prefix, 0, raw, 0, prefix.length);
        System.arraycopy(key, 0, raw, prefix.length, key.length);
        int crc = 0;
        for (int i = 0; i < raw.length - 2; i++) {
            crc ^= (raw[i] & 0xFF) << 8;
            for (int bit = 0; bit < 8; bit++) {
                crc = ((crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1) & 0xFFFF;
            }
        }
        raw[raw.length - 2] = (byte) crc;
        raw[raw.length - 1] = (byte) (crc >> 8);
        return base32(raw);
    }

    private static String base32(byte[] data) {
        final StringBuilder out = new StringBuilder();
        int buffer = 0;
        int bits = 0;
        for (byte b : data) {
            buffer = (buffer << 8) | (b & 0xFF);
            bits += 8;
            while (bits >= 5) {
                bits -= 5;
                out.append(BASE32.charAt((buffer >> bits) & 31));
            }
        }
        if (bits > 0) {
            out.append(BASE32.charAt((buffer << (5 - bits)) & 31));
        }
        return out.toString();
    }
}
