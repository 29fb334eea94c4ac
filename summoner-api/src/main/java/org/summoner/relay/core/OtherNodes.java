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
    /**
     * One engine thread's lines for the other nodes, gathered into frames that carry many lines ({@link #offer}) and
     * sent when a frame is full, when the lines go elsewhere than the frame, and at the end of the thread's turn
     * ({@link #flush}): a line waits one turn at most.
     *
     * <p>Owned by one engine thread (or used under the one lock of an engine that has no threads of its own); not
     * thread-safe.
     */
    interface Outbox {
        /**
         * Gathers {@code envelope[0, length)} (copied before this returns) for the other nodes whose clients
         * {@code route} may include, after the lines gathered before it.
         */
        void offer(Route route, byte[] envelope, int length);

        /** Sends what was gathered: the engine thread's turn ends. */
        void flush();
    }

    /** @return a new, empty outbox: one per engine thread. */
    Outbox outbox();

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
