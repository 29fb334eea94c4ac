package org.summoner.relay.resilience;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Network faults between the machines of a {@link Netns}, with what this kernel offers: nftables rules in a
 * machine's namespace (table {@code inet sumf}: random loss with {@code numgen random}, partitions with {@code ip
 * daddr}/{@code ip saddr} drops), an htb bandwidth cap on both ends of its veth pair, and netem where the kernel has
 * it ({@link #netemMissing}). {@link #heal} undoes every one of them. Each fault touches only the test's own
 * namespaces.
 */
final class Faults {
    private static final String TABLE = "sumf";

    private Faults() {
    }

    /** Drops {@code percent}% of the packets machine {@code i} sends to any of {@code peers}, at random. */
    static void loss(Netns net, int i, List<Integer> peers, int percent) throws IOException {
        final List<String> rules = new ArrayList<>();
        for (int peer : peers) {
            rules.add("add rule inet " + TABLE + " out ip daddr " + net.address(peer) + " numgen random mod 100 < " + percent + " drop");
        }
        apply(net, i, rules);
    }

    /** Machine {@code i} neither sends to nor hears from any of {@code peers}. */
    static void partition(Netns net, int i, List<Integer> peers) throws IOException {
        final List<String> rules = new ArrayList<>();
        for (int peer : peers) {
            rules.add("add rule inet " + TABLE + " out ip daddr " + net.address(peer) + " drop");
            rules.add("add rule inet " + TABLE + " in ip saddr " + net.address(peer) + " drop");
        }
        apply(net, i, rules);
    }

    /** What machine {@code i} sends to {@code peers} is dropped; what they send it still arrives. */
    static void oneWay(Netns net, int i, List<Integer> peers) throws IOException {
        final List<String> rules = new ArrayList<>();
        for (int peer : peers) {
            rules.add("add rule inet " + TABLE + " out ip daddr " + net.address(peer) + " drop");
        }
        apply(net, i, rules);
    }

    /**
     * Caps machine {@code i}'s link at {@code rate} (tc's units, e.g. {@code 256kbit}) both ways: htb on its end of the
     * veth pair and on the bridge's end. What exceeds the rate queues (delay), then is dropped when the queue is full.
     */
    static void cap(Netns net, int i, String rate) throws IOException {
        net.run(i, "tc", "qdisc", "add", "dev", net.link(i), "root", "handle", "1:", "htb", "default", "10");
        net.run(i, "tc", "class", "add", "dev", net.link(i), "parent", "1:", "classid", "1:10", "htb", "rate", rate, "ceil", rate);
        net.inBridge("tc", "qdisc", "add", "dev", net.bridgeLink(i), "root", "handle", "1:", "htb", "default", "10");
        net.inBridge("tc", "class", "add", "dev", net.bridgeLink(i), "parent", "1:", "classid", "1:10", "htb", "rate", rate, "ceil", rate);
    }

    /** Delays what machine {@code i} sends by {@code delay} and reorders some of it: needs netem ({@link #netemMissing}). */
    static void delayAndReorder(Netns net, int i, String delay, int reorderPercent) throws IOException {
        net.run(i, "tc", "qdisc", "add", "dev", net.link(i), "root", "netem", "delay", delay, "reorder", reorderPercent + "%", "50%");
    }

    /** @return null when netem works here, else why not (this machine's kernel may lack {@code sch_netem}). */
    static String netemMissing(Netns net) {
        try {
            net.run(0, "tc", "qdisc", "add", "dev", net.link(0), "root", "netem", "delay", "1ms");
            net.run(0, "tc", "qdisc", "del", "dev", net.link(0), "root");
            return null;
        } catch (IOException e) {
            return "tc netem does not work on this kernel: " + e.getMessage();
        }
    }

    /** Takes away every fault on machine {@code i}: its nftables table and any qdisc on either end of its link. */
    static void heal(Netns net, int i) throws IOException {
        if (net.run(i, "nft", "list", "tables").contains("inet " + TABLE)) {
            net.run(i, "nft", "delete", "table", "inet", TABLE);
        }
        if (net.run(i, "tc", "qdisc", "show", "dev", net.link(i)).contains("qdisc htb")
                || net.run(i, "tc", "qdisc", "show", "dev", net.link(i)).contains("qdisc netem")) {
            net.run(i, "tc", "qdisc", "del", "dev", net.link(i), "root");
        }
        if (net.inBridge("tc", "qdisc", "show", "dev", net.bridgeLink(i)).contains("qdisc htb")) {
            net.inBridge("tc", "qdisc", "del", "dev", net.bridgeLink(i), "root");
        }
    }

    /** Adds the table with an input and an output chain if machine {@code i} has none yet, then the rules. */
    private static void apply(Netns net, int i, List<String> rules) throws IOException {
        if (!net.run(i, "nft", "list", "tables").contains("inet " + TABLE)) {
            net.run(i, "nft", "add", "table", "inet", TABLE);
            net.run(i, "nft", "add chain inet " + TABLE + " in { type filter hook input priority 0 ; policy accept ; }");
            net.run(i, "nft", "add chain inet " + TABLE + " out { type filter hook output priority 0 ; policy accept ; }");
        }
        for (String rule : rules) {
            net.run(i, "nft", rule);
        }
    }
}
