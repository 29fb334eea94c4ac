package org.summoner.relay.routing;

import org.summoner.relay.config.DedicatedRelay;
import org.summoner.relay.core.Route;
import org.summoner.relay.core.RelayCore;
import org.summoner.relay.core.Router;
import org.summoner.relay.core.Session;
import org.summoner.relay.identity.AuroraVerifier;
import org.summoner.relay.identity.Json;
import org.summoner.relay.wire.Rejection;

import java.util.Map;
import java.util.Set;

/**
 * Signed envelopes as every mode that reads them does (SPEC sections 7 and 8): where they are in a line
 * ({@code dedicated_relay.paths}), who may bind ({@code peer_trust.allowed_fingerprints}, and
 * {@code dedicated_relay.allowed_fingerprints} for the dedicated rules), the binding rule (the first valid one binds a
 * connection, another identity later is {@code identity_mismatch}), and the dedicated delivery of one
 * ({@link #deliver}). One per configuration (a reload makes another), shared by its routers; the replay memory is
 * the server's.
 *
 * <p>Thread-safe (immutable; the bindings are the core's).
 */
final class SignedEnvelopes {
    private final AuroraVerifier verifier;
    private final RelayCore core;
    private final Set<String> dedicatedAllowed;
    private final Map<String, Set<String>> graph;
    private final DedicatedRelay.Policy policy;
    private final AuroraVerifier.SenderCheck mayBind;
    private final AuroraVerifier.SenderCheck maySendDedicated;
    private final ReplayGuard replays;

    SignedEnvelopes(RelayCore core) {
        final DedicatedRelay settings = core.routingConfig().hyperParameters().routing().dedicated();
        final DedicatedRelay.Paths paths = settings.paths();
        this.verifier = new AuroraVerifier(AuroraVerifier.Paths.of(paths.envelopeRoot(), paths.senderIdentity(),
                paths.receiverIdentity(), paths.envelopeSignature(), paths.senderSigningKey(), paths.senderIdentitySignature()));
        this.core = core;
        this.dedicatedAllowed = settings.allowedFingerprints();
        this.graph = settings.communicationGraph();
        this.policy = settings.policy();
        final Set<String> trusted = core.routingConfig().hyperParameters().peerTrust().allowedFingerprints();
        this.mayBind = allowedBy(trusted, AuroraVerifier.SenderCheck.ANYONE);
        this.maySendDedicated = allowedBy(dedicatedAllowed, mayBind);
        // One memory per server, not per router: a reload's new router must not forget the envelopes already used.
        this.replays = core.keep(ReplayGuard.class, () -> new ReplayGuard(settings.replay(), () -> System.currentTimeMillis() / 1000));
    }

    private static AuroraVerifier.SenderCheck allowedBy(Set<String> allowed, AuroraVerifier.SenderCheck first) {
        if (allowed == null) {
            return first;
        }
        return fingerprint -> {
            final Rejection refused = first.check(fingerprint);
            return refused != null ? refused : allowed.contains(fingerprint) ? null : Rejection.SENDER_NOT_ALLOWED;
        };
    }

    /** @return the parsed line, or null when it is not JSON (a JSON {@code null} parses to {@link Json#NULL}). */
    static Object parse(byte[] line, int offset, int length) {
        try {
            return Json.parse(line, offset, length);
        } catch (Json.NotJson e) {
            return null;
        }
    }

    /**
     * @return whether the line may be a JSON object, from its first byte that is not JSON whitespace: a line that is
     *         not cannot claim a signature nor be a directive, and needs no parsing.
     */
    static boolean mayBeObject(byte[] line, int offset, int length) {
        for (int i = offset; i < offset + length; i++) {
            final byte b = line[i];
            if (b != ' ' && b != '\t' && b != '\r' && b != '\n') {
                return b == '{';
            }
        }
        return false;
    }

    /**
     * @return whether the router is done with a line for its verdict: refused (the decision is told so), or pending (its
     *         signature checks were deferred: the core has them computed off this thread and routes the line again
     *         once they are known; nothing is decided now).
     */
    static boolean stops(AuroraVerifier.Verdict verdict, Router.Decision decision) {
        if (verdict.pending()) {
            return true;
        }
        if (!verdict.valid()) {
            decision.reject(verdict.rejection());
            return true;
        }
        return false;
    }

    /** @return whether a parsed line holds a value at the sender-identity path: it claims to be a signed envelope. */
    boolean claimsSignature(Object parsed) {
        return parsed != null && verifier.claimsSignature(parsed);
    }

