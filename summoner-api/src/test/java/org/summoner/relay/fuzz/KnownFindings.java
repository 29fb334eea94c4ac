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
    /** The findings; SPEC sections are those of {@code shared/SPEC.md}. */
    public enum Finding {
        /**
         * {@code AuroraVerifier.signedCore} reads the envelope's {@code from} and {@code to} by those literal keys while
         * every other check reads {@code dedicated_relay.paths}: with {@code sender_identity} (or
         * {@code receiver_identity}) set to another path, an envelope that has a well-formed identity there, no literal
         * {@code from} (or {@code to}) key and any {@code sig} of 64 bytes puts a Java null in the signed core, and
         * {@code Json.write} throws {@code IllegalArgumentException: not a parsed JSON value: null} out of
         * {@code Session.onBytes} (SPEC 10: whatever a line makes the code throw is a fault).
         */
        F1("verifier: a null from/to in the signed core throws with non-default dedicated_relay.paths",
                error -> error instanceof IllegalArgumentException
                        && "not a parsed JSON value: null".equals(error.getMessage())
                        && thrownThrough(error, "org.summoner.relay.identity.AuroraVerifier", "signedCore")),
        /**
         * The server's own lines are not held to {@code max_envelope_bytes} (SPEC 2: "no line the server writes to a
         * client is longer than max_envelope_bytes, counting the \n"), and the config accepts values from 64 up, below
         * the length of its fixed lines: the challenge is 80 bytes, the rate-limit notice 66, the longest fixed notices
         * about 90, and {@code Recipient not connected: <name>.} quotes up to 256 characters of a name. Only envelopes
         * are checked ({@code EnvelopeEncoder}); {@code SessionOutput.send} and {@code goodbye} take any length.
         */
        F2("server lines (challenge, notices, goodbyes, refusals) longer than a small max_envelope_bytes",
                error -> error instanceof Violation violation && violation.rule().equals("line-bound")
                        && !violation.getMessage().contains(" as ENVELOPE:") && !violation.getMessage().contains(" as CLUSTER_ENVELOPE:")),
        /**
         * Lines framed after their session stopped being open are counted in {@code linesReceived} and in no outcome:
         * a session closed in the middle of one read (a slow consumer at its own notice, a goodbye after rejected
         * lines) still has the rest of that read framed by {@code LineFramer.onBytes}, and {@code Session.onLine}
         * counts each line in, then returns because the state is not {@code OPEN}: not relayed, not dropped, not
         * rejected (SPEC 4: "nothing is lost silently ... is counted"). {@code onLineDropped} does count its drop in
         * that state, so the books differ by exactly the lines {@code onLine} ignored. While this is listed, the
         * oracle's identity for received lines is only checked one way (never fewer received than accounted for).
         */
        F3("counters: lines framed after the session closed in the same read are received and in no outcome",
                error -> error instanceof Violation violation && violation.rule().equals("counters-lines-unaccounted")),
        /**
         * {@code invalid_attempts} counts rejected lines per IP everywhere: inside {@code peer_trust.trusted_networks}
         * SPEC 7 says they are counted per connection ("agents on one machine share an address; one hostile local agent
         * must not get honest ones closed"). {@code Session.reject} calls {@code InvalidAttempts.record(address, now)}
         * whatever the address, so a connection from 127.0.0.1 that sent one rejected line is told and closed because
         * other local connections sent the rest (only the quarantine exempts trusted addresses).
         */
        F4("invalid_attempts: trusted addresses counted per IP, not per connection",
                error -> error instanceof Violation violation && violation.rule().equals("invalid-attempts")
                        && violation.getMessage().contains("(trusted: counted per connection)")),
        /**
         * The cluster's intake checks nothing of a LINE frame's envelope: {@code Cluster.line} hands
         * {@code frame[envelope, end)} to {@code RelayEngine.relayFromCluster} as it is, so what another node (or anyone
         * who can publish on the backplane: there is no frame MAC yet) sends reaches local clients longer than this
         * node's {@code max_envelope_bytes}, as several lines, not UTF-8, or not an envelope at all. SPEC 11: "every node
         * checks what it receives as if its own client had sent it (envelope size against its own max_envelope_bytes
         * ...)".
         */
        F5("cluster intake: a LINE frame's envelope reaches local clients unchecked (size, one line, envelope shape)",
                error -> error instanceof Violation violation
                        && (violation.rule().equals("cluster-line-bound") || violation.rule().equals("cluster-envelope"))),
        /**
         * Another node's presence can make this node's own hosts disappear: the host counts of presence frames are any
         * i32 ({@code ClusterFrames.readPresence}), {@code ClusterDirectory.rebuild} sums the positive ones in an
         * {@code int}, and {@code RelayCore.hostsAnywhere()} adds that sum to the local count in an {@code int}: a
         * presence announcing 2147483647 hosts next to one local host gives -2147483648 hosts anywhere, and counts that
         * wrap to exactly 0 make {@code HostedRouter} refuse a participant's line with {@code No host is connected}
         * while a host is connected here. SPEC 11: every node checks "presence size and rate" of what it receives.
         */
        F6("cluster presence: host counts overflow int and can hide this node's own hosts",
                error -> error instanceof Violation violation && violation.rule().equals("presence")),
        /**
         * A session closed while its own line is being routed still relays the rest of that line: a host's directive
         * naming missing recipients makes {@code HostDirectives} tell the host one {@code Recipient not connected} line
         * per name; when those notices take the host's backlog to {@code disconnect_threshold} (or past
         * {@code max_queued_bytes}), {@code OutboundBudget} closes the host as a slow consumer, and the directive's next
         * names are still relayed from the closed session ({@code Session.relay} has no {@code state == OPEN} guard;
         * {@code onLine} checks it only on entry). The {@code Session} contract: "only an open session sends or
         * receives".
         */
        F7("a sender closed by its own notices mid-directive still relays the directive's remaining content",
                error -> error instanceof Violation violation && violation.rule().equals("routing")
                        && violation.getMessage().contains("was relayed while its session was"));

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
