package org.summoner.relay.cluster;

import org.summoner.relay.config.DedicatedRelay;
import org.summoner.relay.config.HyperParameters;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The settings every node of a cluster must share, or the strictest node's clients receive what the loosest let
 * through: the routing mode, the handshake, the line and envelope limits, and the identity lists (the allowed
 * fingerprints, the dedicated relay's lists and graph, the hosts). Each node sends them in its presence, as
 * {@code key=value} pairs (lists as a short SHA-256 of their sorted members); a node whose settings differ is refused
 * by the others, and both sides log which settings differ. What may differ between machines (their networks, ports,
 * fair-use limits, TLS) is not in it.
 */
final class Agreement {
    private Agreement() {
    }

    /** @return the agreement of {@code parameters}: {@code key=value} pairs separated by {@code ;}, in a fixed order. */
    static String of(HyperParameters parameters) {
        final Map<String, String> values = new LinkedHashMap<>();
        values.put("routing", parameters.routing().mode().name().toLowerCase(Locale.ROOT));
        values.put("handshake", parameters.handshake().required()
                ? (parameters.handshake().challenge() ? "required+challenge" : "required") : "off");
        values.put("max_line_bytes", Integer.toString(parameters.maxLineBytes()));
        values.put("max_envelope_bytes", Integer.toString(parameters.maxEnvelopeBytes()));
        values.put("allowed_fingerprints", digest(parameters.peerTrust().allowedFingerprints()));
        final DedicatedRelay dedicated = parameters.routing().dedicated();
        values.put("dedicated_relay", dedicated.enabled() ? digest(dedicated.allowedFingerprints()) + "/"
                + digest(graph(dedicated.communicationGraph())) : "off");
        values.put("hosts", digest(parameters.routing().hostFingerprints()));
        final StringBuilder agreement = new StringBuilder();
        values.forEach((key, value) -> agreement.append(agreement.length() == 0 ? "" : ";").append(key).append('=').append(value));
        return agreement.toString();
    }

    /**
     * @return each setting on which {@code ours} and {@code theirs} differ, as {@code routing: dedicated here, hosted
     *         on node-b}; empty when they agree.
     */
    static List<String> differences(String ours, String theirs, String node) {
        final Map<String, String> here = parse(ours);
        final Map<String, String> there = parse(theirs);
        final Set<String> keys = new TreeSet<>(here.keySet());
        keys.addAll(there.keySet());
        final List<String> differences = new ArrayList<>();
        for (String key : keys) {
            final String a = here.getOrDefault(key, "(none)");
            final String b = there.getOrDefault(key, "(none)");
            if (!a.equals(b)) {
                differences.add(key + ": " + a + " here, " + b + " on " + node);
            }
        }
        return differences;
    }

    private static Map<String, String> parse(String agreement) {
        final Map<String, String> values = new TreeMap<>();
        if (agreement.isEmpty()) {
            return values;
        }
        for (String pair : agreement.split(";")) {
            final int equals = pair.indexOf('=');
            values.put(equals < 0 ? pair : pair.substring(0, equals), equals < 0 ? "" : pair.substring(equals + 1));
        }
        return values;
    }

    /** @return the graph's edges, or null when there is no graph (anyone may reach anyone). */
    private static Set<String> graph(Map<String, Set<String>> graph) {
        if (graph == null) {
            return null;
        }
        final Set<String> edges = new TreeSet<>();
        graph.forEach((from, tos) -> tos.forEach(to -> edges.add(from + ">" + to)));
        return edges;
    }

    /**
     * @return the count and the first 12 hex digits of the SHA-256 of the sorted members, {@code none} for an empty set,
     *         {@code any} for no list at all.
     */
    private static String digest(Set<String> members) {
        if (members == null) {
            return "any";
        }
        if (members.isEmpty()) {
            return "none";
        }
        try {
            final MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (String member : new TreeSet<>(members)) {
                sha.update(member.getBytes(StandardCharsets.UTF_8));
                sha.update((byte) '\n');
            }
            return members.size() + ":" + HexFormat.of().formatHex(sha.digest(), 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}
