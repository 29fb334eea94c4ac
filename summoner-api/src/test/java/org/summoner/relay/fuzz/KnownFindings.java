package org.summoner.relay.fuzz;

import java.util.EnumMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * What the fuzz targets found in the core and nobody fixed yet: each finding has an id, the rule it breaks, and a
 * matcher that recognises it (an exception from the place it is thrown, or a {@link Violation} of one rule in one
 * situation). While a finding is listed here the targets tolerate it, so the build stays green: a tolerated crash is
 * handled as the real engines' fault barrier would (the connection is closed, the run goes on), a tolerated
 * violation is not thrown. Its input is kept as a regression case under the target's {@code <Target>Inputs}
 * directory, named {@code finding-<id>-...}, and its tolerance is what keeps that case green too.
 *
 * <p>{@code -Dsummoner.fuzz.strict=true} tolerates nothing: the targets then fail on every finding, the way to
 * measure how long the fuzzer needs to find one and to check a fix. Once the core is fixed, delete the entry: its
 * regression input must then pass on its own.
 *
 * <p>Public because the targets of three packages share it; thread-safe.
 */
public final class KnownFindings {
    /**
     * The findings; SPEC sections are those of {@code shared/SPEC.md}. Found and fixed (their inputs kept as
     * {@code regression-<id>-...}, which must pass): F1, a null in the signed core with non-default
     * {@code dedicated_relay.paths}; F2, the server's own lines over a small {@code max_envelope_bytes}; F3, lines framed
     * after a close in the same read counted in no outcome; F4, invalid attempts counted per IP inside trusted networks;
     * F5, a LINE frame's envelope reaching local clients unchecked (size, one line, envelope shape: issue 27, the
     * intake's {@code ClusterFrames.isOneEnvelope} and its own {@code max_envelope_bytes}); F6, another node's presence
     * overflowing the host count; F7, a sender closed mid-directive still relaying it.
     */
    public enum Finding {
        ;

        private final String summary;
        private final Predicate<Throwable> matcher;

        Finding(String summary, Predicate<Throwable> matcher) {
            this.summary = summary;
            this.matcher = matcher;
        }

        public String summary() {
            return summary;
        }

        public boolean matches(Throwable error) {
            return matcher.test(error);
        }
    }

    /** Whether known findings fail the targets too ({@code -Dsummoner.fuzz.strict=true}). */
    public static final boolean STRICT = Boolean.getBoolean("summoner.fuzz.strict");

    private static final Map<Finding, Long> FIRST_HIT = new EnumMap<>(Finding.class);
    private static final java.util.Set<Finding> HITS = java.util.EnumSet.noneOf(Finding.class);

    private KnownFindings() {
    }

    /** @return the known finding {@code error} is, or null when it is none. */
    public static Finding match(Throwable error) {
        for (Finding finding : Finding.values()) {
            if (finding.matches(error)) {
                return finding;
            }
        }
        return null;
    }

    /**
     * A target saw {@code error}: returns the known finding it is (tolerated: the caller goes on as the fault barrier
     * would), or throws it when it is no known finding or {@link #STRICT}. The first hit of each finding in this JVM
     * is printed with the inputs run and the seconds since the JVM started: how long the fuzzer took.
     *
     * @param where  the entry point it came out of, e.g. {@code Session.onBytes}, for the message.
     * @param inputs how many inputs the target has run in this JVM, this one included.
     */
    public static Finding tolerate(Throwable error, String where, long inputs) {
        final Finding finding = match(error);
        if (finding != null) {
            synchronized (HITS) {
                HITS.add(finding);
            }
        }
        if (finding == null || STRICT) {
            if (error instanceof Violation violation) {
                throw violation;
            }
            throw new Violation("no-exception", "an exception escaped " + where + ": " + error, error);
        }
        synchronized (FIRST_HIT) {
            if (!FIRST_HIT.containsKey(finding)) {
                final long millis = java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime();
                FIRST_HIT.put(finding, millis);
                System.err.printf("[summoner-fuzz] known finding %s first hit at input %d, %.1f s after the JVM started"
                        + " (tolerated; -Dsummoner.fuzz.strict=true fails on it): %s%n", finding, inputs, millis / 1e3, finding.summary());
            }
        }
        return finding;
    }

    /** @return the findings seen since the last call, and forgets them: what {@code KnownFindingsTest} asks of one input. */
    static java.util.Set<Finding> takeHits() {
        synchronized (HITS) {
            final java.util.Set<Finding> hits = java.util.EnumSet.noneOf(Finding.class);
            hits.addAll(HITS);
            HITS.clear();
            return hits;
        }
    }

    /** As {@link #tolerate(Throwable, String, long)} for a {@link Violation} of an oracle's rule. */
    public static Finding tolerate(Violation violation, long inputs) {
        return tolerate(violation, violation.rule(), inputs);
    }

    /** @return whether {@code error} or one of its causes was thrown through {@code className.method}. */
    static boolean thrownThrough(Throwable error, String className, String method) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            for (StackTraceElement frame : t.getStackTrace()) {
                if (frame.getClassName().equals(className) && frame.getMethodName().equals(method)) {
                    return true;
                }
            }
        }
        return false;
    }
}
