package org.summoner.relay.nats;

import org.summoner.relay.config.ConfigException;
import org.summoner.relay.config.ConfigSection;
import org.summoner.relay.config.PemFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * {@code cluster.nats.tls}: this node speaks TLS to every NATS server, those listed and those NATS advertises, when
 * the section is there (even empty) or a server URL is {@code tls://} or {@code wss://}: TLS settings with a
 * {@code nats://} URL make that connection TLS too, never plaintext (a {@code ws://} URL is refused: jnats would speak
 * plaintext over it). The server's certificate must chain to {@code ca} (or, without it, to a CA the JVM trusts) and
 * name the host of the URL (hostname verification, always on: {@link HostnameVerifyingContext}); with {@code cert} and
 * {@code key} the node presents a client certificate, for a {@code nats-server} whose {@code tls} block has
 * {@code verify: true}. The PEM files are read and checked when the configuration is read, with the messages of the
 * relay port's own {@code tls} ({@link PemFiles}).
 *
 * @param ca          the file of the CAs that sign the NATS servers' certificates, or null for the JVM's CAs.
 * @param cert        this node's certificate chain's file, its own certificate first, or null for none.
 * @param key         the private key's file of {@code cert} (PKCS#8 or PKCS#1, unencrypted), or null.
 * @param authorities the certificates read from {@code ca}; empty without it.
 * @param chain       the certificates read from {@code cert}; empty without it.
 * @param privateKey  the key read from {@code key}, which matches {@code chain.get(0)}; or null.
 */
record NatsTls(Path ca, Path cert, Path key, List<X509Certificate> authorities, List<X509Certificate> chain, PrivateKey privateKey) {
    /** TLS with the JVM's CAs and no client certificate: a {@code tls://} URL without a {@code tls} section. */
    static final NatsTls DEFAULT = new NatsTls(null, null, null, List.of(), List.of(), null);

    NatsTls {
        authorities = List.copyOf(authorities);
        chain = List.copyOf(chain);
    }

    /**
     * @return the TLS of {@code cluster.nats}, or null for plaintext (no {@code tls} section, no {@code tls://} URL).
     * @throws ConfigException naming the file, the key, what was expected and what was found.
     */
    static NatsTls read(ConfigSection nats, List<String> servers) {
        final boolean tlsUrl = servers.stream().anyMatch(url -> url.startsWith("tls://") || url.startsWith("wss://"));
        if ((tlsUrl || nats.has("tls")) && servers.stream().anyMatch(url -> url.startsWith("ws://"))) {
            throw nats.invalid("servers", "wss:// for a websocket when the connection is TLS (cluster.nats.tls or a tls:// URL):"
                    + " jnats speaks plaintext over ws:// whatever its TLS settings");
        }
        if (!nats.has("tls")) {
            return tlsUrl ? DEFAULT : null;
        }
        final ConfigSection s = nats.object("tls");
        final Path ca = file(s, "ca");
        final Path cert = file(s, "cert");
        final Path key = file(s, "key");
        s.warnUnknown();
        if ((cert == null) != (key == null)) {
            throw new ConfigException(s.source(), s.path() + (cert == null ? "cert" : "key"), s.source() + ": key \""
                    + s.path() + (cert == null ? "cert" : "key") + "\": expected \"cert\" and \"key\" together, found "
                    + (cert == null ? "a key without a certificate" : "a certificate without a key"), null);
        }
        final PemFiles pem = new PemFiles(s.source());
        final List<X509Certificate> authorities = ca == null ? List.of() : pem.certificates(s.path() + "ca", ca);
        if (cert == null) {
            return new NatsTls(ca, null, null, authorities, List.of(), null);
        }
        final List<X509Certificate> chain = pem.certificates(s.path() + "cert", cert);
        final PrivateKey privateKey = pem.privateKey(s.path() + "key", key);
        pem.checkPair(s.path() + "key", key, privateKey, cert, chain.get(0));
        warnIfOthersCanRead(s, "key", key, "a private key");
        return new NatsTls(ca, cert, key, authorities, chain, privateKey);
    }

    private static Path file(ConfigSection s, String key) {
        final String value = s.string(key, null);
        if (value == null) {
            return null;
        }
        if (value.isBlank()) {
            throw s.invalid(key, "the path of a PEM file");
        }
        try {
            return Path.of(value);
        } catch (InvalidPathException e) {
            throw s.invalid(key, "the path of a PEM file (" + e.getReason() + ")");
        }
    }

    /**
     * A secret's file (a key, credentials) every user of the machine may read is a warning, not an error: a group
     * (Debian's {@code ssl-cert}) may have to read it.
     *
     * @param what what the file holds, e.g. "a private key".
     */
    static void warnIfOthersCanRead(ConfigSection s, String key, Path file, String what) {
        try {
            if (Files.getPosixFilePermissions(file).contains(PosixFilePermission.OTHERS_READ)) {
                s.warn(key, "names " + file + ", " + what + " every user of this machine may read (run: chmod 600 " + file + ")");
            }
        } catch (IOException | UnsupportedOperationException e) {
            // no POSIX permissions here (or no longer a file): nothing to say
        }
    }

    /**
     * @return a client context trusting {@code ca} (or the JVM's CAs), presenting {@code cert} when there is one, and
     *         verifying the server's name.
     * @throws IllegalStateException when the JDK cannot build one from material {@link #read} already checked.
     */
    SSLContext context() {
        try {
            final TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            if (authorities.isEmpty()) {
                trust.init((KeyStore) null); // the JVM's CAs
            } else {
                final KeyStore anchors = KeyStore.getInstance("PKCS12");
                anchors.load(null, null);
                for (int i = 0; i < authorities.size(); i++) {
                    anchors.setCertificateEntry("nats-ca-" + i, authorities.get(i));
                }
                trust.init(anchors);
            }
            KeyManagerFactory keys = null;
            if (privateKey != null) {
                final KeyStore store = KeyStore.getInstance("PKCS12");
                store.load(null, null);
                store.setKeyEntry("node", privateKey, new char[0], chain.toArray(new X509Certificate[0]));
                keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                keys.init(store, new char[0]);
            }
            final SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys == null ? null : keys.getKeyManagers(), trust.getTrustManagers(), null);
            return new HostnameVerifyingContext(context);
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot build the TLS context for NATS (" + this + "): " + e, e);
        }
    }

    /** Files only: never the key. */
    @Override
    public String toString() {
        return "tls (CA " + (ca == null ? "the JVM's" : ca.toString()) + (cert == null ? ", no client certificate" : ", certificate " + cert) + ")";
    }
}
