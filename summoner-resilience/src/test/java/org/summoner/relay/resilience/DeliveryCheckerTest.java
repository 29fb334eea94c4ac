package org.summoner.relay.resilience;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The checker of {@link ClusterNetworkFaultsIT} against histories made by hand: a clean one passes, and each broken
 * rule is found, so a run that passes is not one the checker could not see. Three nodes, one client each, 300 lines
 * each at 100 lines/s from time 0, each delivered 5 ms after it was sent unless a case says otherwise.
 */
class DeliveryCheckerTest {
    private static final List<String> NODES = List.of("a", "b", "c");
    private static final int LINES = 300;

    @TempDir
    Path out;

    /** receiver id, then "sender seq" → the arrival lines, in the order written. */
    private final Map<String, List<String>> recv = new HashMap<>();
    private final Map<String, Long> notSent = new HashMap<>();

    private final Map<String, Long> lost = new HashMap<>();
    private final Map<String, Long> undeliverable = new HashMap<>();
    /** A dedicated run: each line to one other client, the others in turn; a broadcast run while false. */
    private boolean dedicated;

    /** @return the client line {@code seq} of {@code sender} is for in a dedicated run (the other nodes' in turn). */
    private static String recipient(String sender, int seq) {
        final List<String> others = NODES.stream().filter(n -> !n.equals(sender)).toList();
        return id(others.get(seq % others.size()));
    }

    private static String id(String node) {
        return node + "c0";
    }

    private static String address(String node) {
        return "10.77.0." + (NODES.indexOf(node) + 1) + ":4000" + NODES.indexOf(node);
    }

    private static long sentAt(int seq) {
        return 1_000_000 + seq * 10L;
    }

    private static String envelope(String sender, int seq, String address) {
        return "{\"remote_addr\":\"" + address + "\",\"content\":\"" + id(sender) + " " + seq + " " + sentAt(seq) + " xxxx\"}";
    }

    /** Every line to every other client, 5 ms after it was sent, except those {@code dropped} (receiver, sender, seq). */
    private void deliverAll(Drop dropped) {
        for (String receiver : NODES) {
            final List<String> lines = recv.computeIfAbsent(id(receiver), r -> new ArrayList<>());
            for (int seq = 0; seq < LINES; seq++) {
                for (String sender : NODES) {
                    if (!sender.equals(receiver) && !dropped.test(receiver, sender, seq) && (!dedicated || recipient(sender, seq).equals(id(receiver)))) {
                        lines.add((sentAt(seq) + 5) + " " + envelope(sender, seq, address(sender)));
                    }
                }
            }
        }
    }

    private interface Drop {
        boolean test(String receiver, String sender, int seq);
    }

    private DeliveryChecker.Verdict check(long heal, boolean faulted) throws IOException {
        for (String node : NODES) {
            final StringBuilder sent = new StringBuilder(address(node)).append('\n');
            for (int seq = 0; seq < LINES; seq++) {
                sent.append(seq).append(' ').append(sentAt(seq)).append(dedicated ? " " + recipient(node, seq) : "").append('\n');
            }
            Files.writeString(out.resolve(id(node) + ".sent"), sent, StandardCharsets.UTF_8);
            Files.write(out.resolve(id(node) + ".recv"), recv.get(id(node)), StandardCharsets.UTF_8);
            Files.writeString(out.resolve(node + ".metrics"), "# TYPE summoner_cluster_lines_not_sent counter\n"
                    + "summoner_cluster_lines_not_sent_total " + notSent.getOrDefault(node, 0L) + ".0\n"
                    + "summoner_cluster_lines_lost_total " + lost.getOrDefault(node, 0L) + ".0\n"
                    + "summoner_undeliverable_total " + undeliverable.getOrDefault(node, 0L) + ".0\n"
                    + "summoner_cluster_frames_rejected_total{reason=\"bad_mac\"} 0.0\n"
                    + "summoner_slow_consumer_disconnects_total 0.0\n", StandardCharsets.UTF_8);
        }
        return DeliveryChecker.check(out, NODES, faulted ? heal - 300 : heal, heal, sentAt(LINES), 500, 200, faulted);
    }

    private static void assertBroken(DeliveryChecker.Verdict verdict, Predicate<String> rule) {
        assertTrue(verdict.violations().stream().anyMatch(rule), () -> "not found among " + verdict.violations());
    }

