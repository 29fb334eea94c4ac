package org.summoner.relay.routing;

import org.summoner.relay.core.RelayCore;
import org.summoner.relay.core.Route;
import org.summoner.relay.core.Router;
import org.summoner.relay.core.Session;
import org.summoner.relay.identity.AuroraVerifier;
import org.summoner.relay.wire.ServerNotice;

/**
 * {@code routing: hosted} (SPEC section 7): a connection whose valid signed envelope's sender is one of
 * {@code hosted_relay.host_fingerprints} is a host (that line binds it and is not relayed); every other connection
 * is a participant. A participant's line goes to the hosts and no one else, or is refused when none is connected;
 * a host's directive goes to the participants it names ({@link HostDirectives}), any other host line to every
 * participant.
 *
 * <p>A line that claims a signature (it holds the sender-identity path) is verified, whoever sends it: one that fails
 * is rejected, as in every mode that reads signatures, so a host reading a forwarded signed line knows the relay
 * checked it; a valid one binds an unbound connection (a participant's can then be named by {@code fp:}) and must
 * match a bound one's identity. A line that cannot be a JSON object is not parsed.
 *
 * <p>Thread-safe (immutable).
 */
final class HostedRouter implements Router {
    private final RelayCore core;
    private final SignedEnvelopes envelopes;
    private final HostDirectives directives;

    HostedRouter(RelayCore core, SignedEnvelopes envelopes, HostDirectives directives) {
        this.core = core;
        this.envelopes = envelopes;
        this.directives = directives;
    }

    @Override
    public void route(Session sender, byte[] line, int offset, int length, Decision decision) {
        if (SignedEnvelopes.mayBeObject(line, offset, length)) {
            final Object parsed = SignedEnvelopes.parse(line, offset, length);
            if (directives.handle(sender, parsed, decision)) {
                return;
            }
            if (envelopes.claimsSignature(parsed)) {
                final AuroraVerifier.Verdict verdict = envelopes.verifyBinding(sender, parsed);
                if (SignedEnvelopes.stops(verdict, decision)) {
                    return;
                }
                final boolean wasHost = sender.isHost();
                if (!envelopes.bindOrMatch(sender, verdict, decision)) {
                    return;
                }
                if (sender.isHost() && !wasHost) {
                    return; // the host's binding envelope: binds, and is not relayed
                }
            }
        }
        if (sender.isHost()) {
            decision.relay(Route.PARTICIPANTS, line, offset, length);
        } else if (core.hostsAnywhere() == 0) {
            decision.refuse(ServerNotice.NO_HOST);
        } else {
            decision.relay(Route.HOSTS, line, offset, length);
        }
    }
}
