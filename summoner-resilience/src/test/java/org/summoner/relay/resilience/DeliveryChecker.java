package org.summoner.relay.resilience;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads what every client of a run sent and received ({@link ClientDriver}'s files) and each node's counters, and
 * checks the history in the manner of Jepsen's checkers: it knows nothing of how the relay works, only what it
 * promises (SPEC section 11, docs/CLUSTER.md). For a broadcast run on several nodes:
 * <ol>
 *   <li>every line received is an envelope of a line some client sent, with that client's address as its node saw
 *       it ({@code remote_addr}); nothing else reaches a client (no phantom, no notice) and no client gets its own
 *       line back;</li>
 *   <li>per sender order: at every receiver, each sender's lines arrive in strictly increasing sequence;</li>
 *   <li>no duplicate: no receiver gets a line of a sender twice;</li>
 *   <li>a line reaches every other client of its own node (the network faults are between nodes only);</li>
 *   <li>every line missing at another node is counted: as not sent on its sender's node
 *       ({@code summoner_cluster_lines_not_sent}: such a line misses at every other node; a broadcast is one publish,
 *       counted once), or as lost on the way at the node that misses it ({@code summoner_cluster_lines_lost}, from
 *       the gaps in the sender's line sequence). Per receiving node, the lines missing there past what their senders'
 *       nodes counted as not sent must be at most what it counted as lost; a line missing at some clients of a node
 *       and not at others is explained by no counter. The sum, the uncounted loss, must be 0;</li>
 *   <li>no client is closed by its node and no frame refused;</li>
 *   <li>nothing sent before the fault by more than 1 s and the slowest delivery of a line sent before it is missing
 *       (on a machine so busy that lines take seconds to arrive, the fault meets lines sent seconds before it on their
 *       way);</li>
 *   <li>after the heal, every line from each node reaches every client of each other node again within the bound:
 *       the time from the heal to the arrival of the first line after which nothing from that node is missing there
 *       (the largest over the pairs of nodes), with some seconds of clean delivery after it.</li>
 * </ol>
 * A run without a fault must lose nothing, counted or not.
 *
 * <p>A dedicated run (each line a signed envelope to one other client, named in the {@code .sent} file) is checked the
 * same way with "every other client" read as "its recipient", and one rule more: a line never reaches a client it was
 * not addressed to. A line to one node that its sender's node did not send misses at that node only, so the count of
 * what is missing is checked over the whole cluster rather than per receiving node: the lines missing at other nodes
 * must be at most what the senders' nodes counted as not sent or undeliverable ({@code summoner_undeliverable}: its
 * recipient's node was forgotten) plus what the receiving nodes counted as lost on the way.
 */
final class DeliveryChecker {
    private static final Pattern ENVELOPE = Pattern.compile("^\\{\"remote_addr\":\"([^\"]+)\",\"content\":\"(\\S+) (\\d+) (\\d+) x*\"}$");

    /**
     * A client: which node it is on, its address as its node sees it, when it sent each line (by sequence), and to whom
     * (each entry null in a broadcast run).
     */
    private record Client(String id, String node, String address, long[] sentAt, String[] to) {
        /** @return whether line {@code seq} of this client is meant for {@code receiver}. */
        boolean isFor(int seq, Client receiver) {
            return receiver != this && (to[seq] == null || to[seq].equals(receiver.id));
        }
    }

    /** What the checker found: the figures of the run and every rule broken, in words. */
    record Verdict(Map<String, Long> figures, List<String> violations, long recoveryMillis, long uncounted, String missingByPair) {
        String describe() {
            final StringBuilder text = new StringBuilder();
            figures.forEach((name, value) -> text.append(text.length() == 0 ? "" : ", ").append(name).append(' ').append(value));
            return text + (missingByPair.isEmpty() ? "" : "; missing by pair: " + missingByPair);
        }
    }

    private final Map<String, Client> clients = new LinkedHashMap<>();
    private final Map<String, Map<String, Double>> metrics = new HashMap<>();
    private final List<String> violations = new ArrayList<>();

    /** @param out the drivers' directory; {@code nodes} the node names, each driver's files prefixed by its name. */
    /**
     * @param faultFrom  when the fault was put on (epoch millis; the start of sending for a run without one): a line
     *                   sent more than 1 s before it must reach every other client.
     * @param heal       when the fault was taken away (epoch millis; the start of sending for a run without one).
     * @param sendEnd    when the clients stopped sending.
     * @param tailMillis how long delivery must have been complete before {@code sendEnd} for a pair to count as recovered.
     */
    static Verdict check(Path out, List<String> nodes, long faultFrom, long heal, long sendEnd, long boundMillis, long tailMillis,
                         boolean faulted) throws IOException {
        final DeliveryChecker checker = new DeliveryChecker();
        checker.tailMillis = tailMillis;
        checker.faultFrom = faultFrom;
        return checker.run(out, nodes, heal, sendEnd, boundMillis, faulted);
    }

    private long tailMillis;
    private long faultFrom;

    private Verdict run(Path out, List<String> nodes, long heal, long sendEnd, long boundMillis, boolean faulted) throws IOException {
        for (String node : nodes) {
            metrics.put(node, readMetrics(out.resolve(node + ".metrics")));
            try (var files = Files.list(out)) {
                for (Path sent : files.filter(p -> p.getFileName().toString().startsWith(node + "c") && p.toString().endsWith(".sent")).sorted().toList()) {
                    final List<String> lines = Files.readAllLines(sent, StandardCharsets.UTF_8);
                    final String id = sent.getFileName().toString().replace(".sent", "");
                    final long[] at = lines.stream().skip(1).mapToLong(l -> Long.parseLong(l.split(" ")[1])).toArray();
                    final String[] to = lines.stream().skip(1).map(l -> l.split(" ")).map(f -> f.length > 2 ? f[2] : null).toArray(String[]::new);
                    clients.put(id, new Client(id, node, lines.get(0), at, to));
                }
            }
        }
        // arrivals[receiver][sender][seq]: arrival millis, 0 when never
        final Map<String, Map<String, long[]>> arrivals = new HashMap<>();
        long duplicates = 0;
        long misrouted = 0;
        long reordered = 0;
        long received = 0;
        long slowest = 0;
        long slowestBeforeFault = 0;
        for (Client receiver : clients.values()) {
            final Map<String, long[]> bySender = new HashMap<>();
            clients.values().forEach(s -> bySender.put(s.id, new long[s.sentAt.length]));
            arrivals.put(receiver.id, bySender);
            final Map<String, Long> last = new HashMap<>();
            for (String line : Files.readAllLines(out.resolve(receiver.id + ".recv"), StandardCharsets.UTF_8)) {
                final int space = line.indexOf(' ');
                final long at = Long.parseLong(line.substring(0, space));
                final String text = line.substring(space + 1);
                if (text.equals("EOF")) {
                    violations.add(receiver.id + " was closed by its node before the end of the run");
                    continue;
                }
                final Matcher m = ENVELOPE.matcher(text);
                final Client sender = m.matches() ? clients.get(m.group(2)) : null;
                final int seq = sender == null ? -1 : Integer.parseInt(m.group(3));
                if (sender == null || seq >= sender.sentAt.length) {
                    violations.add(receiver.id + " received a line no client sent: " + text);
                    continue;
                }
                received++;
                if (!m.group(1).equals(sender.address)) {
                    violations.add(receiver.id + " received " + sender.id + " " + seq + " with remote_addr " + m.group(1) + ", not " + sender.address);
                }
                if (sender == receiver) {
                    violations.add(receiver.id + " received its own line " + seq);
                } else if (!sender.isFor(seq, receiver)) {
                    misrouted++;
                    violations.add(receiver.id + " received " + sender.id + " " + seq + ", a line for " + sender.to[seq]);
                    continue;
                }
                final long[] seen = bySender.get(sender.id);
                if (seen[seq] != 0) {
                    duplicates++;
                    violations.add(receiver.id + " received " + sender.id + " " + seq + " twice");
                    continue;
                }
                seen[seq] = at;
                slowest = Math.max(slowest, at - sender.sentAt[seq]);
                if (sender.sentAt[seq] < faultFrom) {
                    slowestBeforeFault = Math.max(slowestBeforeFault, at - sender.sentAt[seq]);
                }
                final Long previous = last.get(sender.id);
                if (previous != null && seq < previous) {
                    reordered++;
                    violations.add(receiver.id + " received " + sender.id + " " + seq + " after " + previous);
                }
                last.put(sender.id, previous == null ? seq : Math.max(previous, seq));
            }
        }

        long sent = 0;
        long expected = 0;
        long missing = 0;
        long notSent = 0;
        long lost = 0;
        long partial = 0;
        long uncounted = 0;
        long localMissing = 0;
        long missingBeforeFault = 0;
        final long first = clients.values().stream().filter(c -> c.sentAt.length > 0).mapToLong(c -> c.sentAt[0]).min().orElse(0);
        final Map<String, long[]> pairs = new java.util.TreeMap<>(); // "x>y" → {deliveries missing, first sent, last sent}
        // missedAt[x][y]: lines of node x's clients that no client of node y got; everywhere[x]: those no other node got
        final Map<String, Map<String, Long>> missedAt = new HashMap<>();
        final Map<String, Long> everywhere = new HashMap<>();
        for (String node : nodes) {
            final Map<String, Long> byReceiver = new HashMap<>();
            missedAt.put(node, byReceiver);
            for (Client sender : clients.values()) {
                if (!sender.node.equals(node)) {
                    continue;
                }
                sent += sender.sentAt.length;
                for (int seq = 0; seq < sender.sentAt.length; seq++) {
                    final Map<String, int[]> atNode = new HashMap<>(); // node → {clients that missed it, clients}
                    for (Client receiver : clients.values()) {
                        if (!sender.isFor(seq, receiver)) {
                            continue;
                        }
                        expected++;
                        final boolean got = arrivals.get(receiver.id).get(sender.id)[seq] != 0;
                        final int[] count = atNode.computeIfAbsent(receiver.node, k -> new int[2]);
                        count[1]++;
                        if (!got) {
                            count[0]++;
                            missing++;
                            if (sender.sentAt[seq] < faultFrom - 1_000 - slowestBeforeFault) {
                                missingBeforeFault++;
                            }
                            final long[] pair = pairs.computeIfAbsent(node + "\u2192" + receiver.node, k -> new long[]{0, Long.MAX_VALUE, 0});
                            pair[0]++;
                            pair[1] = Math.min(pair[1], sender.sentAt[seq] - first);
                            pair[2] = Math.max(pair[2], sender.sentAt[seq] - first);
                            if (receiver.node.equals(node)) {
                                localMissing++;
                            }
                        }
                    }
                    boolean missedByAll = atNode.keySet().stream().anyMatch(other -> !other.equals(node));
                    for (Map.Entry<String, int[]> at : atNode.entrySet()) {
                        if (at.getKey().equals(node)) {
                            continue;
                        }
                        final int[] count = at.getValue();
                        if (count[0] == count[1]) {
                            byReceiver.merge(at.getKey(), 1L, Long::sum);
                        } else {
                            missedByAll = false;
                            if (count[0] > 0) {
                                partial++; // some clients of a node got it, others not: no counter of the cluster explains that
                            }
                        }
                    }
                    if (missedByAll) {
                        everywhere.merge(node, 1L, Long::sum);
                    }
                }
            }
            final long refused = (long) sum(node, "summoner_cluster_frames_rejected_total");
            final long slow = (long) value(node, "summoner_slow_consumer_disconnects_total");
            if (refused + slow > 0) {
                violations.add("node " + node + ": " + refused + " frames refused, " + slow + " slow consumers closed");
            }
        }
        // A line counted as not sent on its node misses at every other node; a line lost on the way to node y is
        // counted there (summoner_cluster_lines_lost_total). What neither explains is the uncounted loss, per receiver.
        final boolean dedicated = clients.values().stream().anyMatch(c -> c.to.length > 0 && c.to[0] != null);
        final Map<String, Long> explainedBySender = new HashMap<>();
        for (String node : nodes) {
            final long counted = (long) value(node, "summoner_cluster_lines_not_sent_total")
                    + (dedicated ? (long) value(node, "summoner_undeliverable_total") : 0);
            notSent += counted;
            explainedBySender.put(node, Math.min(counted, everywhere.getOrDefault(node, 0L)));
        }
        if (partial > 0) {
            uncounted += partial;
            violations.add(partial + " lines missing at some clients of a node and not at others");
        }
        for (String receiver : dedicated ? List.<String>of() : nodes) {
            long needed = 0;
            for (String sender : nodes) {
                if (!sender.equals(receiver)) {
                    needed += missedAt.get(sender).getOrDefault(receiver, 0L) - explainedBySender.get(sender);
                }
            }
            final long lostHere = (long) value(receiver, "summoner_cluster_lines_lost_total");
            lost += lostHere;
            final long unexplained = Math.max(0, needed - lostHere);
            uncounted += unexplained;
            if (unexplained > 0) {
                violations.add("node " + receiver + ": " + unexplained + " lines from other nodes missing and not counted ("
                        + needed + " missing beyond what their nodes counted as not sent, " + lostHere + " counted as lost on the way)");
            }
        }
        if (dedicated) {
            long needed = 0;
            for (String sender : nodes) {
                needed += missedAt.get(sender).values().stream().mapToLong(Long::longValue).sum() - explainedBySender.get(sender);
            }
            for (String receiver : nodes) {
                lost += (long) value(receiver, "summoner_cluster_lines_lost_total");
            }
            final long unexplained = Math.max(0, needed - lost);
            uncounted += unexplained;
            if (unexplained > 0) {
                violations.add(unexplained + " lines missing at other nodes and not counted (" + needed
                        + " missing beyond what their nodes counted as not sent or undeliverable, " + lost + " counted as lost on the way)");
            }
        }
        if (missingBeforeFault > 0) {
            violations.add(missingBeforeFault + " deliveries missing of lines sent more than 1 s before the fault and the slowest delivery before it ("
                    + slowestBeforeFault + " ms)");
        }
        if (localMissing > 0) {
            violations.add(localMissing + " deliveries missing between clients of the same node");
        }
        if (!faulted && missing + notSent > 0) {
            violations.add("without a fault: " + missing + " deliveries missing, " + notSent + " lines counted as not sent");
        }

        final long recovery = recovery(arrivals, nodes, heal, sendEnd);
        if (recovery < 0) {
            violations.add("after the heal, some pair of nodes never had " + tailMillis + " ms of complete delivery before the end of the run");
        } else if (recovery > boundMillis) {
            violations.add("after the heal, the cluster took " + recovery + " ms to relay every line again, over the bound of " + boundMillis + " ms");
        }
        final Map<String, Long> figures = new LinkedHashMap<>();
        figures.put("lines sent", sent);
        figures.put("deliveries expected", expected);
        figures.put("delivered", received - duplicates);
        figures.put("missing", missing);
        figures.put("counted not sent", notSent);
        figures.put("counted lost on the way", lost);
        figures.put("lost uncounted (lines)", uncounted);
        figures.put("reordered", reordered);
        figures.put("duplicates", duplicates);
        if (dedicated) {
            figures.put("to a client not addressed", misrouted);
        }
        figures.put("ms to relay after heal", recovery);
        figures.put("slowest delivery ms", slowest);
        final StringBuilder byPair = new StringBuilder();
        pairs.forEach((pair, v) -> byPair.append(byPair.length() == 0 ? "" : ", ").append(pair).append(' ').append(v[0])
                .append(String.format(" (sent +%.1f s to +%.1f s)", v[1] / 1000.0, v[2] / 1000.0)));
        return new Verdict(figures, violations, recovery, uncounted, byPair.toString());
    }

    /**
     * For each ordered pair of nodes (X sends, Y receives): the last line from X sent after {@code heal} that some
     * client on Y missed; the pair has recovered with the next line sent, at its last arrival on Y. @return the
     * largest time from {@code heal} to recovery over the pairs, or -1 when a pair's clean tail is under {@link #tailMillis}.
     */
    private long recovery(Map<String, Map<String, long[]>> arrivals, List<String> nodes, long heal, long sendEnd) {
        long worst = 0;
        for (String x : nodes) {
            for (String y : nodes) {
                if (x.equals(y)) {
                    continue;
                }
                // the lines of X's senders after the heal, in the order they were sent
                final List<long[]> lines = new ArrayList<>(); // {sendMillis, arrival at Y's last client or 0}
                for (Client sender : clients.values()) {
                    if (!sender.node.equals(x)) {
                        continue;
                    }
                    for (int seq = 0; seq < sender.sentAt.length; seq++) {
                        if (sender.sentAt[seq] < heal) {
                            continue;
                        }
                        long arrival = Long.MAX_VALUE;
                        long latest = 0;
                        boolean forY = false;
                        for (Client receiver : clients.values()) {
                            if (receiver.node.equals(y) && sender.isFor(seq, receiver)) {
                                forY = true;
                                final long at = arrivals.get(receiver.id).get(sender.id)[seq];
                                arrival = Math.min(arrival, at);
                                latest = Math.max(latest, at);
                            }
                        }
                        if (forY) {
                            lines.add(new long[]{sender.sentAt[seq], arrival == 0 ? 0 : latest});
                        }
                    }
                }
                lines.sort((a, b) -> Long.compare(a[0], b[0]));
                int first = 0;
                for (int i = 0; i < lines.size(); i++) {
                    if (lines.get(i)[1] == 0) {
                        first = i + 1;
                    }
                }
                if (first >= lines.size() || sendEnd - lines.get(first)[0] < tailMillis) {
                    return -1;
                }
                worst = Math.max(worst, lines.get(first)[1] - heal);
            }
        }
        return worst;
    }

    private double value(String node, String name) {
        return metrics.get(node).getOrDefault(name, 0.0);
    }

    private double sum(String node, String family) {
        return metrics.get(node).entrySet().stream().filter(e -> e.getKey().startsWith(family + "{")).mapToDouble(Map.Entry::getValue).sum();
    }

    /** @return each series of a Prometheus text exposition, by its name with labels. */
    private Map<String, Double> readMetrics(Path file) throws IOException {
        final Map<String, Double> values = new HashMap<>();
        if (!Files.exists(file)) {
            violations.add("no metrics from " + file.getFileName());
            return values;
        }
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (line.startsWith("#") || line.isBlank()) {
                continue;
            }
            final String[] parts = line.split(" ");
            try {
                values.put(parts[0], Double.parseDouble(parts[1]));
            } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
                // a line of another shape (exemplar, timestamp): not ours
            }
        }
        return values;
    }
}
