package org.summoner.relay.tck;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The kit's TLS material: a CA, a server certificate it signed for {@code 127.0.0.1}, {@code ::1} and
 * {@code localhost}, a client certificate it signed, and a stranger's self-signed client certificate (all EC P-256,
 * valid until 2126, made once with {@code openssl} and kept as resources). The PEM files are copied once per JVM to a
 * temporary directory, since {@code tls} names files. Clients trust the kit's CA only.
 *
 * <p>Thread-safe.
 */
public final class KitTls {
    private static final String RESOURCES = "/org/summoner/relay/tck/tls/";
    private static volatile Path directory;

    private KitTls() {
    }

    /** @return the {@code "tls"} section of a server with the kit's certificate; clients need none. */
    public static Map<String, Object> serverSection() {
        final Map<String, Object> tls = new LinkedHashMap<>();
        tls.put("cert", file("server.crt").toString());
        tls.put("key", file("server.key").toString());
        return tls;
    }

    /** @return as {@link #serverSection()}, and clients must present a certificate the kit's CA signed. */
    public static Map<String, Object> serverSectionWithClientCa() {
        final Map<String, Object> tls = serverSection();
        tls.put("client_ca", file("ca.crt").toString());
        return tls;
    }

    /** @return a client context trusting the kit's CA, presenting no certificate. */
    public static SSLContext client() {
        return context(null);
    }

    /** @return a client context trusting the kit's CA and presenting {@code name}'s certificate ({@code client}, {@code stranger}). */
    public static SSLContext client(String name) {
        return context(name);
    }

    /** @return the path of one of the kit's PEM files ({@code server.crt}, {@code ca.crt}, ...). */
    public static Path file(String name) {
        return directory().resolve(name);
    }

    private static SSLContext context(String certificateName) {
        try {
            final CertificateFactory x509 = CertificateFactory.getInstance("X.509");
            final KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("kit-ca", x509.generateCertificate(resource("ca.crt")));
            final TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trustManagers.init(trust);
            KeyManagerFactory keyManagers = null;
            if (certificateName != null) {
                final KeyStore keys = KeyStore.getInstance("PKCS12");
                keys.load(null, null);
                final Certificate certificate = x509.generateCertificate(resource(certificateName + ".crt"));
                keys.setKeyEntry(certificateName, privateKey(certificateName + ".key"), new char[0], new Certificate[] {certificate});
                keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                keyManagers.init(keys, new char[0]);
            }
            final SSLContext context = SSLContext.getInstance("TLS");
            context.init(keyManagers == null ? null : keyManagers.getKeyManagers(), trustManagers.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("the kit's TLS material cannot be loaded", e);
        }
    }

    private static PrivateKey privateKey(String name) throws IOException, GeneralSecurityException {
        final String pem = new String(resource(name).readAllBytes(), StandardCharsets.US_ASCII);
        final String body = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        return KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(body)));
    }

    private static InputStream resource(String name) throws IOException {
        final InputStream in = KitTls.class.getResourceAsStream(RESOURCES + name);
        if (in == null) {
            throw new IOException("missing kit resource " + RESOURCES + name);
        }
        return new ByteArrayInputStream(in.readAllBytes());
    }

    private static Path directory() {
        Path dir = directory;
        if (dir == null) {
            synchronized (KitTls.class) {
                dir = directory;
                if (dir == null) {
                    try {
                        dir = Files.createTempDirectory("summoner-kit-tls");
                        for (String name : new String[] {"ca.crt", "server.crt", "server.key", "client.crt", "client.key",
                                "stranger.crt", "stranger.key"}) {
                            try (InputStream in = resource(name)) {
                                Files.copy(in, dir.resolve(name));
                            }
                            dir.resolve(name).toFile().deleteOnExit();
                        }
                        dir.toFile().deleteOnExit();
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                    directory = dir;
                }
            }
        }
        return dir;
    }
}
