package org.summoner.relay.core;

/**
 * Where lines relayed by the other nodes of this relay's cluster ({@code cluster}, SPEC section 11) come in: the
 * counterpart of {@link OtherNodes}. The cluster mechanism calls it from one thread, in order; it hands each envelope
 * to every local session its route includes, as if a local client had sent it, keeping that order.
 */
@FunctionalInterface
public interface FromOtherNodes {
    /**
     * Hands {@code envelope[offset, offset + length)} (valid during the call only: copy it) to every local session
     * {@code route} includes ({@link Route#includes}). Waits (bounded) while the engine's hand-off is full: the back
     * pressure of the backplane.
     */
    void relayFromCluster(byte[] envelope, int offset, int length, Route route);
}
