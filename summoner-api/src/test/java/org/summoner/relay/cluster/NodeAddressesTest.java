package org.summoner.relay.cluster;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class NodeAddressesTest {
    private static final byte[] NODE_B = "node-b".getBytes(StandardCharsets.US_ASCII);

    @Test
    void anAddressNamesThisNodeWithoutANodeOrWithItsOwnNameOnly() {
        assertEquals("127.0.0.1:5000", NodeAddresses.addressHere("127.0.0.1:5000", "node-a"));
        assertEquals("[::1]:5000", NodeAddresses.addressHere("[::1]:5000@node-a", "node-a"));
        assertNull(NodeAddresses.addressHere("127.0.0.1:5000@node-b", "node-a"));
        assertNull(NodeAddresses.addressHere("127.0.0.1:5000@node-ab", "node-a"));
        assertNull(NodeAddresses.addressHere("127.0.0.1:5000@node-", "node-a"));
        assertNull(NodeAddresses.addressHere("127.0.0.1:5000@", "node-a"));
        assertEquals("127.0.0.1:5000@x", NodeAddresses.addressHere("127.0.0.1:5000@x@node-a", "node-a"));
    }

    @Test
    void theEnvelopeForHostsCarriesTheAddressQualifiedByItsNode() {
        final String envelope = "{\"remote_addr\":\"127.0.0.1:5000\",\"content\":\"a \\\"quoted\\\" @ line\"}\n";
        final byte[] frame = ("xx" + envelope).getBytes(StandardCharsets.UTF_8);
        final byte[] out = new byte[256];
        final int length = NodeAddresses.qualify(frame, 2, frame.length, NODE_B, out);
        assertEquals("{\"remote_addr\":\"127.0.0.1:5000@node-b\",\"content\":\"a \\\"quoted\\\" @ line\"}\n",
                new String(out, 0, length, StandardCharsets.UTF_8));
    }

    @Test
    void anEnvelopeThatWouldOutgrowTheLimitWithItsNodeIsNotWritten() {
        final byte[] envelope = "{\"remote_addr\":\"127.0.0.1:5000\",\"content\":\"x\"}\n".getBytes(StandardCharsets.UTF_8);
        final byte[] exact = new byte[envelope.length + 1 + NODE_B.length];
        assertEquals(exact.length, NodeAddresses.qualify(envelope, 0, envelope.length, NODE_B, exact));
        final byte[] shorter = new byte[exact.length - 1];
        assertEquals(-1, NodeAddresses.qualify(envelope, 0, envelope.length, NODE_B, shorter));
        assertArrayEquals(new byte[shorter.length], shorter, "nothing written");
    }
}
