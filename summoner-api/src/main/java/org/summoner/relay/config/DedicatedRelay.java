package org.summoner.relay.config;

import java.util.Map;
import java.util.Set;

/**
 * {@code hyper_parameters.dedicated_relay} (SPEC section 7), with the names of Summoner's own plan for its Rust server
 * ({@code DEDICATED_RELAY_PLAN.md}), so a Summoner operator's config moves over unchanged.
 *
 * @param enabled             selects {@code dedicated} when {@code routing} is absent.
 * @param allowedFingerprints senders that may send (and receivers that may receive, with
 *                            {@code reject_unknown_receiver}); null: any verified identity.
 * @param communicationGraph  {@code {fp: [fp, ...]}}: A may write to B only if B is in A's list; null: any pair.
 * @param paths               where the envelope and its parts are.
 */
public record DedicatedRelay(
        boolean enabled,
        String validationAdapter,
        Set<String> allowedFingerprints,
        Map<String, Set<String>> communicationGraph,
        Paths paths,
        Policy policy,
        InvalidAttempts invalidAttempts,
        Replay replay) {

    /**
     * {@code dedicated_relay.replay} (SPEC section 7): a signed envelope counts only while its {@code session_proof.ts}
     * lies within {@code windowSecs} of the server's clock, and only once within that window; at most
     * {@code maxEntries} envelopes are remembered (past that, the oldest are forgotten and envelopes as old as them
     * refused as stale).
     */
    public record Replay(long windowSecs, int maxEntries) {
    }

    /** {@code dedicated_relay.paths}: dot paths; {@code envelopeRoot} empty for the line itself. */
    public record Paths(String envelopeRoot, String senderIdentity, String receiverIdentity, String envelopeSignature,
                        String senderSigningKey, String senderIdentitySignature) {
    }

    /** {@code dedicated_relay.policy}. */
    public record Policy(boolean allowNullReceiverBinding, boolean rejectUnknownReceiver, boolean rejectWhenReceiverDisconnected) {
    }

    /**
     * {@code dedicated_relay.invalid_attempts}: rejected lines counted per IP over a sliding window of
     * {@code windowSecs}; at each threshold reading from that client is delayed, paused, the client closed, its IP
     * quarantined for {@code quarantineSecs}; at most {@code maxEntries} IPs are remembered.
     */
    public record InvalidAttempts(boolean enabled, long windowSecs, int throttleThreshold, int flowControlThreshold,
                                  int disconnectThreshold, int quarantineThreshold, long quarantineSecs, int maxEntries) {
    }
}
