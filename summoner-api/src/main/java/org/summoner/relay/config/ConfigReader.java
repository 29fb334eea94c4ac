package org.summoner.relay.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import org.summoner.relay.wire.NoticeLines;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads a configuration tree into a {@link ServerConfig}. This is the one place that knows every key, its
 * default and its valid range; {@link ServerConfig#defaults()} is what it reads from an empty object.
 *
 * <p>A {@code null} value means "use the default" for every key except {@code client_timeout_secs}, where it
 * means "never". Keys it does not know become warnings: real Summoner files carry keys for other servers.
 */
final class ConfigReader {
    static final Set<String> LOG_LEVELS = Set.of("TRACE", "DEBUG", "INFO", "WARNING", "WARN", "ERROR", "CRITICAL");
    static final int MAX_LINE_BYTES_LIMIT = 16 * 1024 * 1024;
    static final int MAX_ENVELOPE_BYTES_LIMIT = 16 * 1024 * 1024;
    /** The shortest envelope limit: every line of the server's own fits it ({@link NoticeLines#MIN_ENVELOPE_BYTES}). */
    static final int MIN_ENVELOPE_BYTES = NoticeLines.MIN_ENVELOPE_BYTES;
    /**
     * {@code max_buffered_input_bytes} by default: 64 MiB, a thousand unfinished lines of 64 KiB at once, a few percent of
     * a default heap.
     */
    static final long DEFAULT_BUFFERED_INPUT_BYTES = 64L * 1024 * 1024;
    /**
     * {@code max_connections} by default: a finite bound, so memory does not grow with the connections an attacker
     * opens. An idle client costs 1.3 to 1.8 KiB of heap and 2 to 5 KiB resident (measured per engine,
     * docs/SECURITY.md): 10,000 of them about 50 MiB, within a default heap on any machine the relay runs on.
     */
    static final int DEFAULT_MAX_CONNECTIONS = 10_000;
    private static final String PYTHON_LOG_FORMAT = "%(asctime)s - %(name)s - %(levelname)s - %(message)s";

    private final String source;
    private final List<String> warnings = new ArrayList<>();

    private ConfigReader(String source) {
        this.source = source;
    }

    static ServerConfig read(JsonNode root, String source) {
        final ConfigReader reader = new ConfigReader(source);
        if (root == null || root.isNull() || root.isMissingNode()) {
            root = NullNode.getInstance();
        } else if (!root.isObject()) {
            throw new ConfigException(source, null, source + ": expected a JSON object at the top level, found "
                    + ConfigException.abbreviate(root.toString()), null);
        }
        return reader.readServer(new ConfigSection(source, root, "", reader.warnings));
    }

    private ServerConfig readServer(ConfigSection top) {
        final String host = top.string("host", null);
        if (host != null && host.isBlank()) {
            throw top.invalid("host", "a host name or IP address", top.node.get("host"));
        }
        final Integer port = top.has("port") ? (int) top.integer("port", 0, 0, 65535) : null;
        final String version = top.string("version", null);
        final LoggerSettings logger = readLogger(top.object("logger"));
        final HyperParameters hyperParameters = readHyperParameters(top.object("hyper_parameters"));
        final Monitoring monitoring = readMonitoring(top.object("monitoring"));
        final TlsSettings tls = top.has("tls") && !top.node.get("tls").isNull() ? readTls(top.object("tls")) : null;
        final ClusterSettings cluster = top.has("cluster") && !top.node.get("cluster").isNull() ? readCluster(top.object("cluster")) : null;
        final Map<String, JsonNode> others = new LinkedHashMap<>();
        for (String name : top.unknownKeys()) {
            others.put(name, top.node.get(name)); // an engine's own section, or a key of another program
        }
        top.warnUnknown();
        return new ServerConfig(source, host, port, version, logger, hyperParameters, monitoring, tls, cluster, List.copyOf(warnings), others);
    }

    private Monitoring readMonitoring(ConfigSection s) {
        final String host = s.string("host", Monitoring.OFF.host());
        if (host.isBlank()) {
            throw s.invalid("host", "a host name or IP address");
        }
        final Integer port = s.has("port") && !s.node.get("port").isNull() ? (int) s.integer("port", 0, 0, 65535) : null;
        s.warnUnknown();
        return new Monitoring(host, port);
    }

    /** {@code cluster} (SPEC section 11): the backplane's own section is read, the other one's is warned about. */
    private ClusterSettings readCluster(ConfigSection s) {
        final String backplane = s.string("backplane", null);
        if (backplane == null || backplane.isBlank()) {
            throw s.invalid("backplane", "the name of a backplane: \"nats\" or \"aeron\"", s.node.get("backplane"));
        }
        final String node = s.string("node", null);
        if (node == null || !ClusterSettings.TOKEN.matcher(node).matches()) {
            throw s.invalid("node", "this node's name, unique in the cluster: 1 to 64 letters, digits, \"-\" or \"_\"", s.node.get("node"));
        }
        ClusterSettings.Nats nats = null;
        ClusterSettings.Aeron aeron = null;
        if (backplane.equals("nats")) {
            nats = readNats(s.object("nats"));
        } else if (s.has("nats")) {
            s.warnUnused("nats", "the backplane is " + backplane);
        }
        if (backplane.equals("aeron")) {
            aeron = readAeron(s.object("aeron"));
        } else if (s.has("aeron")) {
            s.warnUnused("aeron", "the backplane is " + backplane);
        }
        s.warnUnknown();
        return new ClusterSettings(backplane, node, nats, aeron, source);
    }

    private ClusterSettings.Nats readNats(ConfigSection s) {
        final String expected = "a non-empty list of NATS server URLs, e.g. [\"nats://127.0.0.1:4222\"]";
        List<String> servers = s.stringList("servers");
        if (servers == null) {
            servers = List.of("nats://127.0.0.1:4222");
        }
        if (servers.isEmpty()) {
            throw s.invalid("servers", expected, s.node.get("servers"));
        }
        for (String server : servers) {
            final java.net.URI uri;
            try {
                uri = new java.net.URI(server.contains("://") ? server : "nats://" + server);
            } catch (java.net.URISyntaxException e) {
                throw s.invalid("servers", expected + " (" + server + ": " + e.getReason() + ")", s.node.get("servers"));
            }
            if (uri.getHost() == null || !Set.of("nats", "tls", "ws", "wss").contains(uri.getScheme())) {
                throw s.invalid("servers", expected + " (" + server + " is none)", s.node.get("servers"));
            }
        }
        final String prefix = s.string("subject_prefix", "summoner");
        for (String token : prefix.split("\\.", -1)) {
            if (!ClusterSettings.TOKEN.matcher(token).matches()) {
                throw s.invalid("subject_prefix", "NATS subject tokens separated by \".\", each of letters, digits, \"-\" or \"_\"",
                        s.node.get("subject_prefix"));
            }
        }
        s.warnUnknown();
        return new ClusterSettings.Nats(servers, prefix);
    }

    private ClusterSettings.Aeron readAeron(ConfigSection s) {
        final String hostPort = "host:port ([v6]:port for an IPv6 address), port 1 to 65535";
        final String endpointText = s.string("endpoint", null);
        final ClusterSettings.HostPort endpoint = endpointText == null ? null : ClusterSettings.HostPort.parse(endpointText);
        if (endpoint == null) {
            throw s.invalid("endpoint", "this node's UDP endpoint, " + hostPort, s.node.get("endpoint"));
        }
        final List<String> peerTexts = s.stringList("peers");
        if (peerTexts == null) {
            throw s.invalid("peers", "a list of the other nodes' endpoints, each " + hostPort, s.node.get("peers"));
        }
        final List<ClusterSettings.HostPort> peers = new ArrayList<>();
        for (String text : peerTexts) {
            final ClusterSettings.HostPort peer = ClusterSettings.HostPort.parse(text);
            if (peer == null || peer.equals(endpoint) || peers.contains(peer)) {
                throw s.invalid("peers", "a list of the other nodes' endpoints, each " + hostPort
                        + ", none twice nor this node's own (" + text + ")", s.node.get("peers"));
            }
            peers.add(peer);
        }
        final String driver = s.string("driver", "embedded");
        if (!driver.equals("embedded") && !driver.equals("external")) {
            throw s.invalid("driver", "\"embedded\" or \"external\"", s.node.get("driver"));
        }
        final String directory = s.string("directory", null);
        if (driver.equals("external") && (directory == null || directory.isBlank())) {
            throw s.invalid("directory", "the external media driver's directory (aeron.dir)", s.node.get("directory"));
        }
        if (driver.equals("embedded") && directory != null) {
            s.warnUnused("directory", "the driver is embedded");
        }
        s.warnUnknown();
        return new ClusterSettings.Aeron(endpoint, List.copyOf(peers), driver, driver.equals("external") ? directory : null);
    }

    /** {@code tls}: the files are read and checked now, so every error names its key. */
    private TlsSettings readTls(ConfigSection s) {
        final PemFiles pem = new PemFiles(source);
        final Path cert = file(s, "cert");
        final Path key = file(s, "key");
        final Path clientCa = s.has("client_ca") && !s.node.get("client_ca").isNull() ? file(s, "client_ca") : null;
        final long handshakeTimeoutSecs = s.integer("handshake_timeout_secs", TlsSettings.DEFAULT_HANDSHAKE_TIMEOUT_SECS, 1, 3_600);
        s.warnUnknown();
        final List<java.security.cert.X509Certificate> chain = pem.certificates(s.path() + "cert", cert);
        final java.security.PrivateKey privateKey = pem.privateKey(s.path() + "key", key);
        pem.checkPair(s.path() + "key", key, privateKey, cert, chain.get(0));
        final List<java.security.cert.X509Certificate> issuers = clientCa == null ? List.of()
                : pem.certificates(s.path() + "client_ca", clientCa);
        return new TlsSettings(cert, key, clientCa, chain, privateKey, issuers, handshakeTimeoutSecs);
    }

    private static Path file(ConfigSection s, String key) {
        final String value = s.string(key, null);
        if (value == null || value.isBlank()) {
            throw s.invalid(key, "the path of a PEM file");
        }
        try {
            return Path.of(value);
        } catch (java.nio.file.InvalidPathException e) {
            throw s.invalid(key, "the path of a PEM file (" + e.getReason() + ")");
        }
    }

    private LoggerSettings readLogger(ConfigSection s) {
        final String level = s.string("log_level", "INFO").toUpperCase(Locale.ROOT);
        if (!LOG_LEVELS.contains(level)) {
            throw s.invalid("log_level", "one of DEBUG, INFO, WARNING, ERROR, CRITICAL", s.node.get("log_level"));
        }
        final LoggerSettings settings = new LoggerSettings(
                level,
                s.bool("enable_console_log", true),
                logFormat(s, "console_log_format"),
                s.bool("enable_file_log", false),
                s.string("log_file_path", ""),
                s.bool("enable_json_log", false),
                logFormat(s, "log_format"),
                dateFormat(s),
                s.integer("max_file_size", 1_000_000, 1, Long.MAX_VALUE),
                (int) s.integer("backup_count", 3, 0, 10_000),
                s.stringList("log_keys"));
        s.warnUnknown();
        return settings;
    }

    /** A Python logging format whose fields the logging set-up can fill; another field is an error, not blank. */
    private static String logFormat(ConfigSection s, String key) {
        final String format = s.string(key, PYTHON_LOG_FORMAT);
        try {
            PythonLogFormat.parse(format);
        } catch (IllegalArgumentException e) {
            throw s.invalid(key, "a Python logging format of " + PythonLogFormat.supported() + " (" + e.getMessage() + ")");
        }
        return format;
    }

    /** A strftime pattern the logging set-up can honour; an unsupported directive is an error, not literal text. */
    private static String dateFormat(ConfigSection s) {
        final String pattern = s.string("date_format", "%Y-%m-%d %H:%M:%S.%3f");
        try {
            StrftimeFormat.formatter(pattern);
        } catch (IllegalArgumentException e) {
            throw s.invalid("date_format", "a strftime pattern of " + StrftimeFormat.supported() + " (" + e.getMessage() + ")");
        }
        return pattern;
    }

    private HyperParameters readHyperParameters(ConfigSection s) {
        final int defaultWorkers = Math.max(1, Runtime.getRuntime().availableProcessors() - 1);
        final HyperParameters parameters = new HyperParameters(
                (int) s.integer("connection_buffer_size", 128, 1, Integer.MAX_VALUE),
                (int) s.integer("command_buffer_size", 32, 1, Integer.MAX_VALUE),
                (int) s.integer("control_channel_capacity", 8, 1, Integer.MAX_VALUE),
                (int) s.integer("queue_monitor_capacity", 100, 1, Integer.MAX_VALUE),
                s.optionalInteger("client_timeout_secs", 1, Integer.MAX_VALUE),
                (int) s.integer("rate_limit_msgs_per_minute", 300, 1, Integer.MAX_VALUE),
                s.integer("timeout_check_interval_secs", 30, 1, Integer.MAX_VALUE),
                s.integer("throttle_delay_ms", 200, 0, Integer.MAX_VALUE),
                s.integer("flow_control_delay_ms", 1000, 0, Integer.MAX_VALUE),
                readBackpressure(s.object("backpressure_policy")),
                s.integer("quarantine_cooldown_secs", 300, 0, Integer.MAX_VALUE),
                s.integer("quarantine_cleanup_interval_secs", 60, 1, Integer.MAX_VALUE),
                s.integer("accept_error_backoff_ms", 100, 0, Integer.MAX_VALUE),
                (int) s.integer("worker_threads", defaultWorkers, 1, 1024),
                (int) s.integer("max_line_bytes", 65536, 1, MAX_LINE_BYTES_LIMIT),
                (int) s.integer("max_envelope_bytes", 65536, MIN_ENVELOPE_BYTES, MAX_ENVELOPE_BYTES_LIMIT),
                s.integer("max_queued_bytes", 16L * 1024 * 1024, 1024, Long.MAX_VALUE),
                (int) s.integer("max_connections", DEFAULT_MAX_CONNECTIONS, 0, Integer.MAX_VALUE),
                (int) s.integer("max_connections_per_ip", 0, 0, Integer.MAX_VALUE),
                s.integer("max_buffered_input_bytes", DEFAULT_BUFFERED_INPUT_BYTES, 1024, Long.MAX_VALUE),
                readPeerTrust(s.object("peer_trust")),
                readRouting(s),
                readHandshake(s.object("handshake")),
                readKeepalive(s));
        s.warnUnknown();
        checkCombinations(s, parameters);
        return parameters;
    }

    /** {@code routing}, and {@code dedicated_relay.enabled}, Summoner's own way of asking for {@code dedicated}. */
    private Routing readRouting(ConfigSection s) {
        final DedicatedRelay dedicated = readDedicated(s.object("dedicated_relay"));
        final ConfigSection hosted = s.object("hosted_relay");
        final java.util.Set<String> hosts = fingerprints(hosted, "host_fingerprints", hosted.stringList("host_fingerprints"));
        hosted.warnUnknown();
        final java.util.Set<String> hostFingerprints = hosts == null ? java.util.Set.of() : hosts;
        final String value = s.string("routing", null);
        final RoutingMode mode;
        if (value == null) {
            mode = dedicated.enabled() ? RoutingMode.DEDICATED : RoutingMode.BROADCAST;
        } else {
            mode = java.util.Arrays.stream(RoutingMode.values()).filter(candidate -> candidate.key().equals(value)).findFirst()
                    .orElseThrow(() -> s.invalid("routing", "one of "
                            + String.join(", ", java.util.Arrays.stream(RoutingMode.values()).map(RoutingMode::key).toList())));
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

    /** {@code tcp_keepalive}: absent, the defaults; {@code null}, off. */
    private static TcpKeepalive readKeepalive(ConfigSection hyper) {
        if (hyper.isNull("tcp_keepalive")) {
            return null;
        }
        final ConfigSection s = hyper.object("tcp_keepalive");
        final TcpKeepalive keepalive = new TcpKeepalive(
                (int) s.integer("idle_secs", TcpKeepalive.DEFAULT.idleSecs(), 1, TcpKeepalive.MAX_SECS),
                (int) s.integer("interval_secs", TcpKeepalive.DEFAULT.intervalSecs(), 1, TcpKeepalive.MAX_SECS),
                (int) s.integer("count", TcpKeepalive.DEFAULT.count(), 1, TcpKeepalive.MAX_COUNT));
        s.warnUnknown();
        return keepalive;
    }

    private Handshake readHandshake(ConfigSection s) {
        final Handshake handshake = new Handshake(s.bool("required", false), s.bool("challenge", true),
                s.integer("timeout_secs", 10, 1, Integer.MAX_VALUE));
        s.warnUnknown();
        return handshake;
    }

    /** Settings that are each valid but cannot work together are an error naming the keys, not a server no one can use. */
    private void checkCombinations(ConfigSection s, HyperParameters p) {
        final String at = s.path();
        if (p.maxBufferedInputBytes() <= p.maxLineBytes()) {
            throw combination(at + "max_buffered_input_bytes", "is " + p.maxBufferedInputBytes() + ", not more than \""
                    + at + "max_line_bytes\" (" + p.maxLineBytes() + "), so the longest line could never be held; make it larger");
        }
        final java.util.Set<String> allowed = p.peerTrust().allowedFingerprints();
        if (p.peerTrust().allowNetworks() != null && p.peerTrust().allowNetworks().isEmpty()) {
            throw combination(at + "peer_trust.allow_networks", "is [], so no address may connect; null allows every address");
        }
        if (allowed != null && allowed.isEmpty()) {
            if (p.handshake().required()) {
                throw combination(at + "peer_trust.allowed_fingerprints", "is [] while \"" + at
                        + "handshake.required\" is true, so no client could ever be relayed");
            }
            if (p.routing().mode() == RoutingMode.DEDICATED) {
                throw combination(at + "peer_trust.allowed_fingerprints", "is [] with \"routing\": \"dedicated\", so no one could send");
            }
        }
        final RoutingMode mode = p.routing().mode();
        final java.util.Set<String> dedicatedSenders = p.routing().dedicated().allowedFingerprints();
        if (mode == RoutingMode.DEDICATED && dedicatedSenders != null && dedicatedSenders.isEmpty()) {
            throw combination(at + "dedicated_relay.allowed_fingerprints", "is [] with \"routing\": \"dedicated\", so no one could send");
        }
        if (mode == RoutingMode.HOSTED || mode == RoutingMode.HYBRID) {
            for (String host : p.routing().hostFingerprints()) {
                if (allowed != null && !allowed.contains(host)) {
                    throw combination(at + "hosted_relay.host_fingerprints", "names " + host + ", which \"" + at
                            + "peer_trust.allowed_fingerprints\" does not allow, so that host could never bind");
                }
                if (mode == RoutingMode.HYBRID && dedicatedSenders != null && !dedicatedSenders.contains(host)) {
                    throw combination(at + "hosted_relay.host_fingerprints", "names " + host + ", which \"" + at
                            + "dedicated_relay.allowed_fingerprints\" does not allow, so in \"hybrid\" that host could never bind");
                }
            }
        }
    }

    private ConfigException combination(String key, String problem) {
        return new ConfigException(source, key, source + ": key \"" + key + "\" " + problem, null);
    }

    private DedicatedRelay readDedicated(ConfigSection s) {
        final boolean enabled = s.bool("enabled", false);
        final String adapter = s.string("validation_adapter", "aurora");
        if (!adapter.equals("aurora")) {
            throw s.invalid("validation_adapter", "\"aurora\" (the only adapter)");
        }
        final java.util.Set<String> allowed = fingerprints(s, "allowed_fingerprints", s.stringList("allowed_fingerprints"));
        final java.util.Map<String, List<String>> graphLists = s.stringListMap("communication_graph",
                "null or an object from each fingerprint to the list of fingerprints it may write to");
        java.util.Map<String, java.util.Set<String>> graph = null;
        if (graphLists != null) {
            graph = new LinkedHashMap<>();
            for (Map.Entry<String, List<String>> edge : graphLists.entrySet()) {
                fingerprints(s, "communication_graph", List.of(edge.getKey()));
                graph.put(edge.getKey(), fingerprints(s, "communication_graph", edge.getValue()));
            }
            graph = java.util.Collections.unmodifiableMap(graph);
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
    private static java.util.Set<String> fingerprints(ConfigSection s, String key, List<String> values) {
        if (values == null) {
            return null;
        }
        for (int i = 0; i < values.size(); i++) {
            if (!org.summoner.relay.identity.Fingerprint.isWellFormed(values.get(i))) {
                throw s.invalid(key, "fingerprints of 22 base64url characters (\"" + values.get(i) + "\" is not one)");
            }
        }
        return java.util.Collections.unmodifiableSet(new java.util.LinkedHashSet<>(values));
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
        if ((path.isEmpty() && !mayBeEmpty) || (!path.isEmpty() && java.util.Arrays.asList(path.split("\\.", -1)).contains(""))) {
            throw s.invalid(key, mayBeEmpty ? "a dot path such as \"_payload\", or \"\" for the line itself" : "a dot path such as \"from.sig\"");
        }
        return path;
    }

    private PeerTrust readPeerTrust(ConfigSection s) {
        final PeerTrust trust = new PeerTrust(s.networks("trusted_networks", NetworkSet.LOOPBACK),
                s.networks("allow_networks", null), s.networks("deny_networks", NetworkSet.NONE),
                fingerprints(s, "allowed_fingerprints", s.stringList("allowed_fingerprints")));
        s.warnUnknown();
        return trust;
    }

    private BackpressurePolicy readBackpressure(ConfigSection s) {
        final BackpressurePolicy policy = new BackpressurePolicy(
                s.bool("enable_throttle", true),
                (int) s.integer("throttle_threshold", 100, 1, Integer.MAX_VALUE),
                s.bool("enable_flow_control", true),
                (int) s.integer("flow_control_threshold", 300, 1, Integer.MAX_VALUE),
                s.bool("enable_disconnect", true),
                (int) s.integer("disconnect_threshold", 500, 1, Integer.MAX_VALUE));
        s.warnUnknown();
        return policy;
    }
}
