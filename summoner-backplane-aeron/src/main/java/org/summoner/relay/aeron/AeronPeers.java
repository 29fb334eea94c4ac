package org.summoner.relay.aeron;

import io.aeron.Aeron;
import io.aeron.Publication;
import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.summoner.relay.wire.Untrusted;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A publication per peer, and which node is at which peer: a frame for every node is offered to each peer's
 * publication, a frame for one node to that node's alone once its presence said where it is (its endpoint, matched
 * against {@code cluster.aeron.peers}); until then, or when its endpoint matches no peer, to every peer, as a frame for
 * every node, and the others drop it by its header. So no frame goes to a node that needs none, and a line for an
 * identity bound on two nodes reaches each once.
 *
 * <p>Each publication is a multi-destination one with a single destination ({@code control-mode=manual},
 * {@code fc=min,t:}): a peer that stopped answering (killed) holds it back for the flow-control timeout at most. A
 * publication whose peer stopped answering is replaced by a new one ({@link #refresh}, on the poller): what was
 * written to it meanwhile, never sent, is dropped, so a node started again on that endpoint joins a fresh stream and
 * gets no lines from before it started (one publication to every peer had a live peer keep it moving). Back
 * pressure is waited for at most {@link #OFFER_WAIT_NANOS} per peer; after a wait in vain, that peer's frames that meet
 * back pressure are not waited for during {@link #NO_WAIT_NANOS}.
 *
 * <p>{@link #publish} is called by every engine thread at once (Aeron's publications are thread-safe, and each sender's
 * frames go in its order to each peer); {@link #nodeAt} by the poller.
 */
final class AeronPeers implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AeronPeers.class);
    static final long OFFER_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    static final long NO_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    /** Node names remembered with their peer; past this (names that came and went), forgotten and learned again. */
    private static final int MAX_NODES = 256;

    /** One peer's publication, and until when its back pressure is not waited for. */
    private static final class Peer {
        final AeronSettings.HostPort endpoint;
        volatile Publication publication;
        volatile long noWaitUntilNanos = System.nanoTime();
        /** Whether its publication was connected at the last {@link #refresh}: the poller's. */
        boolean wasConnected;

        Peer(AeronSettings.HostPort endpoint, Publication publication) {
            this.endpoint = endpoint;
            this.publication = publication;
        }
    }

    private final Aeron aeron;
    private final String channel;
    private final int streamId;
    private final Peer[] peers;
    private final ConcurrentHashMap<String, Peer> byNode = new ConcurrentHashMap<>();
    /** The address each node said last, so an unchanged presence costs a map lookup. */
    private final Map<String, String> said = new ConcurrentHashMap<>();
    private final ThreadLocal<UnsafeBuffer> frames = ThreadLocal.withInitial(() -> new UnsafeBuffer(new byte[0]));

    /** Adds a publication to each peer on {@code channel} (a manual multi-destination channel) and stream. */
    AeronPeers(Aeron aeron, String channel, int streamId, List<AeronSettings.HostPort> endpoints) {
        this.aeron = aeron;
        this.channel = channel;
        this.streamId = streamId;
        final List<Peer> made = new ArrayList<>();
        try {
            for (AeronSettings.HostPort endpoint : endpoints) {
                made.add(new Peer(endpoint, publication(endpoint)));
            }
        } catch (RuntimeException e) {
            made.forEach(peer -> CloseHelper.quietClose(peer.publication));
            throw e;
        }
        this.peers = made.toArray(new Peer[0]);
    }

    private Publication publication(AeronSettings.HostPort endpoint) {
        final Publication publication = aeron.addPublication(channel, streamId);
        try {
            publication.addDestination("aeron:udp?endpoint=" + endpoint);
        } catch (RuntimeException e) {
            CloseHelper.quietClose(publication);
            throw e;
        }
        return publication;
    }

    /**
     * Replaces the publication of each peer that stopped answering since the last call (connected then, not now) by a
     * new one: what was written to the old one and never sent goes with it. Called by the poller, now and then.
     */
    void refresh() {
        for (Peer peer : peers) {
            final Publication publication = peer.publication;
            final boolean connected = publication.isConnected();
            if (peer.wasConnected && !connected) {
                try {
                    peer.publication = publication(peer.endpoint);
                    CloseHelper.quietClose(publication);
                    log.info("cluster: aeron peer {} stopped answering: its stream starts afresh when it is back", peer.endpoint);
                } catch (RuntimeException e) {
                    log.warn("cluster: aeron peer {} stopped answering and its stream could not be renewed: {}", peer.endpoint,
                            Untrusted.text(e.toString()));
                }
            }
            peer.wasConnected = connected;
        }
    }

    /** @return the largest frame every publication takes. */
    int maxMessageLength() {
        int max = Integer.MAX_VALUE;
        for (Peer peer : peers) {
            max = Math.min(max, peer.publication.maxMessageLength());
        }
        return max;
    }

    /**
     * @return whether the frame was written: for the peer of node {@code node} when it is known, else for at least one
     *         peer that listens (none listening, or back pressure past the wait at every one: false). A peer that missed
     *         a frame the others got counts its lines as lost when the next one arrives (the gap in their numbers), so
     *         a frame is "not sent" only where no node has it.
     */
    boolean publish(String node, byte[] frame, int offset, int length) {
        final Peer to = node == null ? null : byNode.get(node);
        final UnsafeBuffer buffer = frames.get();
        buffer.wrap(frame, offset, length);
        if (to != null) {
            return offer(to, buffer, length) > 0;
        }
        boolean any = false;
        for (Peer peer : peers) {
            any |= offer(peer, buffer, length) > 0;
        }
        return any;
    }

    /** @return the publication's result: a position, or why not (after the bounded wait for back pressure). */
    private static long offer(Peer peer, UnsafeBuffer buffer, int length) {
        final Publication publication = peer.publication;
        if (length > publication.maxMessageLength()) {
            return Publication.MAX_POSITION_EXCEEDED;
        }
        long deadline = 0;
        while (true) {
            final long result = publication.offer(buffer, 0, length);
            if (result > 0 || result != Publication.BACK_PRESSURED && result != Publication.ADMIN_ACTION) {
                return result; // sent; or NOT_CONNECTED (the peer does not listen), CLOSED, MAX_POSITION_EXCEEDED
            }
            final long now = System.nanoTime();
            if (deadline == 0) {
                if (now - peer.noWaitUntilNanos < 0) {
                    return result; // a wait just failed: do not wait again yet
                }
                deadline = now + OFFER_WAIT_NANOS;
            } else if (now - deadline > 0) {
                peer.noWaitUntilNanos = now + NO_WAIT_NANOS;
                return result;
            }
            Thread.onSpinWait();
        }
    }

    /**
     * Node {@code node} says it listens at {@code address}: the peer whose endpoint is that address (the same text, the
     * same IP address and port, or for a node listening on every address, the one peer with its port), if any.
     */
    void nodeAt(String node, String address) {
        if (address.equals(said.get(node))) {
            return;
        }
        if (said.size() >= MAX_NODES) {
            said.clear();
            byNode.clear();
        }
        said.put(node, address);
        final Peer peer = match(AeronSettings.HostPort.parse(address));
        if (peer == null) {
            byNode.remove(node);
            log.info("cluster: node {} listens at {}, none of the peers: frames for it go to every peer",
                    Untrusted.text(node), Untrusted.text(address));
        } else {
            byNode.put(node, peer);
            log.info("cluster: node {} listens at {}: frames for it go to that peer alone", Untrusted.text(node), peer.endpoint);
        }
    }

    private Peer match(AeronSettings.HostPort said) {
        if (said == null) {
            return null;
        }
        for (Peer peer : peers) {
            if (peer.endpoint.equals(said)) {
                return peer;
            }
        }
        final InetAddress saidAddress = resolve(said.host());
        if (saidAddress == null) {
            return null;
        }
        Peer byPort = null;
        int samePort = 0;
        for (Peer peer : peers) {
            if (peer.endpoint.port() != said.port()) {
                continue;
            }
            samePort++;
            byPort = peer;
            if (saidAddress.equals(resolve(peer.endpoint.host()))) {
                return peer;
            }
        }
        return saidAddress.isAnyLocalAddress() && samePort == 1 ? byPort : null;
    }

    private static InetAddress resolve(String host) {
        try {
            return InetAddress.getByName(host);
        } catch (UnknownHostException | SecurityException e) {
            return null;
        }
    }

    @Override
    public void close() {
        for (Peer peer : peers) {
            CloseHelper.quietClose(peer.publication);
        }
    }
}
