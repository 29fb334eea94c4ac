package org.summoner.relay.resilience;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Network faults between the machines of a {@link Netns}, with what this kernel offers: nftables rules in a
 * machine's namespace (table {@code inet sumf}: random loss with {@code numgen random}, partitions with {@code ip
 * daddr}/{@code ip saddr} drops), an htb bandwidth cap on both ends of its veth pair, and netem where the kernel has
 * it ({@link #netemMissing}). {@link #heal} undoes every one of them, one command per change made, so that the heal
 * takes effect at once. Each fault touches only the test's own namespaces. One test thread uses it.
 */
final class Faults {
    private static final String TABLE = "sumf";

    private final Netns net;
    private final Set<Integer> tables = new TreeSet<>();
    private final Set<Integer> capped = new TreeSet<>();
    private final Set<Integer> netem = new TreeSet<>();

    Faults(Netns net) {
        this.net = net;
    }

    /** Drops {@code percent}% of the packets machine {@code i} sends to any of {@code peers}, at random. */
    void loss(int i, List<Integer> peers, int percent) throws IOException {
        final List<String> rules = new ArrayList<>();
        for (int peer : peers) {
            rules.add("add rule inet " + TABLE + " out ip daddr " + net.address(peer) + " numgen random mod 100 < " + percent + " drop");
        }
        apply(i, rules);
    }

    /** Machine {@code i} neither sends to nor hears from any of {@code peers}. */
    void partition(int i, List<Integer> peers) throws IOException {
        final List<String> rules = new ArrayList<>();
        for (int peer : peers) {
            rules.add("add rule inet " + TABLE + " out ip daddr " + net.address(peer) + " drop");
            rules.add("add rule inet " + TABLE + " in ip saddr " + net.address(peer) + " drop");
        }
        apply(i, rules);
    }

    /** What machine {@code i} sends to {@code peers} is dropped; what they send it still arrives. */
    void oneWay(int i, List<Integer> peers) throws IOException {
        final List<String> rules = new ArrayList<>();
        for (int peer : peers) {
            rules.add("add rule inet " + TABLE + " out ip daddr " + net.address(peer) + " drop");
        }
        apply(i, rules);
    }

    /**
     * Caps machine {@code i}'s link at {@code rate} (tc's units, e.g. {@code 256kbit}) both ways: htb on its end of the
     * veth pair and on the bridge's end. What exceeds the rate queues (delay), then is dropped when the queue is full.
     */
    void cap(int i, String rate) throws IOException {
        capped.add(i);
        net.run(i, "tc", "qdisc", "add", "dev", net.link(i), "root", "handle", "1:", "htb", "default", "10");
        net.run(i, "tc", "class", "add", "dev", net.link(i), "parent", "1:", "classid", "1:10", "htb", "rate", rate, "ceil", rate);
        net.inBridge("tc", "qdisc", "add", "dev", net.bridgeLink(i), "root", "handle", "1:", "htb", "default", "10");
        net.inBridge("tc", "class", "add", "dev", net.bridgeLink(i), "parent", "1:", "classid", "1:10", "htb", "rate", rate, "ceil", rate);
    }

    /** Delays what machine {@code i} sends by {@code delay} and reorders some of it: needs netem ({@link #netemMissing}). */
    void delayAndReorder(int i, String delay, int reorderPercent) throws IOException {
        netem.add(i);
        net.run(i, "tc", "qdisc", "add", "dev", net.link(i), "root", "netem", "delay", delay, "reorder", reorderPercent + "%", "50%");
    }

    /** @return null when netem works here, else why not (this machine's kernel may lack {@code sch_netem}). */
    String netemMissing() {
        try {
            net.run(0, "tc", "qdisc", "add", "dev", net.link(0), "root", "netem", "delay", "1ms");
            net.run(0, "tc", "qdisc", "del", "dev", net.link(0), "root");
            return null;
        } catch (IOException e) {
            return "tc netem does not work on this kernel: " + e.getMessage();
        }
    }

    /** Takes away every fault made so far: the nftables tables first (one command each), then the qdiscs. */
    void heal() throws IOException {
        for (int i : tables) {
            net.run(i, "nft", "delete", "table", "inet", TABLE);
        }
        tables.clear();
        for (int i : capped) {
            net.run(i, "tc", "qdisc", "del", "dev", net.link(i), "root");
            net.inBridge("tc", "qdisc", "del", "dev", net.bridgeLink(i), "root");
        }
        capped.clear();
        for (int i : netem) {
            net.run(i, "tc", "qdisc", "del", "dev", net.link(i), "root");
        }
        netem.clear();
    }

    /** Adds the table with an input and an output chain if machine {@code i} has none yet, then the rules. */
    private void apply(int i, List<String> rules) throws IOException {
        final List<String> script = new ArrayList<>();
        if (tables.add(i)) {
            script.add("add table inet " + TABLE);
            script.add("add chain inet " + TABLE + " in { type filter hook input priority 0 ; policy accept ; }");
            script.add("add chain inet " + TABLE + " out { type filter hook output priority 0 ; policy accept ; }");
        }
        script.addAll(rules);
        net.run(i, "nft", String.join(" ; ", script)); // one transaction: the fault starts whole
    }
}
