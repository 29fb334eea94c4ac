package org.summoner.relay.cluster;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * A node that falls silent (a partition, or stopped without a word) is no longer heard from, but its clients stay known
 * as on it, silent, until it is heard again or forgotten: lines for them are counted as not sent rather than taken as
 * lines to no one (invalid attempts of their senders). Found by ClusterNetworkFaultsIT's dedicated run: a 2 s partition
 * had every agent writing across it closed and its address quarantined for 600 s.
 */
class ClusterDirectoryTest {
    private static final long T0 = 1_000_000_000_000L;

    private static ClusterFrames.Presence presence(String node, int hosts, String... identities) {
        return new ClusterFrames.Presence(node, 7, hosts, List.of(identities), List.of("10.0.0.2:4000"), "agreement", "");
    }

    @Test
    void a_silent_node_keeps_its_clients_known_as_silent_until_heard_again() {
        final ClusterDirectory directory = new ClusterDirectory();
        directory.heard(presence("b", 1, "alice"), T0);
        final ClusterDirectory.Targets alice = directory.view().identities().get("alice");
        assertArrayEquals(new String[]{"b"}, alice.nodes());
        assertEquals(Set.of("b"), directory.nodes());
        assertEquals(1, directory.view().hosts());

        directory.expire(T0 + ClusterDirectory.SILENCE_NANOS); // not yet past the silence
        assertEquals(Set.of(), directory.view().silent());

        directory.expire(T0 + ClusterDirectory.SILENCE_NANOS + 1);
        final ClusterDirectory.View silent = directory.view();
        assertEquals(Set.of("b"), silent.silent());
        assertEquals(Set.of(), silent.nodes(), "no longer heard from");
        assertEquals(0, silent.hosts(), "its hosts are not counted: no line for hosts goes to it");
        assertEquals(0, silent.hostNodes().length);
        assertSame(alice.route(), silent.identities().get("alice").route(), "alice is still known, on b, with the same route");
        assertNotNull(silent.participants().get("10.0.0.2:4000@b"));

        directory.heard(presence("b", 1, "alice"), T0 + ClusterDirectory.SILENCE_NANOS + 5);
        assertEquals(Set.of(), directory.view().silent());
        assertEquals(Set.of("b"), directory.nodes());
        assertEquals(1, directory.view().hosts());
    }

    @Test
    void a_node_silent_past_the_time_to_forget_is_forgotten_and_one_that_said_goodbye_at_once() {
        final ClusterDirectory directory = new ClusterDirectory();
        directory.heard(presence("b", 0, "alice"), T0);
        directory.heard(presence("c", 0, "carol"), T0);
        directory.expire(T0 + ClusterDirectory.SILENCE_NANOS + 1);
        directory.expire(T0 + ClusterDirectory.SILENCE_NANOS + ClusterDirectory.FORGET_NANOS);
        assertNotNull(directory.view().identities().get("alice"), "still silent, not yet forgotten");
        directory.left("c");
        assertNull(directory.view().identities().get("carol"), "c said it stops: its clients are gone at once");
        directory.expire(T0 + ClusterDirectory.SILENCE_NANOS + ClusterDirectory.FORGET_NANOS + 1);
        assertNull(directory.view().identities().get("alice"));
        assertEquals(Set.of(), directory.view().silent());
    }
}
