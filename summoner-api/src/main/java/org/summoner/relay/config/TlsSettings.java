package org.summoner.relay.config;

import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * {@code tls} (ours, SPEC section 10): the relay port speaks TLS 1.2 or 1.3 only, with this certificate and key;
 * with {@code client_ca}, every client must present a certificate it signed. The PEM files are read and checked
 * when the configuration is read (a missing, unreadable or mismatched file is a {@link ConfigException} naming the
 * key), so a server never starts with TLS it cannot serve.
 *
 * @param cert          {@code tls.cert}: the certificate chain's file, the server's own certificate first.
 * @param key           {@code tls.key}: the private key's file (PKCS#8 {@code PRIVATE KEY} or PKCS#1
 *                      {@code RSA PRIVATE KEY}, unencrypted).
 * @param clientCa      {@code tls.client_ca}: the file of the certificates that sign clients' certificates, or null.
 * @param chain         the certificates read from {@code cert}.
 * @param privateKey    the key read from {@code key}; it matches {@code chain.get(0)}.
 * @param clientIssuers the certificates read from {@code clientCa}; empty without it.
 * @param handshakeTimeoutSecs {@code tls.handshake_timeout_secs}: a connection whose TLS handshake is not done by then
 *                      is closed (counted as a failed handshake); the only clock a silent connection meets when
 *                      {@code client_timeout_secs} is null.
 */
public record TlsSettings(Path cert, Path key, Path clientCa, List<X509Certificate> chain, PrivateKey privateKey,
                          List<X509Certificate> clientIssuers, long handshakeTimeoutSecs) {
    /** As Netty's {@code SslHandler}: 10 s. */
    public static final long DEFAULT_HANDSHAKE_TIMEOUT_SECS = 10;

    public TlsSettings {
        chain = List.copyOf(chain);
        clientIssuers = List.copyOf(clientIssuers);
    }

    /** @return whether clients must present a certificate ({@code client_ca} is set). */
    public boolean clientCertificatesRequired() {
        return clientCa != null;
    }

    @Override
    public String toString() {
        return "{cert=" + cert + ", key=" + key + ", client_ca=" + clientCa + ", handshake_timeout_secs=" + handshakeTimeoutSecs + ", subject="
                + chain.get(0).getSubjectX500Principal().getName() + '}';
    }
}
