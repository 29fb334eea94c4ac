package org.summoner.relay.core;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.summoner.relay.identity.IdentityMemo;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Who one connection is (SPEC section 7): the identity it is bound to, whether it is a host, whether relayed lines
 * reach it, the challenge it was sent and what its identity records verified to. Routers bind it; routes read it.
 *
 * <p>Part of its {@link Session}, on its thread; not thread-safe, but {@link #fingerprint()} and {@link #isHost()}
 * may be read from any thread for monitoring: values only its thread writes, as fresh as the last turn.
 */
public final class SessionIdentity {
    private static final Logger log = LoggerFactory.getLogger(Session.class);
    private static final SecureRandom NONCES = new SecureRandom();

    private final Session session;
    private final RelayCore core;
    /** The identity this connection is bound to, or null. */
    private Bindings.Binding binding;
    /** Bound to one of the configured hosts' identities ({@code routing: hosted}, {@code hybrid}). */
    private volatile boolean host;
    /**
     * Whether relayed lines reach it: from {@link Session#start()} on (over TLS, once the TLS handshake is done), but
     * with {@code handshake.required} only once it is bound.
     */
    private boolean receiving;
    private IdentityMemo memo;
    /** {@code handshake.challenge}: the nonce this connection was sent, or null. */
    private String challenge;

    SessionIdentity(Session session, RelayCore core) {
        this.session = session;
        this.core = core;
    }

    /** @return the fingerprint this connection is bound to, or null while it is not bound. */
    public String fingerprint() {
        return binding == null ? null : binding.fingerprint();
    }

    /** @return the id of this connection's binding, 0 while it is not bound; what {@link Route#KIND_BINDING} matches. */
    public long bindingId() {
        return binding == null ? 0 : binding.id();
    }

    /**
     * @return whether relayed lines reach this connection: with {@code handshake.required}, not before it is bound
     *         (an unauthenticated socket sees nothing).
     */
    public boolean isReceiving() {
        return receiving;
    }

    /** @return whether this connection is bound to a host's identity. */
    public boolean isHost() {
        return host;
    }

    /**
     * Binds this connection to {@code fingerprint}, for as long as it is open; called by a router once a valid signed
     * envelope proved it. A connection is bound once: a router refuses another fingerprint ({@code identity_mismatch}).
     * Bound to one of {@code hosted_relay.host_fingerprints} in {@code hosted} or {@code hybrid}, it is a host. A
     * pending handshake is complete.
     */
    public void bind(String fingerprint) {
        if (binding != null) {
            throw new IllegalStateException(session.remoteAddr() + " is bound to " + binding.fingerprint() + " already");
        }
        binding = core.bindings().bind(fingerprint);
        receiving = true;
        if (core.isHostIdentity(fingerprint)) {
            host = true;
            core.hostJoined();
        }
        if (session.dispatcher().handshakeDone(session)) {
            core.counters().handshakeCompleted();
        }
        core.membershipChanged();
        log.debug("{} bound to {}{}", session.remoteAddr(), fingerprint, host ? " as a host" : "");
    }

    /**
     * @return the nonce of the challenge this connection was sent ({@code handshake.challenge}), or null when it was
     *         sent none.
     */
    public String challenge() {
        return challenge;
    }

    /** @return what this connection's identity records verified to, so each is checked once, not per line. */
    public IdentityMemo memo() {
        if (memo == null) {
            memo = new IdentityMemo();
        }
        return memo;
    }

    /** @return the memo, or null while no identity record of this connection was checked. */
    IdentityMemo memoOrNull() {
        return memo;
    }

    /**
     * @return whether its lines wait for a binding ({@code handshake.required} when it started, not bound yet); a
     *         connection open before a reload turned the requirement on is not held to it.
     */
    public boolean mustBind() {
        return !receiving;
    }

    /**
     * A reload lifted {@code handshake.required} while this connection waited to bind: it receives relayed lines from
     * now on and its deadline is gone.
     */
    void handshakeLifted() {
        receiving = true;
        session.dispatcher().handshakeDone(session);
    }

    /** The session started without a handshake to wait for: relayed lines reach it from now on. */
    void receiveNow() {
        receiving = true;
    }

    /**
     * @return a new nonce for {@code handshake.challenge}, which this connection is sent, and remembered: 32 bytes from
     *         {@link SecureRandom}, as base64url without padding (43 characters).
     */
    String newChallenge() {
        final byte[] nonce = new byte[32];
        NONCES.nextBytes(nonce);
        challenge = Base64.getUrlEncoder().withoutPadding().encodeToString(nonce);
        return challenge;
    }

    /** The session is gone: its binding and its place as a host are given up. */
    void released() {
        if (binding != null) {
            core.bindings().release(binding);
        }
        if (host) {
            core.hostLeft();
        }
    }

    /** @return {@code {"handshake":"challenge","nonce":"<nonce>"}} and its {@code \n} (the nonce needs no escaping). */
    static byte[] challengeLine(String nonce) {
        return ("{\"handshake\":\"challenge\",\"nonce\":\"" + nonce + "\"}\n").getBytes(StandardCharsets.US_ASCII);
    }
}
