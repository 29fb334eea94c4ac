package org.summoner.relay.config;

import org.summoner.relay.identity.Fingerprint;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the routing keys of {@code hyper_parameters} (SPEC sections 7 and 8): {@code routing}, {@code dedicated_relay}
 * with its paths, policy, invalid attempts and replay window, and {@code hosted_relay}.
 */
final class RoutingReader {
    private final String source;

    RoutingReader(String source) {
        this.source = source;
    }

    /** {@code routing}, and {@code dedicated_relay.enabled}, Summoner's own way of asking for {@code dedicated}. */
    Routing read(ConfigSection s) {
        final DedicatedRelay dedicated = readDedicated(s.object("dedicated_relay"));
        final ConfigSection hosted = s.object("hosted_relay");
        final Set<String> hosts = fingerprints(hosted, "host_fingerprints", hosted.stringList("host_fingerprints"));
        hosted.warnUnknown();
        final Set<String> hostFingerprints = hosts == null ? Set.of() : hosts;
        final String value = s.string("routing", null);
        final RoutingMode mode;
        if (value == null) {
            mode = dedicated.enabled() ? RoutingMode.DEDICATED : RoutingMode.BROADCAST;
        } else {
            mode = Arrays.stream(RoutingMode.values()).filter(candidate -> candidate.key().equals(value)).findFirst()
                    .orElseThrow(() -> s.invalid("routing", "one of "
                            + String.join(", ", Arrays.stream(RoutingMode.values()).map(RoutingMode::key).toList())));
            if (dedicated.enabled() && mode != RoutingMode.DEDICATED) {
                throw new ConfigException(source, s.path() + "routing", source + ": key \"" + s.path() + "routing\": \"" + value
                        + "\" contradicts \"" + s.path() + "dedicated_relay.enabled\": true; remove one of them or make them agree", null);
            }
        }
        if (hosts != null && mode != RoutingMode.HOSTED && mode != RoutingMode.HYBRID) {
            hosted.warnUnused("host_fingerprints", "is read only with \"routing\": \"hosted\" or \"hybrid\"; ignored");
        }
        if (mode == RoutingMode.HOSTED && hostFingerprints.isEmpty()) {
            throw new ConfigException(source, s.path() + "hosted_relay.host_fingerprints", source + ": key \"" + s.path()
                    + "hosted_relay.host_fingerprints\": expected a non-empty list of fingerprints with \"routing\": \"hosted\", found "
                    + (hosts == null ? "nothing" : "[]"), null);
        }
        return new Routing(mode, dedicated, hostFingerprints);
    }

    private DedicatedRelay readDedicated(ConfigSection s) {
        final boolean enabled = s.bool("enabled", false);
        final String adapter = s.string("validation_adapter", "aurora");
        if (!adapter.equals("aurora")) {
            throw s.invalid("validation_adapter", "\"aurora\" (the only adapter)");
        }
        final Set<String> allowed = fingerprints(s, "allowed_fingerprints", s.stringList("allowed_fingerprints"));
        final Map<String, List<String>> graphLists = s.stringListMap("communication_graph",
                "null or an object from each fingerprint to the list of fingerprints it may write to");
        Map<String, Set<String>> graph = null;
        if (graphLists != null) {
            graph = new LinkedHashMap<>();
            for (Map.Entry<String, List<String>> edge : graphLists.entrySet()) {
                fingerprints(s, "communication_graph", List.of(edge.getKey()));
                graph.put(edge.getKey(), fingerprints(s, "communication_graph", edge.getValue()));
            }
            graph = Collections.unmodifiableMap(graph);
        }
        final DedicatedRelay.Paths paths = readPaths(s.object("paths"));
        final ConfigSection q = s.object("policy");
        final DedicatedRelay.Policy policy = new DedicatedRelay.Policy(q.bool("allow_null_receiver_binding", true),
                q.bool("reject_unknown_receiver", true), q.bool("reject_when_receiver_disconnected", false));
        q.warnUnknown();
        final ConfigSection a = s.object("invalid_attempts");
        final DedicatedRelay.InvalidAttempts attempts = new DedicatedRelay.InvalidAttempts(a.bool("enabled", true),
                a.integer("window_secs", 60, 1, Integer.MAX_VALUE),
                (int) a.integer("throttle_threshold", 3, 1, Integer.MAX_VALUE),
                (int) a.integer("flow_control_threshold", 6, 1, Integer.MAX_VALUE),
                (int) a.integer("disconnect_threshold", 10, 1, Integer.MAX_VALUE),
                (int) a.integer("quarantine_threshold", 12, 1, Integer.MAX_VALUE),
                a.integer("quarantine_secs", 600, 0, Integer.MAX_VALUE),
                (int) a.integer("max_entries", 10_000, 1, 10_000_000));
        a.warnUnknown();
        final ConfigSection r = s.object("replay");
        final DedicatedRelay.Replay replay = new DedicatedRelay.Replay(r.integer("window_secs", 300, 1, 315_360_000),
                (int) r.integer("max_entries", 100_000, 1_000, 10_000_000));
        r.warnUnknown();
        final ConfigSection firewall = s.object("firewall");
        if (firewall.bool("enabled", false)) {
            throw firewall.invalid("enabled", "false (a firewall is not supported: this relay never runs shell commands)");
        }
        firewall.acceptAllKeys(); // the plan's other firewall keys configure what is not supported; nothing to warn about
        s.warnUnknown();
        return new DedicatedRelay(enabled, adapter, allowed, graph, paths, policy, attempts, replay);
    }

