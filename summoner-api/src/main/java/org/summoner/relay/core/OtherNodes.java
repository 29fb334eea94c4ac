package org.summoner.relay.core;

import java.util.Set;

/**
 * The other nodes of this relay's cluster ({@code cluster}, SPEC section 11), as the core reaches them: where a line
 * goes when its route includes clients elsewhere, and who is bound or connected there. Given to {@link RelayCore} at
 * construction, so the core knows this interface and nothing of backplanes; implemented by the cluster mechanism.
 *
 * <p>Thread-safe: engine threads call it.
 */
public interface OtherNodes {
    /** @return the bytes of the largest frame {@link #offer} makes: each engine thread keeps one such array. */
    int frameBytes();

    /**
     * Sends {@code envelope[0, length)} to the other nodes whose clients {@code route} may include, framed in
     * {@code scratch} (the calling thread's array of {@link #frameBytes()}).
     */
    void offer(Route route, byte[] envelope, int length, byte[] scratch);

    /** @return the route to the connections bound to {@code fingerprint} on other nodes, or null when none is. */
    Route identityElsewhere(String fingerprint);

    /** @return the route to the participant whose {@code remote_addr} is {@code remoteAddr} on another node, or null. */
    Route participantElsewhere(String remoteAddr);

    /** @return the connections bound as hosts on the other nodes. */
    int hostsElsewhere();

    /** @return the other nodes heard from now. */
    Set<String> nodes();
}
