package org.summoner.relay.tls;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.summoner.relay.config.TlsSettings;
import org.summoner.relay.counters.LogThrottle;
import org.summoner.relay.counters.RelayCounters;
import org.summoner.relay.wire.RemoteAddresses;
import org.summoner.relay.wire.Untrusted;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS on the relay port, the same for every engine: an {@link SSLContext} built from {@code tls}'s PEM material
 * (the core's current {@link Material}: a reload replaces it for new handshakes), server engines limited to TLS 1.3 and 1.2 (and asking for a client certificate with {@code client_ca})
 * that refuse a client's renegotiation ({@link RenegotiationGuard}), the test that tells a TLS client from a plaintext
 * one by its first byte, and the accounting of failures: every failed handshake, plaintext connection and refused
 * renegotiation is counted ({@link RelayCounters#tlsHandshakeFailed}, {@link RelayCounters#tlsPlaintextClientRefused},
 * {@link RelayCounters#tlsRenegotiationRefused}) and logged at WARN at most once per 10 s with the count since, what
 * the client controls in it (the JDK's messages quote its server name) escaped ({@link Untrusted#text}).
 *
 * <p>Renegotiation is refused by our engine wrapper, not by the JDK's {@code jdk.tls.rejectClientInitiatedRenegotiation}
 * system property: that property is global to the JVM (an application embedding the relay may want otherwise for its
 * own TLS), it is read once, in a static initializer of the JDK's internal {@code ServerHandshakeContext}, so setting
 * it from here works only if no TLS server handshake ran in the JVM before, which nothing here controls; it holds only
 * for the SunJSSE provider; and its refusal is an {@code SSLException} like any other, which could be counted apart
 * only by its message. The wrapper refuses with any provider, before the JDK parses the record, and counts what it
 * refused.
 *
 * <p>Thread-safe: engines on any thread call {@link #newEngine} and report failures.
 */
public final class ServerTls {
    private static final Logger log = LoggerFactory.getLogger(ServerTls.class);
    /** Offered and accepted, newest first; nothing older. */
    public static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");
    /** The first byte of every TLS record a client opens with: a handshake record (RFC 8446 section 5.1). */
    private static final byte HANDSHAKE_RECORD = 0x16;
    private static final long WARNING_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);
    /** What a client that speaks plaintext to the TLS port is told, in plaintext, before it is closed. */
    private static final byte[] PLAINTEXT_NOTICE = "Warning: This port speaks TLS only; plaintext connections are closed.\n"
            .getBytes(StandardCharsets.US_ASCII);

    /**
     * What a new handshake is served with: the context built from {@code tls}'s PEM material, the protocols offered, and
     * whether a client certificate is asked for. Immutable; a reload builds a new one ({@link #material}).
     */
    public static final class Material {
        private final SSLContext context;
        private final String[] protocols;
        private final boolean clientCertificates;

        private Material(SSLContext context, String[] protocols, boolean clientCertificates) {
            this.context = context;
            this.protocols = protocols;
            this.clientCertificates = clientCertificates;
        }
    }

    private final Supplier<Material> material;
    private final RelayCounters counters;
    private final LogThrottle warnings = new LogThrottle(WARNING_INTERVAL_NANOS);

    private ServerTls(Supplier<Material> material, RelayCounters counters) {
        this.material = material;
        this.counters = counters;
    }

    /**
     * @throws IllegalStateException when the JDK cannot build a context from material that {@code ServerConfig}
     *                               already checked, or supports neither protocol.
     */
    public static ServerTls of(TlsSettings settings, RelayCounters counters) {
        final Material fixed = material(settings);
        return new ServerTls(() -> fixed, counters);
    }

    /**
     * @param material read once per new connection: the core's current material, which a reload replaces; sessions
     *                 whose engine was made before keep theirs.
     */
    public static ServerTls of(Supplier<Material> material, RelayCounters counters) {
        return new ServerTls(material, counters);
    }

    /**
     * @return the material of {@code settings}: an {@link SSLContext} over its certificate chain and key (and
     *         {@code client_ca}).
     * @throws IllegalStateException when the JDK cannot build a context from material that {@code ServerConfig}
     *                               already checked, or supports neither protocol.
     */
    public static Material material(TlsSettings settings) {
        try {
            final char[] password = new char[0];
            final KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            keys.setKeyEntry("server", settings.privateKey(), password, settings.chain().toArray(new X509Certificate[0]));
            final KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keyManagers.init(keys, password);
            TrustManagerFactory trustManagers = null;
            if (settings.clientCertificatesRequired()) {
                final KeyStore issuers = KeyStore.getInstance("PKCS12");
                issuers.load(null, null);
                for (int i = 0; i < settings.clientIssuers().size(); i++) {
                    issuers.setCertificateEntry("client-ca-" + i, settings.clientIssuers().get(i));
                }
                trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                trustManagers.init(issuers);
            }
            final SSLContext context = SSLContext.getInstance("TLS");
            context.init(keyManagers.getKeyManagers(), trustManagers == null ? null : trustManagers.getTrustManagers(), null);
            final List<String> supported = Arrays.asList(context.getSupportedSSLParameters().getProtocols());
            final String[] protocols = PROTOCOLS.stream().filter(supported::contains).toArray(String[]::new);
            if (protocols.length == 0) {
                throw new IllegalStateException("this JDK supports neither TLSv1.3 nor TLSv1.2 (it offers " + supported + ")");
            }
            return new Material(context, protocols, settings.clientCertificatesRequired());
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot build the TLS context from " + settings + ": " + e, e);
        }
    }

    /**
     * @param remote the client, under whose {@code remote_addr} a refused renegotiation is logged; null for an engine
     *               that is only asked its buffer sizes.
     * @return a server-mode engine for one client: TLS 1.3/1.2 only, requiring a certificate with {@code client_ca},
     *         refusing a new handshake once the first is done ({@link RenegotiationGuard}).
     */
    public SSLEngine newEngine(InetSocketAddress remote) {
        final Material current = material.get();
        final SSLEngine engine = remote == null ? current.context.createSSLEngine()
                : current.context.createSSLEngine(remote.getHostString(), remote.getPort());
        engine.setUseClientMode(false);
        final SSLParameters parameters = engine.getSSLParameters();
        parameters.setProtocols(current.protocols);
        parameters.setNeedClientAuth(current.clientCertificates);
        engine.setSSLParameters(parameters);
        return new RenegotiationGuard(engine, this, remote);
    }

    /**
     * Runs the tasks the engine delegates (a handshake's key exchange and certificate checks) on the calling thread,
     * as Netty's {@code SslHandler} does by default.
     *
     * @return the handshake status after them.
     */
    public static SSLEngineResult.HandshakeStatus runDelegatedTasks(SSLEngine engine) {
        Runnable task;
        while ((task = engine.getDelegatedTask()) != null) {
            task.run();
        }
        return engine.getHandshakeStatus();
    }

    /** @return the protocols offered, e.g. {@code [TLSv1.3, TLSv1.2]}. */
    public List<String> protocols() {
        return List.of(material.get().protocols);
    }

    /** @return whether a connection whose first byte is {@code first} opens with a TLS handshake record. */
    public static boolean opensTls(byte first) {
        return first == HANDSHAKE_RECORD;
    }

    /** @return the plaintext line for a client that did not open with TLS (a new array each time). */
    public static byte[] plaintextNotice() {
        return PLAINTEXT_NOTICE.clone();
    }

    /** A client spoke plaintext to the TLS port: counted and, at most once per 10 s, logged. */
    public void plaintextRefused(String remoteAddr) {
        counters.tlsPlaintextClientRefused();
        warn(remoteAddr, "spoke plaintext to the TLS port; told and closed", null);
    }

    /**
     * A client's TLS handshake failed (bad certificate, no shared protocol, garbage): counted, logged at most once per
     * 10 s. The JDK's messages quote what the client sent (its server name, for one), so they are logged escaped.
     */
    public void handshakeFailed(String remoteAddr, Throwable cause) {
        for (Throwable c = cause; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof RenegotiationGuard.RenegotiationRefused) {
                return; // counted as what it was, when it was refused (an engine that had not yet seen the handshake end)
            }
        }
        counters.tlsHandshakeFailed();
        warn(remoteAddr, "failed the TLS handshake: ", cause);
    }

    /**
     * A client did not finish its TLS handshake within {@code tls.handshake_timeout_secs}: counted as a failed
     * handshake and logged the same way; the core closes it.
     */
    public void handshakeTimedOut(String remoteAddr, long timeoutNanos) {
        counters.tlsHandshakeFailed();
        warn(remoteAddr, "did not finish the TLS handshake within " + TimeUnit.NANOSECONDS.toSeconds(timeoutNanos)
                + " s (tls.handshake_timeout_secs); disconnected", null);
    }

    /**
     * {@link RenegotiationGuard}, on the thread that unwraps: a client asked for a new handshake once its first was
     * done; counted, logged at most once per 10 s; the connection is closed by its engine.
     */
    void renegotiationRefused(InetSocketAddress remote) {
        counters.tlsRenegotiationRefused();
        warn(remote == null ? "a client" : RemoteAddresses.format(remote),
                "asked for a new TLS handshake on an established connection (a renegotiation); refused and closed", null);
    }

    /** Logs {@code what}, then {@code cause}'s messages escaped, unless a line was logged less than 10 s ago. */
    private void warn(String remoteAddr, String what, Throwable cause) {
        final long others = warnings.tryLog(System.nanoTime());
        if (others >= 0) {
            log.warn("{} {}{}{}", remoteAddr, what, cause == null ? "" : rootMessage(cause), others == 0 ? ""
                    : " (and " + others + " other TLS failures since the last such line; counted, logged at most every 10 s)");
        }
    }

    /** @return the exception's message and its root cause's, each escaped ({@link Untrusted#text}) and bounded. */
    private static String rootMessage(Throwable cause) {
        Throwable root = cause;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        final String message = message(cause);
        return root == cause ? message : message + " (" + message(root) + ")";
    }

    /** @return the message escaped, or the exception's class when it has none (a connection closed mid-handshake). */
    private static String message(Throwable e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : Untrusted.text(e.getMessage());
    }
}
