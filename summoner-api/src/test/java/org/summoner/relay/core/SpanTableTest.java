package org.summoner.relay.core;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which bytes of a batch each recipient gets: never its own, only what its route includes, in as few runs as possible. */
class SpanTableTest {
    private final FakeEngine engine = FakeEngine.of(Map.of());
    private final Session a = engine.connect("10.0.0.1", 1);
    private final Session b = engine.connect("10.0.0.2", 1);
    private final Session c = engine.connect("10.0.0.3", 1);
    private final SpanTable table = new SpanTable(2);

    private List<String> runs(Session recipient) {
        final List<String> runs = new ArrayList<>();
        final int given = table.forEachRun(recipient, (start, end, messages) -> runs.add(start + "-" + end + ":" + messages));
        runs.add("=" + given);
        return runs;
    }

    @Test
    void consecutive_envelopes_of_one_sender_on_one_route_share_a_span() {
        table.add(a.id(), Route.BROADCAST, 10);
        table.add(a.id(), Route.BROADCAST, 20);
        table.add(b.id(), Route.BROADCAST, 30);
        table.add(a.id(), Route.BROADCAST, 40);
        assertEquals(3, table.count());
        assertEquals(4, table.messages());
        assertEquals(40, table.end());
        assertTrue(table.allBroadcast());
    }

    @Test
    void a_recipient_gets_the_runs_others_sent_and_never_its_own() {
        table.add(a.id(), Route.BROADCAST, 10);
        table.add(a.id(), Route.BROADCAST, 20);
        table.add(b.id(), Route.BROADCAST, 30);
        table.add(a.id(), Route.BROADCAST, 40);
        assertEquals(List.of("20-30:1", "=1"), runs(a));
        assertEquals(List.of("0-20:2", "30-40:1", "=3"), runs(b));
        assertEquals(List.of("0-40:4", "=4"), runs(c));
    }

    @Test
    void a_span_routed_to_one_session_reaches_it_alone_and_splits_the_others_runs() {
        table.add(a.id(), Route.BROADCAST, 10);
        table.add(a.id(), c.route(), 20);
        table.add(a.id(), Route.BROADCAST, 30);
        assertFalse(table.allBroadcast());
        assertEquals(3, table.count());
        assertEquals(List.of("0-10:1", "20-30:1", "=2"), runs(b));
        assertEquals(List.of("0-30:3", "=3"), runs(c));
        assertEquals(List.of("=0"), runs(a));
    }

    @Test
    void an_envelope_split_across_records_counts_where_it_ends() {
        table.addSpan(a.id(), Route.KIND_BROADCAST, 0, 100, 0); // the first part of a long envelope
        assertEquals(0, table.messages());
        assertEquals(List.of("0-100:0", "=0"), runs(b));
        table.clear();
        table.addSpan(a.id(), Route.KIND_BROADCAST, 0, 40, 1); // its end, in the next record
        assertEquals(List.of("0-40:1", "=1"), runs(b));
    }
}
