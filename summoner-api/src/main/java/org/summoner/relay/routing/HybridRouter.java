package org.summoner.relay.routing;

import org.summoner.relay.core.Route;
import org.summoner.relay.core.Router;
import org.summoner.relay.core.Session;
import org.summoner.relay.identity.AuroraVerifier;

/**
 * {@code routing: hybrid} (SPEC section 7), per line in this order: a line that claims a signature (it holds the
 * sender-identity path) is handled exactly as in {@code dedicated}, and rejected, never broadcast, when it fails a
 * check; a directive from a host is handled as in {@code hosted}; every other line is broadcast to every other
 * client, hosts included. A host binds with a signed envelope to no one ({@code "to": null}), or with any envelope a
 * dedicated rule lets through. A line that cannot be a JSON object is broadcast unparsed.
 *
 * <p>Thread-safe (immutable).
 */
final class HybridRouter implements Router {
    private final SignedEnvelopes envelopes;
    private final HostDirectives directives;

    HybridRouter(SignedEnvelopes envelopes, HostDirectives directives) {
        this.envelopes = envelopes;
        this.directives = directives;
    }

    @Override
    public void route(Session sender, byte[] line, int offset, int length, Decision decision) {
        if (SignedEnvelopes.mayBeObject(line, offset, length)) {
            final Object parsed = SignedEnvelopes.parse(line, offset, length);
            if (envelopes.claimsSignature(parsed)) {
                final AuroraVerifier.Verdict verdict = envelopes.verifyDedicated(sender, parsed);
                if (!SignedEnvelopes.stops(verdict, decision)) {
                    envelopes.deliver(sender, verdict, line, offset, length, decision);
                }
                return;
            }
            if (directives.handle(sender, parsed, decision)) {
                return;
            }
        }
        decision.relay(Route.BROADCAST, line, offset, length);
    }
}
