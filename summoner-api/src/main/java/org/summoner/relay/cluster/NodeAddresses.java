package org.summoner.relay.cluster;

/**
 * How a host tells apart participants of different nodes that show the same {@code ip:port} (two clients behind one
 * NAT, seen by two nodes): the {@code remote_addr} of a client of another node reaches this node's hosts qualified by
 * that node's name, {@code 203.0.113.7:40000@node-b}, and a directive naming {@code 203.0.113.7:40000@node-b} goes to
 * that node's participant only. Every other client sees addresses as their own node saw them (SPEC section 11), and
 * an address without a node in a directive names a participant of the host's own node.
 *
 * <p>A node name is 1 to 64 letters, digits, {@code -} or {@code _} ({@link ClusterFrames#MAX_NODE_NAME}), so the
 * last {@code @} of a qualified address always separates the two.
 */
final class NodeAddresses {
    static final char SEPARATOR = '@';

    private NodeAddresses() {
    }

    /** @return {@code address} qualified by {@code node}: {@code 127.0.0.1:54321@node-b}. */
    static String qualified(String address, String node) {
        return address + SEPARATOR + node;
    }

    /**
     * @return the address {@code name} names on node {@code here}: {@code name} when it names no node, its address when
     *         it names {@code here}, null when it names another node.
     */
    static String addressHere(String name, String here) {
        final int at = name.lastIndexOf(SEPARATOR);
        if (at < 0) {
            return name;
        }
        return name.length() - at - 1 == here.length() && name.startsWith(here, at + 1) ? name.substring(0, at) : null;
    }

    /**
     * Writes into {@code out} the envelope {@code frame[envelope, end)} (one envelope, as {@link ClusterFrames#isOneEnvelope}
     * checked) with its {@code remote_addr} qualified by {@code node}.
     *
     * @return the length written, or -1 when it would be longer than {@code out} (the node's {@code max_envelope_bytes}).
     */
    static int qualify(byte[] frame, int envelope, int end, byte[] node, byte[] out) {
        final int addressEnd = EnvelopeBytes.jsonStringEnd(frame, envelope + ClusterFrames.ENVELOPE_START.length, end);
        final int length = end - envelope + 1 + node.length;
        if (addressEnd < 0 || length > out.length) {
            return -1;
        }
        final int head = addressEnd - envelope;
        System.arraycopy(frame, envelope, out, 0, head);
        out[head] = (byte) SEPARATOR;
        System.arraycopy(node, 0, out, head + 1, node.length);
        System.arraycopy(frame, addressEnd, out, head + 1 + node.length, end - addressEnd);
        return length;
    }
}