    @Test
    void a_clean_history_breaks_no_rule_and_relays_5_ms_after_the_heal() throws IOException {
        deliverAll((r, s, seq) -> false);
        final DeliveryChecker.Verdict verdict = check(sentAt(50), false);
        assertEquals(List.of(), verdict.violations());
        assertEquals(5, verdict.recoveryMillis());
        assertEquals(1800, verdict.figures().get("delivered"));
    }

    @Test
    void a_line_that_arrives_after_a_later_one_of_its_sender_is_reordered() throws IOException {
        deliverAll((r, s, seq) -> false);
        final List<String> lines = recv.get(id("b"));
        lines.add(lines.remove(lines.indexOf((sentAt(10) + 5) + " " + envelope("a", 10, address("a")))));
        final DeliveryChecker.Verdict verdict = check(0, false);
        assertBroken(verdict, v -> v.equals("bc0 received ac0 10 after " + (LINES - 1)));
        assertEquals(1, verdict.figures().get("reordered"));
    }

    @Test
    void a_line_received_twice_is_a_duplicate() throws IOException {
        deliverAll((r, s, seq) -> false);
        recv.get(id("c")).add("2000000 " + envelope("a", 3, address("a")));
        assertBroken(check(0, false), v -> v.equals("cc0 received ac0 3 twice"));
    }

    @Test
    void another_remote_addr_an_echo_a_phantom_and_a_notice_are_each_found() throws IOException {
        deliverAll((r, s, seq) -> false);
        recv.get(id("c")).set(0, (sentAt(0) + 5) + " " + envelope("a", 0, "10.77.0.9:1"));
        recv.get(id("a")).add("2000000 " + envelope("a", 5, address("a")));
        recv.get(id("a")).add("2000000 " + envelope("b", LINES, address("b")));
        recv.get(id("b")).add("2000000 Warning: something");
        final DeliveryChecker.Verdict verdict = check(0, false);
        assertBroken(verdict, v -> v.equals("cc0 received ac0 0 with remote_addr 10.77.0.9:1, not " + address("a")));
        assertBroken(verdict, v -> v.equals("ac0 received its own line 5"));
        assertBroken(verdict, v -> v.startsWith("ac0 received a line no client sent: ") && v.contains("bc0 " + LINES));
        assertBroken(verdict, v -> v.equals("bc0 received a line no client sent: Warning: something"));
    }

    @Test
    void lines_missing_at_every_other_node_pass_when_counted_as_not_sent_and_are_found_when_not() throws IOException {
        deliverAll((r, s, seq) -> s.equals("a") && seq >= 20 && seq < 30); // 10 lines of a reach neither b nor c
        notSent.put("a", 10L);
        final DeliveryChecker.Verdict counted = check(sentAt(30), true);
        assertEquals(List.of(), counted.violations());
        assertEquals(20, counted.figures().get("missing"));
        notSent.put("a", 7L);
        final DeliveryChecker.Verdict uncounted = check(sentAt(30), true);
        assertBroken(uncounted, v -> v.equals("node b: 3 lines from other nodes missing and not counted (3 missing beyond what "
                + "their nodes counted as not sent, 0 counted as lost on the way)"));
        assertBroken(uncounted, v -> v.startsWith("node c: 3 lines from other nodes missing and not counted"));
        assertEquals(6, uncounted.uncounted(), "3 lines at each of two nodes");
        lost.put("b", 3L);
        lost.put("c", 3L);
        assertEquals(List.of(), check(sentAt(30), true).violations(), "each node that missed them counted them as lost on the way");
    }

    @Test
    void a_line_missing_at_one_node_only_is_explained_by_that_nodes_count_of_lost_lines_not_by_not_sent() throws IOException {
        deliverAll((r, s, seq) -> r.equals("b") && s.equals("a") && seq == 40);
        notSent.put("a", 1L); // a line not sent misses everywhere: this one reached c
        assertBroken(check(sentAt(41), true), v -> v.equals("node b: 1 lines from other nodes missing and not counted (1 missing beyond what "
                + "their nodes counted as not sent, 0 counted as lost on the way)"));
        lost.put("b", 1L);
        assertEquals(List.of(), check(sentAt(41), true).violations(), "lost during the fault, counted where it was missed");
    }

    @Test
    void without_a_fault_even_a_counted_loss_breaks_the_rule() throws IOException {
        deliverAll((r, s, seq) -> s.equals("c") && seq == 0);
        notSent.put("c", 1L);
        assertBroken(check(0, false), v -> v.equals("without a fault: 2 deliveries missing, 1 lines counted as not sent"));
    }