    /** @return the fingerprints, each checked to be 22 base64url characters; null stays null. */
    static Set<String> fingerprints(ConfigSection s, String key, List<String> values) {
        if (values == null) {
            return null;
        }
        for (int i = 0; i < values.size(); i++) {
            if (!Fingerprint.isWellFormed(values.get(i))) {
                throw s.invalid(key, "fingerprints of 22 base64url characters (\"" + values.get(i) + "\" is not one)");
            }
        }
        return Collections.unmodifiableSet(new LinkedHashSet<>(values));
    }

    /** What the envelope signature covers besides the two identities, under Aurora's own names. */
    private static final List<String> SIGNED_FIELDS = List.of("v", "payload", "session_proof");

    /**
     * {@code dedicated_relay.paths}, honoured end to end: the identities at {@code sender_identity} and
     * {@code receiver_identity} are what the envelope signature covers as {@code from} and {@code to}. Paths that could
     * never verify, or would let one part stand for another, are refused here: an identity or the signature at or
     * inside {@code v}, {@code payload} or {@code session_proof}; two of the three at or inside one another; the
     * sender's key or identity signature outside its identity record. The sender's key and identity signature default
     * to {@code <sender_identity>.pub_sig_b64} and {@code <sender_identity>.sig}.
     */
    private static DedicatedRelay.Paths readPaths(ConfigSection p) {
        final String root = dotPath(p, "envelope_root", "", true);
        final String sender = dotPath(p, "sender_identity", "from", false);
        final String receiver = dotPath(p, "receiver_identity", "to", false);
        final String signature = dotPath(p, "envelope_signature", "sig", false);
        final String key = dotPath(p, "sender_signing_key", sender + ".pub_sig_b64", false);
        final String identitySignature = dotPath(p, "sender_identity_signature", sender + ".sig", false);
        final Map<String, String> parts = new LinkedHashMap<>();
        parts.put("sender_identity", sender);
        parts.put("receiver_identity", receiver);
        parts.put("envelope_signature", signature);
        for (Map.Entry<String, String> part : parts.entrySet()) {
            for (String signed : SIGNED_FIELDS) {
                if (within(part.getValue(), signed)) {
                    throw p.invalid(part.getKey(), "a dot path outside \"v\", \"payload\" and \"session_proof\", which the envelope "
                            + "signature covers as they are");
                }
            }
            for (Map.Entry<String, String> other : parts.entrySet()) {
                if (other != part && (within(part.getValue(), other.getValue()) || within(other.getValue(), part.getValue()))) {
                    // Name the key the file sets, not one left at its default.
                    final boolean blamePart = p.has(part.getKey()) || !p.has(other.getKey());
                    final Map.Entry<String, String> blamed = blamePart ? part : other;
                    final Map.Entry<String, String> apart = blamePart ? other : part;
                    throw p.invalid(blamed.getKey(), "a dot path apart from \"" + apart.getKey() + "\" (\"" + apart.getValue()
                            + "\"): neither may lie inside the other");
                }
            }
        }
        for (String inRecord : List.of("sender_signing_key", "sender_identity_signature")) {
            final String path = inRecord.equals("sender_signing_key") ? key : identitySignature;
            if (path.equals(sender) || !within(path, sender)) {
                throw p.invalid(inRecord, "a dot path inside the sender's identity record (\"" + sender + ".<field>\")");
            }
        }
        p.warnUnknown();
        return new DedicatedRelay.Paths(root, sender, receiver, signature, key, identitySignature);
    }

    /** @return whether dot path {@code path} is {@code outer} or lies inside it. */
    private static boolean within(String path, String outer) {
        return path.equals(outer) || path.startsWith(outer + ".");
    }

    /** A dot path of non-empty names; {@code mayBeEmpty} for a path that may name the line itself. */
    private static String dotPath(ConfigSection s, String key, String defaultValue, boolean mayBeEmpty) {
        final String path = s.string(key, defaultValue);
        if ((path.isEmpty() && !mayBeEmpty) || (!path.isEmpty() && Arrays.asList(path.split("\\.", -1)).contains(""))) {
            throw s.invalid(key, mayBeEmpty ? "a dot path such as \"_payload\", or \"\" for the line itself" : "a dot path such as \"from.sig\"");
        }
        return path;
    }
}
