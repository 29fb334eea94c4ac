package org.summoner.relay.routing;

import org.summoner.relay.core.Router;
import org.summoner.relay.core.Session;
import org.summoner.relay.identity.AuroraVerifier;
import org.summoner.relay.wire.Rejection;
import org.summoner.relay.wire.ServerNotice;

import java.util.Map;

/**
 * {@code handshake.required} (SPEC section 9), in front of any mode's router: until its connection is bound, a
 * client's lines are not relayed. A line that claims a signature is verified ({@code peer_trust.allowed_fingerprints}
 * decides who may bind) and, with {@code handshake.challenge}, its envelope's payload must be an object holding
 * the connection's nonce as {@code "challenge"} ({@code challenge_mismatch}); a valid one binds the connection (as
 * a host when it is one) and is not relayed. Any other line is refused with the handshake warning. Once bound, the
 * mode's router has every line.
 *
 * <p>Thread-safe (immutable).
 */
final class HandshakeGate implements Router {
    private final Router mode;
    private final SignedEnvelopes envelopes;

    HandshakeGate(Router mode, SignedEnvelopes envelopes) {
        this.mode = mode;
        this.envelopes = envelopes;
    }

    @Override
    public void route(Session sender, byte[] line, int offset, int length, Decision decision) {
        if (sender.fingerprint() != null || !sender.identity().mustBind()) { // bound, or connected before a reload required it
            mode.route(sender, line, offset, length, decision);
            return;
        }
        final Object parsed = SignedEnvelopes.mayBeObject(line, offset, length) ? SignedEnvelopes.parse(line, offset, length) : null;
        if (!envelopes.claimsSignature(parsed)) {
            decision.refuse(ServerNotice.HANDSHAKE_REQUIRED);
            return;
        }
        final AuroraVerifier.Verdict verdict = envelopes.verifyBinding(sender, parsed);
        if (SignedEnvelopes.stops(verdict, decision)) {
            return;
        }
        if (sender.identity().challenge() != null && !answers(verdict.envelope(), sender.identity().challenge())) {
            decision.reject(Rejection.CHALLENGE_MISMATCH);
            return;
        }
        if (envelopes.firstUse(verdict, decision)) {
            sender.identity().bind(verdict.sender()); // completes the handshake; not relayed
        }
    }

    /** @return whether the envelope's payload is an object holding exactly {@code nonce} as {@code "challenge"}. */
    private static boolean answers(Map<String, Object> envelope, String nonce) {
        return envelope.get("payload") instanceof Map<?, ?> payload && nonce.equals(payload.get("challenge"));
    }
}