    @Test
    void lines_lost_after_the_heal_for_longer_than_the_bound_are_found() throws IOException {
        deliverAll((r, s, seq) -> r.equals("b") && seq < 70); // b hears nothing until 700 ms after the heal at 0
        notSent.put("a", 70L);
        notSent.put("c", 70L);
        final DeliveryChecker.Verdict verdict = check(sentAt(0), true);
        assertEquals(705, verdict.recoveryMillis());
        assertBroken(verdict, v -> v.equals("after the heal, the cluster took 705 ms to relay every line again, over the bound of 500 ms"));
        assertBroken(verdict, v -> v.startsWith("node b: 140 lines from other nodes missing and not counted"));
    }

    @Test
    void a_pair_of_nodes_that_never_recovers_is_found() throws IOException {
        deliverAll((r, s, seq) -> r.equals("c") && s.equals("b") && seq == LINES - 1);
        assertBroken(check(sentAt(50), true), v -> v.startsWith("after the heal, some pair of nodes never had 200 ms of complete delivery"));
    }

    @Test
    void a_line_lost_before_the_fault_is_found_even_when_counted() throws IOException {
        deliverAll((r, s, seq) -> s.equals("b") && seq == 10);
        notSent.put("b", 1L);
        assertBroken(check(sentAt(200), true), v -> v.equals("2 deliveries missing of lines sent more than 1 s before the fault and the "
                + "slowest delivery before it (5 ms)"));
    }

    @Test
    void on_a_machine_where_lines_take_seconds_a_line_on_its_way_when_the_fault_comes_may_be_lost() throws IOException {
        deliverAll((r, s, seq) -> s.equals("b") && seq == 100); // sent 1.2 s before the fault at sentAt(220)
        notSent.put("b", 1L);
        assertBroken(check(sentAt(250), true), v -> v.startsWith("2 deliveries missing of lines sent more than 1 s before the fault"));
        final List<String> slow = recv.get(id("c"));
        for (int i = 0; i < slow.size(); i++) {
            final String line = slow.get(i);
            final String text = line.substring(line.indexOf(' ') + 1);
            if (text.contains("\"content\":\"ac0 ")) {
                final int seq = Integer.parseInt(text.split(" ")[1]);
                if (seq < 220) {
                    slow.set(i, (sentAt(seq) + 3_000) + " " + text); // a's lines before the fault reach c 3 s after they were sent
                }
            }
        }
        assertEquals(List.of(), check(sentAt(250), true).violations());
    }

    @Test
    void a_client_closed_by_its_node_is_found() throws IOException {
        deliverAll((r, s, seq) -> false);
        recv.get(id("a")).add("2000000 EOF");
        assertBroken(check(0, false), v -> v.equals("ac0 was closed by its node before the end of the run"));
    }

    @Test
    void in_a_dedicated_run_a_line_reaching_a_client_it_was_not_for_is_found() throws IOException {
        dedicated = true;
        deliverAll((r, s, seq) -> false);
        assertEquals(List.of(), check(sentAt(50), false).violations());
        recv.get(id("c")).add("2000000 " + envelope("a", 0, address("a"))); // line 0 of a is for b
        final DeliveryChecker.Verdict verdict = check(sentAt(50), false);
        assertBroken(verdict, v -> v.equals("cc0 received ac0 0, a line for bc0"));
        assertEquals(1, verdict.figures().get("to a client not addressed"));
    }

    @Test
    void in_a_dedicated_run_missing_lines_pass_when_counted_as_undeliverable_or_lost_and_are_found_when_not() throws IOException {
        dedicated = true;
        deliverAll((r, s, seq) -> r.equals("b") && seq >= 20 && seq < 30); // a's 5 and c's 5 lines for b in that span
        final DeliveryChecker.Verdict uncounted = check(sentAt(30), true);
        assertEquals(10, uncounted.figures().get("missing"));
        assertBroken(uncounted, v -> v.equals("10 lines missing at other nodes and not counted (10 missing beyond what their nodes counted "
                + "as not sent or undeliverable, 0 counted as lost on the way)"));
        undeliverable.put("a", 5L);
        lost.put("b", 4L);
        assertBroken(check(sentAt(30), true), v -> v.startsWith("1 lines missing at other nodes and not counted"));
        notSent.put("c", 1L);
        assertEquals(List.of(), check(sentAt(30), true).violations(), "a's counted undeliverable, c's one not sent, four lost at b");
    }
}
