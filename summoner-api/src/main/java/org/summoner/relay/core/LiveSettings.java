package org.summoner.relay.core;

import org.summoner.relay.config.HyperParameters;
import org.summoner.relay.config.ServerConfig;
import org.summoner.relay.config.TlsSettings;
import org.summoner.relay.policy.FairUsePolicy;
import org.summoner.relay.tls.ServerTls;
import org.summoner.relay.wire.NoticeLines;

import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The settings a reload may change, built once per configuration and published by the core as one volatile reference
 * ({@link RelayCore#reload}): the configuration itself, the fair-use policy (its rules over the shared quarantine list
 * and connection counts), the router, the notices' bytes, the TLS material and the handshake's settings. Relay threads
 * read the reference once per decision; nothing on their path locks or copies it.
 *
 * <p>Immutable.
 */
final class LiveSettings {
    /** Counts the configurations published: a dispatcher compares it with the one it last applied. */
    final int generation;
    final ServerConfig config;
    final FairUsePolicy policy;
    final Router router;
    final NoticeLines notices;
    /** The material new TLS handshakes use; null when the relay port speaks plain TCP. */
    final ServerTls.Material tls;
    final long tlsHandshakeTimeoutNanos;
    final boolean handshakeRequired;
    final boolean handshakeChallenges;
    final long handshakeTimeoutNanos;
    final long throttleNanos;
    final long flowControlNanos;
    /** {@code peer_trust.allowed_fingerprints}: the identities that may be bound; null for any. */
    final Set<String> allowedFingerprints;

    /**
     * @param previous the settings these replace, or null: their TLS material is kept when {@code tls} did not change,
     *                 so a reload that leaves it alone keeps the TLS session cache (resumption) and costs no new context.
     */
    LiveSettings(LiveSettings previous, ServerConfig config, FairUsePolicy policy, Router router, int maxLineBytes, int maxEnvelopeBytes) {
        final HyperParameters parameters = config.hyperParameters();
        this.generation = previous == null ? 0 : previous.generation + 1;
        this.config = config;
        this.policy = policy;
        this.router = router;
        this.notices = new NoticeLines(maxLineBytes, maxEnvelopeBytes, parameters.handshake().timeoutSecs());
        this.tls = previous != null && previous.tls != null && previous.config.tls().equals(config.tls()) ? previous.tls
                : config.tls().map(ServerTls::material).orElse(null);
        this.tlsHandshakeTimeoutNanos = TimeUnit.SECONDS.toNanos(config.tls().map(TlsSettings::handshakeTimeoutSecs)
                .orElse(TlsSettings.DEFAULT_HANDSHAKE_TIMEOUT_SECS));
        this.handshakeRequired = parameters.handshake().required();
        this.handshakeChallenges = handshakeRequired && parameters.handshake().challenge();
        this.handshakeTimeoutNanos = TimeUnit.SECONDS.toNanos(parameters.handshake().timeoutSecs());
        this.throttleNanos = TimeUnit.MILLISECONDS.toNanos(parameters.throttleDelayMs());
        this.flowControlNanos = TimeUnit.MILLISECONDS.toNanos(parameters.flowControlDelayMs());
        this.allowedFingerprints = parameters.peerTrust().allowedFingerprints();
    }
}
