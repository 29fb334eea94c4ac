package org.summoner.relay.cluster;

import java.io.IOException;

/**
 * How the nodes of a relay cluster reach each other (SPEC section 11): a distributed engine the operator already runs
 * and trusts (a NATS cluster, Aeron streams), seen by the relay as frames to every other node or to one. A backplane
 * moves opaque frames; what they mean (a line and its route, a node's presence) is the core's {@link Cluster}, the
 * same for every backplane.
 *
 * <p>What a backplane promises: the frames one node publishes reach each other node at most once and in the order
 * published (per publisher); a node never gets its own frames back. It may lose frames while a link is down, and
 * says so: {@link #publish} returns false for a frame it could not send, and the backplane logs its link's changes.
 *
 * <p>{@link #publish} is called by every engine thread at once, and must be thread-safe and must not block for
 * long (a bounded wait under back pressure at most). Frames arrive on the backplane's own thread(s), through the
 * {@link Receiver} the context gives, one at a time per publishing node.
 */
public interface Backplane extends AutoCloseable {
    /** Where received frames go. */
    interface Receiver {
        /**
         * A frame from another node: {@code frame[offset, offset + length)}, valid during the call only. Called on a
         * backplane thread, in each publisher's order; it may block briefly when the engine's hand-off is full (that is
         * the backplane's back pressure).
         */
        void onFrame(byte[] frame, int offset, int length);
    }

    /**
     * Connects (or starts connecting: a backplane that cannot reach its servers yet keeps trying, and the node serves
     * its own clients meanwhile) and starts delivering frames to the receiver.
     *
     * @throws IOException when it cannot start at all (e.g. a local UDP endpoint that cannot be bound); the message
     *                     names what failed.
     */
    void start() throws IOException;

    /**
     * Publishes {@code frame[offset, offset + length)} to every other node ({@code node} null) or to one node by name;
     * the bytes are copied or sent before this returns.
     *
     * @return false when it was not sent (no link now, or back pressure past the bounded wait): the caller counts it.
     */
    boolean publish(String node, byte[] frame, int offset, int length);

    /**
     * @return where the other nodes reach this one on this backplane (Aeron: its endpoint), told them in this node's
     *         presence, for a backplane that sends a frame for one node to that node alone ({@link #nodeAt}); null
     *         when they need not know (NATS: a subject per node).
     */
    default String address() {
        return null;
    }

    /**
     * Node {@code node} says it is reached at {@code address} (its {@link #address()}, in its presence, authenticated
     * when the cluster has a secret): from now on a frame for it may go to it alone. Called on the receiving thread, at
     * every presence of a node whose settings agree; until then a frame for a node goes where frames for every node go.
     */
    default void nodeAt(String node, String address) {
    }

    /** @return the largest frame {@link #publish} takes. */
    int maxFrameBytes();

    /** @return a short description for the start-up log, e.g. {@code nats nats://127.0.0.1:4222 subjects summoner.>}. */
    String describe();

    /** Stops sending and receiving and releases what it holds (connections, a media driver, its files). Idempotent. */
    @Override
    void close();
}
