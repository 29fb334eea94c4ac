package org.summoner.relay.routing;

import org.summoner.relay.core.Router;
import org.summoner.relay.core.Session;
import org.summoner.relay.identity.AuroraVerifier;

/**
 * {@code routing: dedicated} (SPEC section 7, Summoner's {@code dedicated_relay} plan): every line must be a valid
 * Aurora envelope from an allowed sender; it binds its connection to the sender's fingerprint, and goes only to the
 * connections bound to its receiver, if the policy allows the pair. Checks run cheapest first: JSON and the paths,
 * the sender allowed, the identity signatures, the envelope signature, the same identity as the connection's, the
 * receiver allowed, the graph edge, the receiver connected ({@link SignedEnvelopes#deliver}). Anything else is
 * rejected with its reason.
 *
 * <p>Thread-safe (immutable).
 */
final class DedicatedRouter implements Router {
    private final SignedEnvelopes envelopes;

    DedicatedRouter(SignedEnvelopes envelopes) {
        this.envelopes = envelopes;
    }

    @Override
    public void route(Session sender, byte[] line, int offset, int length, Decision decision) {
        final AuroraVerifier.Verdict verdict = envelopes.verifyDedicated(sender, line, offset, length);
        if (SignedEnvelopes.stops(verdict, decision)) {
            return;
        }
        envelopes.deliver(sender, verdict, line, offset, length, decision);
    }
}
