package org.summoner.relay.config;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the PEM files of {@code tls} (and of a backplane's TLS, {@code cluster.nats.tls}) into certificates and a
 * private key, with errors that name the key, the file and what was wrong ({@code tls.key: server.key holds an
 * "EC PRIVATE KEY"; convert it to PKCS#8 with ...}). Only the JDK's own parsers are used: the same material serves
 * every engine. Each method takes the dotted key its file was named by, for the message.
 */
public final class PemFiles {
    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----\\s*([A-Za-z0-9+/=\\s]*?)-----END \\1-----");
    /** DER of {@code AlgorithmIdentifier { rsaEncryption, NULL }}, to carry a PKCS#1 key as PKCS#8. */
    private static final byte[] RSA_ALGORITHM = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86,
            (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00};
    private static final String TO_PKCS8 = "convert it with: openssl pkcs8 -topk8 -nocrypt -in <file> -out <new file>";

    private final String source;

    /** @param source where the configuration came from, as in {@link ConfigException#source()}. */
    public PemFiles(String source) {
        this.source = source;
    }

    /** @return the certificates of a PEM file, in file order; at least one. */
    public List<X509Certificate> certificates(String key, Path file) {
        final String text = read(key, file);
        final List<X509Certificate> certificates = new ArrayList<>();
        final Matcher block = BLOCK.matcher(text);
        try {
            final CertificateFactory factory = CertificateFactory.getInstance("X.509");
            while (block.find()) {
                if (block.group(1).equals("CERTIFICATE")) {
                    certificates.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der(key, file, block))));
                }
            }
        } catch (CertificateException e) {
            throw error(key, file + " holds a certificate that cannot be read: " + e.getMessage(), e);
        }
        if (certificates.isEmpty()) {
            throw error(key, "expected PEM \"CERTIFICATE\" blocks in " + file + ", found " + kinds(text));
        }
        return List.copyOf(certificates);
    }

    /** @return the private key of a PEM file: PKCS#8 {@code PRIVATE KEY}, or PKCS#1 {@code RSA PRIVATE KEY}. */
    public PrivateKey privateKey(String key, Path file) {
        final String text = read(key, file);
        final Matcher block = BLOCK.matcher(text);
        while (block.find()) {
            switch (block.group(1)) {
                case "PRIVATE KEY" -> {
                    return pkcs8(key, file, der(key, file, block));
                }
                case "RSA PRIVATE KEY" -> {
                    return pkcs8(key, file, rsaAsPkcs8(der(key, file, block)));
                }
                case "ENCRYPTED PRIVATE KEY" -> throw error(key, file
                        + " holds an encrypted key; the relay reads unencrypted keys only: openssl pkcs8 -topk8 -nocrypt -in <file> -out <new file>");
                case "EC PRIVATE KEY" -> throw error(key, file + " holds an \"EC PRIVATE KEY\" (SEC 1); " + TO_PKCS8);
                default -> {
                    // a certificate or parameters in the same file: look further
                }
            }
        }
        throw error(key, "expected a PEM \"PRIVATE KEY\" or \"RSA PRIVATE KEY\" block in " + file + ", found " + kinds(text));
    }

    /** Fails unless {@code privateKey} signs what the certificate's public key verifies. */
    public void checkPair(String keyKey, Path keyFile, PrivateKey privateKey, Path certFile, X509Certificate certificate) {
        final PublicKey publicKey = certificate.getPublicKey();
        final String algorithm = switch (privateKey.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            case "Ed448" -> "Ed448";
            default -> null;
        };
        if (algorithm == null) {
            throw error(keyKey, keyFile + " holds a " + privateKey.getAlgorithm() + " key; expected RSA, EC or Ed25519");
        }
        final byte[] probe = "summoner tls key check".getBytes(StandardCharsets.US_ASCII);
        boolean matches;
        try {
            final Signature signer = Signature.getInstance(algorithm);
            signer.initSign(privateKey);
            signer.update(probe);
            final byte[] signature = signer.sign();
            final Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(publicKey);
            verifier.update(probe);
            matches = verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            matches = false; // e.g. an RSA key against an EC certificate
        }
        if (!matches) {
            throw error(keyKey, "the private key in " + keyFile + " does not match the certificate in " + certFile);
        }
    }

    private String read(String key, Path file) {
        if (!Files.isRegularFile(file)) {
            throw error(key, "expected a readable PEM file, found no file at " + file);
        }
        try {
            return Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException | RuntimeException e) {
            throw error(key, "expected a readable PEM file, cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private byte[] der(String key, Path file, Matcher block) {
        try {
            return Base64.getMimeDecoder().decode(block.group(2));
        } catch (IllegalArgumentException e) {
            throw error(key, file + ": the \"" + block.group(1) + "\" block is not valid base64", e);
        }
    }

    private PrivateKey pkcs8(String key, Path file, byte[] der) {
        final PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        for (String algorithm : new String[] {"RSA", "EC", "Ed25519", "Ed448"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (GeneralSecurityException notThisOne) {
                // try the next algorithm
            }
        }
        throw error(key, file + " holds a private key of none of RSA, EC, Ed25519, Ed448");
    }

    /** PKCS#1 {@code RSAPrivateKey} inside {@code PrivateKeyInfo { 0, rsaEncryption, OCTET STRING }}. */
    private static byte[] rsaAsPkcs8(byte[] pkcs1) {
        final byte[] octets = tlv(0x04, pkcs1);
        final byte[] version = {0x02, 0x01, 0x00};
        final byte[] body = new byte[version.length + RSA_ALGORITHM.length + octets.length];
        System.arraycopy(version, 0, body, 0, version.length);
        System.arraycopy(RSA_ALGORITHM, 0, body, version.length, RSA_ALGORITHM.length);
        System.arraycopy(octets, 0, body, version.length + RSA_ALGORITHM.length, octets.length);
        return tlv(0x30, body);
    }

    /** A DER tag, its definite length and the value. */
    private static byte[] tlv(int tag, byte[] value) {
        final int n = value.length;
        final byte[] length = n < 0x80 ? new byte[] {(byte) n}
                : n < 0x100 ? new byte[] {(byte) 0x81, (byte) n}
                : n < 0x10000 ? new byte[] {(byte) 0x82, (byte) (n >> 8), (byte) n}
                : new byte[] {(byte) 0x83, (byte) (n >> 16), (byte) (n >> 8), (byte) n};
        final byte[] out = new byte[1 + length.length + n];
        out[0] = (byte) tag;
        System.arraycopy(length, 0, out, 1, length.length);
        System.arraycopy(value, 0, out, 1 + length.length, n);
        return out;
    }

    /** @return the PEM block kinds in the text, e.g. {@code ["PRIVATE KEY"]}, or "no PEM block". */
    private static String kinds(String text) {
        final List<String> kinds = new ArrayList<>();
        final Matcher block = BLOCK.matcher(text);
        while (block.find()) {
            kinds.add('"' + block.group(1) + '"');
        }
        return kinds.isEmpty() ? "no PEM block" : kinds.toString();
    }

    private ConfigException error(String key, String problem) {
        return error(key, problem, null);
    }

    private ConfigException error(String key, String problem, Throwable cause) {
        return new ConfigException(source, key, source + ": key \"" + key + "\": " + problem, cause);
    }
}
