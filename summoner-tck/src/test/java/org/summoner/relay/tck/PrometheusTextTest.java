package org.summoner.relay.tck;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The kit's Prometheus text parser reads what the format allows and refuses what it does not, naming the line. */
class PrometheusTextTest {
    @Test
    void reads_families_samples_labels_and_escapes() {
        final PrometheusText text = PrometheusText.parse("""
                # HELP a_total Things.
                # TYPE a_total counter
                a_total{reason="x",kind="q\\"uote\\\\"} 3.0
                a_total 1
                # TYPE t summary
                t_count 2
                t_sum 1.5e3
                t{quantile="0.5"} NaN
                """);
        assertEquals(3.0, text.value("a_total{kind=\"q\"uote\\\",reason=\"x\"}"));
        assertEquals(1.0, text.value("a_total"));
        assertEquals(1500.0, text.value("t_sum"));
        assertEquals("summary", text.types.get("t"));
    }

    @Test
    void refuses_what_the_format_does_not_allow() {
        assertRefused("a 1\n", "line 1 \"a 1\": a sample of a before its TYPE");
        assertRefused("# TYPE a gauge\na 1\na 2\n", "line 3 \"a 2\": the series a twice");
        assertRefused("# TYPE a gauge\na one\n", "line 2 \"a one\": not a float: one");
        assertRefused("# TYPE a gauge\na{x=1} 1\n", "line 2 \"a{x=1} 1\": label x has no quoted value");
        assertRefused("# TYPE a gauge\na{x=\"\\t\"} 1\n", "line 2 \"a{x=\"\\t\"} 1\": label x: a bad escape \\t");
        assertRefused("# TYPE a gauge\n# TYPE a counter\n", "line 2 \"# TYPE a counter\": a second TYPE for a");
        assertRefused("# TYPE a gauge\na 1", "the text does not end with a newline");
        assertRefused("# TYPE a meter\n", "line 1 \"# TYPE a meter\": not \"# TYPE <name> <type>\"");
    }

    private static void assertRefused(String text, String message) {
        assertEquals(message, assertThrows(IllegalArgumentException.class, () -> PrometheusText.parse(text)).getMessage());
    }
}
