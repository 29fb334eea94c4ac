package org.summoner.relay.cluster;

import org.summoner.relay.core.OtherNodes;
import org.summoner.relay.core.Route;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One engine thread's lines for the other nodes, gathered into LINE frames of many lines ({@link LineBatch}): one
 * frame under way to every node, or one per destination node, each sent when it is full and at the end of the
 * thread's turn ({@link #flush}), so a line waits one turn at most and no timer is needed.
 *
 * <p>Each sender's order holds at every node: what a node receives of this thread comes from the frame to every node
 * and the frame to it alone, so a line to every node first sends the frames to single nodes gathered before it, and a
 * line to a single node first sends the frame to every node. A line for several nodes (an identity bound on two) is
 * written in each one's frame: on a backplane that reaches nodes one by one, it reaches each node once.
 *
 * <p>Owned by one engine thread; not thread-safe. Allocates only when a frame's buffer grows.
 */
final class ClusterOutbox implements OtherNodes.Outbox {
    private static final int FIRST_BUFFER_BYTES = 4096;
    /** Destination nodes remembered; past this, forgotten at a flush (nodes that left, names from the past). */
    private static final int MAX_DESTINATIONS = 2 * ClusterDirectory.MAX_NODES;

    private final Cluster cluster;
    /** This thread's stream of line sequence numbers ({@link LineBatch}): a number of its own, at random. */
    private final int stream = ThreadLocalRandom.current().nextInt();
    private final byte[] origin;
    private final FrameSeal seal;
    /** The most bytes of a frame of several lines: {@link LineBatch#FRAME_BYTES}, or the backplane's less. */
    private final int frameBytes;
    private final Frame all;
    private final HashMap<String, Frame> byNode = new HashMap<>();
    /** The frames to single nodes that hold lines, in the order they began. */
    private final ArrayList<Frame> pending = new ArrayList<>();

    ClusterOutbox(Cluster cluster, byte[] origin, FrameSeal seal, int frameBytes) {
        this.cluster = cluster;
        this.origin = origin;
        this.seal = seal;
        this.frameBytes = frameBytes;
        this.all = new Frame(null, new byte[0]);
    }

    /** A frame under way to one destination (every node when {@code to} is null). */
    private final class Frame {
        final String to;
        final byte[] destination;
        final int headerBytes;
        byte[] buffer = new byte[0];
        int length;
        int lines;
        /** The sequence number of the next line sent to this destination on this thread's stream. */
        long nextLine;

        Frame(String to, byte[] destination) {
            this.to = to;
            this.destination = destination;
            this.headerBytes = ClusterFrames.headerBytes(origin, destination, seal);
        }

        void add(int kind, byte[] name, byte[] envelope, int envelopeLength) {
            final int lineBytes = LineBatch.lineBytes(name.length, envelopeLength);
            final int macBytes = seal == null ? 0 : FrameSeal.MAC_BYTES;
            if (lines > 0 && length + lineBytes + macBytes > frameBytes) {
                send();
            }
            if (lines == 0) {
                length = headerBytes + LineBatch.SEQUENCE_BYTES; // written when it is sent: the seal's sequence and time are the sending's
            }
            final int needed = length + lineBytes + macBytes;
            if (needed > buffer.length) {
                int size = Math.max(FIRST_BUFFER_BYTES, buffer.length);
                while (size < needed) {
                    size *= 2;
                }
                buffer = Arrays.copyOf(buffer, size);
            }
            length = LineBatch.write(buffer, length, kind, name, envelope, envelopeLength);
            lines++;
        }

        void send() {
            if (lines == 0) {
                return;
            }
            ClusterFrames.writeHeader(buffer, ClusterFrames.LINE, origin, destination, seal);
            LineBatch.writeSequence(buffer, headerBytes, stream, nextLine);
            final int sealed = seal == null ? length : seal.seal(buffer, length);
            final int sent = lines;
            lines = 0;
            length = 0;
            if (cluster.publish(to, buffer, sealed, sent)) {
                nextLine += sent; // a frame not sent is counted as not sent here, and leaves no gap at the others
            }
        }
    }

    @Override
    public void offer(Route route, byte[] envelope, int length) {
        cluster.offer(route, envelope, length, this);
    }

    /** A line to every node: after the frames to single nodes gathered before it. */
    void toAll(int kind, byte[] name, byte[] envelope, int length) {
        sendPending();
        all.add(kind, name, envelope, length);
    }

    /** A line to node {@code to}: after the frame to every node gathered before it. */
    void toNode(String to, int kind, byte[] name, byte[] envelope, int length) {
        all.send();
        Frame frame = byNode.get(to);
        if (frame == null) {
            frame = new Frame(to, to.getBytes(StandardCharsets.US_ASCII));
            byNode.put(to, frame);
        }
        if (frame.lines == 0) {
            pending.add(frame);
        }
        frame.add(kind, name, envelope, length);
    }

    private void sendPending() {
        for (int i = 0, n = pending.size(); i < n; i++) {
            pending.get(i).send();
        }
        pending.clear();
    }

    @Override
    public void flush() {
        all.send();
        if (!pending.isEmpty()) {
            sendPending();
        }
        if (byNode.size() > MAX_DESTINATIONS) {
            byNode.clear(); // every frame was sent: what is forgotten is buffers only
        }
    }
}