    /**
     * Verifies a parsed line whose sender may bind a connection ({@code peer_trust.allowed_fingerprints}): fresh
     * ({@link ReplayGuard}), then its signatures. A valid one is used once at most: see {@link #firstUse}.
     */
    AuroraVerifier.Verdict verifyBinding(Session sender, Object parsed) {
        return verifier.verify(parsed, mayBind, replays, sender.identity().memo());
    }

    /** Verifies a parsed line for the dedicated rules: its sender may also send ({@code dedicated_relay.allowed_fingerprints}). */
    AuroraVerifier.Verdict verifyDedicated(Session sender, Object parsed) {
        return verifier.verify(parsed, maySendDedicated, replays, sender.identity().memo());
    }

    /** Parses and verifies a line for the dedicated rules. */
    AuroraVerifier.Verdict verifyDedicated(Session sender, byte[] line, int offset, int length) {
        return verifier.verify(line, offset, length, maySendDedicated, replays, sender.identity().memo());
    }

    /**
     * A valid envelope is about to take effect (bind a connection, be relayed): the first use within the replay window
     * goes on; any other is rejected as {@code replayed}. Asked at the point of use, after every other rule, so that a
     * copy refused for another reason (a thief's, without the nonce) does not use up the genuine envelope.
     *
     * @return whether the envelope may take effect.
     */
    boolean firstUse(AuroraVerifier.Verdict verdict, Router.Decision decision) {
        if (replays.remember(verdict)) {
            return true;
        }
        decision.reject(Rejection.REPLAYED);
        return false;
    }

    /**
     * The binding rule for a valid envelope: an unbound connection is bound to its sender; a bound one must be
     * bound to that sender already, else the line is rejected ({@code identity_mismatch}).
     *
     * @return whether the line may go on.
     */
    boolean bindOrMatch(Session sender, AuroraVerifier.Verdict verdict, Router.Decision decision) {
        final String bound = sender.fingerprint();
        if (bound != null && !bound.equals(verdict.sender())) {
            decision.reject(Rejection.IDENTITY_MISMATCH);
            return false;
        }
        if (!firstUse(verdict, decision)) {
            return false;
        }
        if (bound == null) {
            sender.identity().bind(verdict.sender());
        }
        return true;
    }

    /**
     * A valid envelope, as {@code dedicated} delivers it: the same identity as the connection's, a receiver unless
     * {@code allow_null_receiver_binding} (a null receiver binds and is not relayed), then bound; the receiver
     * allowed, the graph's edge, the receiver connected; to every connection bound to the receiver.
     */
    void deliver(Session sender, AuroraVerifier.Verdict verdict, byte[] line, int offset, int length, Router.Decision decision) {
        final String from = verdict.sender();
        final String bound = sender.fingerprint();
        if (bound != null && !bound.equals(from)) {
            decision.reject(Rejection.IDENTITY_MISMATCH);
            return;
        }
        final String to = verdict.receiver();
        if (to == null && !policy.allowNullReceiverBinding()) {
            decision.reject(Rejection.RECEIVER_NOT_ALLOWED);
            return;
        }
        if (to == null) {
            if (bound != null) {
                decision.reject(Rejection.ALREADY_BOUND); // it would do nothing: a signature check for no one
                return;
            }
            if (firstUse(verdict, decision)) {
                sender.identity().bind(from); // binds, and is not relayed
            }
            return;
        }
        if (policy.rejectUnknownReceiver() && dedicatedAllowed != null && !dedicatedAllowed.contains(to)) {
            decision.reject(Rejection.RECEIVER_NOT_ALLOWED);
            return;
        }
        if (graph != null) {
            final Set<String> edges = graph.get(from);
            if (edges == null || !edges.contains(to)) {
                decision.reject(Rejection.EDGE_NOT_ALLOWED);
                return;
            }
        }
        final Route receiver = core.routeToIdentity(to); // on this node or another of its cluster
        if (receiver != null || bound == null) { // it will be relayed, or bind its connection at least
            if (!firstUse(verdict, decision)) {
                return;
            }
            if (bound == null) {
                sender.identity().bind(from); // the first valid signed envelope binds the connection, delivered or not
            }
        }
        if (receiver == null) {
            if (policy.rejectWhenReceiverDisconnected()) {
                decision.reject(Rejection.RECEIVER_NOT_CONNECTED);
            } else {
                decision.wasted(Rejection.RECEIVER_NOT_CONNECTED);
            }
            return;
        }
        decision.relay(receiver, line, offset, length);
    }
}
