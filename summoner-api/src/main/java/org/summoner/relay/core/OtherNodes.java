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

    /**
     * @return the route to the participant {@code qualifiedAddress} names on another node, its {@code remote_addr}
     *         qualified by that node ({@code 127.0.0.1:54321@node-b}, as this node's hosts see it), or null.
     */
    Route participantElsewhere(String qualifiedAddress);

    /**
     * @return the address of a participant of this node that {@code name} (in a host's directive) names: {@code name}
     *         itself when it names no node, the address without this node's name ({@code 127.0.0.1:54321@node-a} on
     *         {@code node-a}); null when it names another node (then {@link #participantElsewhere}).
     */
    String addressHere(String name);

    /** @return the connections bound as hosts on the other nodes. */
    int hostsElsewhere();

    /** @return the other nodes heard from now. */
    Set<String> nodes();
}
