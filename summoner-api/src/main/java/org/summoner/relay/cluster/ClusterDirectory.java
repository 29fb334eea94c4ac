package org.summoner.relay.cluster;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.summoner.relay.core.Route;
import org.summoner.relay.wire.Untrusted;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * What this node knows of the other nodes: who is connected to each that a line may be addressed to (the identities
 * bound there, their hosts, their participants' addresses, qualified by their node: {@link NodeAddresses}), from the presence frames each node sends when that
 * changes and twice a second. A node not heard from for {@link #SILENCE_NANOS} has fallen silent (it stopped without
 * a word, or a partition cut it off): it is no longer one of the nodes heard from, and lines for its clients are not
 * sent, but counted as not sent, as lines a node could not send (its clients' identities and addresses stay known, so
 * an agent writing to a peer across a partition is not taken for one writing to no one, whose lines are invalid
 * attempts). Heard again, it is back at once; silent for {@link #FORGET_NANOS} more, it is forgotten.
 *
 * <p>Written by the backplane's receiving thread and the cluster's timer (under this object's lock), read by every
 * engine thread without a lock: readers see one immutable {@link View}, replaced whole on every change.
 */
final class ClusterDirectory {
    private static final Logger log = LoggerFactory.getLogger(ClusterDirectory.class);
    /** The most other nodes a node keeps: presence from more is refused (a flood of made-up nodes costs nothing). */
    static final int MAX_NODES = 64;
    /** How long a node may stay silent before it counts as gone: four presence intervals. */
    static final long SILENCE_NANOS = 4 * Cluster.PRESENCE_INTERVAL_NANOS;
    /** How long a silent node's clients stay known after it fell silent: a partition heals, a node restarts. */
    static final long FORGET_NANOS = TimeUnit.SECONDS.toNanos(60);

    /** Where one identity or participant is elsewhere: the canonical route to it, and the nodes that hold it. */
    record Targets(Route route, String[] nodes) {
    }

    /**
     * One immutable state of the directory: the targets name the silent nodes too, whose lines are counted as not sent
     * ({@code silent}); the hosts and {@code nodes} are those heard from.
     */
    record View(Map<String, Targets> identities, Map<String, Targets> participants, String[] hostNodes, int hosts, Set<String> nodes,
                Set<String> silent) {
        static final View EMPTY = new View(Map.of(), Map.of(), new String[0], 0, Set.of(), Set.of());
    }

    private static final class Node {
        final long incarnation;
        long heardNanos;
        boolean silent;
        ClusterFrames.Presence presence;

        Node(long incarnation) {
            this.incarnation = incarnation;
        }
    }

    private final Map<String, Node> nodes = new HashMap<>();
    private volatile View view = View.EMPTY;

    View view() {
        return view;
    }

    /** @return whether a presence from {@code name} is taken: a node known, or room for one more. */
    synchronized boolean mayHear(String name) {
        return nodes.size() < MAX_NODES || nodes.containsKey(name);
    }

    /** @return whether {@code presence} came from a node not known before (it joined, or restarted). */
    synchronized boolean heard(ClusterFrames.Presence presence, long nowNanos) {
        Node node = nodes.get(presence.node());
        boolean joined = false;
        if (node == null || node.incarnation != presence.incarnation()) {
            log.info("cluster: node {} {}", Untrusted.text(presence.node()), node == null ? "joined" : "restarted; its old connections are gone");
            node = new Node(presence.incarnation());
            nodes.put(presence.node(), node);
            joined = true;
        }
        node.heardNanos = nowNanos;
        final ClusterFrames.Presence before = node.presence;
        node.presence = presence;
        final boolean back = node.silent;
        if (back) {
            node.silent = false;
            log.info("cluster: node {} is heard again", Untrusted.text(presence.node()));
        }
        if (joined || back || before == null || before.hosts() != presence.hosts() || !before.identities().equals(presence.identities())
                || !before.participants().equals(presence.participants())) {
            rebuild();
        }
        return joined;
    }

    /** {@code name} is refused (its settings differ): forgotten now, quietly (the intake says why). */
    synchronized void forget(String name) {
        if (nodes.remove(name) != null) {
            rebuild();
        }
    }

    /** {@code name} said it stops: forgotten now rather than when it falls silent. */
    synchronized void left(String name) {
        if (nodes.remove(name) != null) {
            log.info("cluster: node {} left (it stopped)", Untrusted.text(name));
            rebuild();
        }
    }

    /**
     * The nodes not heard from for {@link #SILENCE_NANOS} fall silent; those silent for {@link #FORGET_NANOS} more are
     * forgotten.
     */
    synchronized void expire(long nowNanos) {
        boolean changed = nodes.values().removeIf(node -> nowNanos - node.heardNanos > SILENCE_NANOS + FORGET_NANOS && logForgotten(node));
        for (Node node : nodes.values()) {
            if (!node.silent && nowNanos - node.heardNanos > SILENCE_NANOS) {
                node.silent = true;
                changed = true;
                log.warn("cluster: node {} left (not heard from for {} ms); lines for its clients are not sent (counted) until it is "
                        + "back, or forgotten in {} s", Untrusted.text(node.presence.node()), SILENCE_NANOS / 1_000_000, FORGET_NANOS / 1_000_000_000);
            }
        }
        if (changed) {
            rebuild();
        }
    }

    private static boolean logForgotten(Node node) {
        log.info("cluster: node {} forgotten (silent for {} s): lines for its clients are undeliverable", Untrusted.text(node.presence.node()),
                (SILENCE_NANOS + FORGET_NANOS) / 1_000_000_000);
        return true;
    }

    private void rebuild() {
        final Map<String, List<String>> identities = new HashMap<>();
        final Map<String, List<String>> participants = new HashMap<>();
        final List<String> hostNodes = new ArrayList<>();
        final List<String> heard = new ArrayList<>();
        final List<String> silent = new ArrayList<>();
        int hosts = 0;
        for (Node node : nodes.values()) {
            final ClusterFrames.Presence presence = node.presence;
            (node.silent ? silent : heard).add(presence.node());
            for (String fingerprint : presence.identities()) {
                identities.computeIfAbsent(fingerprint, k -> new ArrayList<>(1)).add(presence.node());
            }
            for (String address : presence.participants()) { // one node each: the address qualified by its node
                participants.computeIfAbsent(NodeAddresses.qualified(address, presence.node()), k -> new ArrayList<>(1)).add(presence.node());
            }
            if (presence.hosts() > 0 && !node.silent) {
                hostNodes.add(presence.node());
                hosts = (int) Math.min(Integer.MAX_VALUE, (long) hosts + presence.hosts()); // another node's count may be anything
            }
        }
        view = new View(targets(identities, Route.KIND_BINDING, view.identities()),
                targets(participants, Route.KIND_SESSION, view.participants()),
                hostNodes.toArray(String[]::new), hosts, Set.copyOf(heard), Set.copyOf(silent));
    }

    /** Routes stay the same objects while their target stays known, so the hot path never allocates one. */
    private static Map<String, Targets> targets(Map<String, List<String>> where, int kind, Map<String, Targets> before) {
        final Map<String, Targets> targets = new HashMap<>(where.size() * 2);
        for (Map.Entry<String, List<String>> entry : where.entrySet()) {
            final Targets old = before.get(entry.getKey());
            targets.put(entry.getKey(), new Targets(old != null ? old.route() : Route.elsewhere(kind, entry.getKey()),
                    entry.getValue().toArray(String[]::new)));
        }
        return Map.copyOf(targets);
    }

    /** @return the nodes known now: heard from, their settings the same as this node's. */
    Set<String> nodes() {
        return view.nodes();
    }
}
