package org.summoner.relay.routing;

import org.summoner.relay.config.DedicatedRelay;
import org.summoner.relay.core.Bindings;
import org.summoner.relay.core.RelayCore;
import org.summoner.relay.core.Router;
import org.summoner.relay.core.Session;
import org.summoner.relay.identity.AuroraVerifier;
import org.summoner.relay.spi.RelayCounters;
import org.summoner.relay.wire.Rejection;

import java.util.Map;
import java.util.Set;

/**
 * {@code routing: dedicated} (SPEC section 7, Summoner's {@code dedicated_relay} plan): every line must be a valid
 * Aurora envelope from an allowed sender; it binds its connection to the sender's fingerprint, and goes only to the
 * connections bound to its receiver, if the policy allows the pair. Checks run cheapest first: JSON and the paths,
 * the sender allowed, the identity signatures, the envelope signature, the same identity as the connection's, the
 * receiver allowed, the graph edge, the receiver connected. Anything else is rejected with its reason.
 *
 * <p>Thread-safe (immutable; the bindings are the core's).
 */
final class DedicatedRouter implements Router {
    private final AuroraVerifier verifier;
    private final Bindings bindings;
    private final RelayCounters counters;
    private final Set<String> allowed;
    private final Map<String, Set<String>> graph;
    private final DedicatedRelay.Policy policy;
    private final AuroraVerifier.SenderCheck senderCheck;

    DedicatedRouter(RelayCore core, DedicatedRelay settings) {
        final DedicatedRelay.Paths paths = settings.paths();
        this.verifier = new AuroraVerifier(AuroraVerifier.Paths.of(paths.envelopeRoot(), paths.senderIdentity(),
                paths.receiverIdentity(), paths.envelopeSignature(), paths.senderSigningKey(), paths.senderIdentitySignature()));
        this.bindings = core.bindings();
        this.counters = core.counters();
        this.allowed = settings.allowedFingerprints();
        this.graph = settings.communicationGraph();
        this.policy = settings.policy();
        this.senderCheck = allowed == null ? AuroraVerifier.SenderCheck.ANYONE
                : fingerprint -> allowed.contains(fingerprint) ? null : Rejection.SENDER_NOT_ALLOWED;
    }

    @Override
    public void route(Session sender, byte[] line, int offset, int length, Decision decision) {
        final AuroraVerifier.Verdict verdict = verifier.verify(line, offset, length, senderCheck, sender.identityMemo());
        if (!verdict.valid()) {
            decision.reject(verdict.rejection());
            return;
        }
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
        if (bound == null) {
            sender.bind(from); // the first valid signed envelope binds the connection
        }
        if (to == null) {
            return; // binds, and is not relayed
        }
        if (policy.rejectUnknownReceiver() && allowed != null && !allowed.contains(to)) {
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
        final Bindings.Binding receiver = bindings.find(to);
        if (receiver == null) {
            if (policy.rejectWhenReceiverDisconnected()) {
                decision.reject(Rejection.RECEIVER_NOT_CONNECTED);
            } else {
                counters.lineUndeliverable();
            }
            return;
        }
        decision.relay(receiver.route(), line, offset, length);
    }
}
