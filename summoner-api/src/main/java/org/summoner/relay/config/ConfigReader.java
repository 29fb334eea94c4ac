package org.summoner.relay.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import org.summoner.relay.wire.NoticeLines;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
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
        final ClusterSettings cluster = top.has("cluster") && !top.node.get("cluster").isNull() ? ClusterReader.read(top.object("cluster"), source) : null;
        final DrainSettings drain = readDrain(top.object("drain"));
        final VerificationSettings verification = readVerification(top.object("verification"));
        final Map<String, JsonNode> others = new LinkedHashMap<>();
        for (String name : top.unknownKeys()) {
            others.put(name, top.node.get(name)); // an engine's own section, or a key of another program
        }
        top.warnUnknown();
        return new ServerConfig(source, host, port, version, logger, hyperParameters, monitoring, tls, cluster, drain, verification, List.copyOf(warnings), others);
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

    private static DrainSettings readDrain(ConfigSection s) {
        final DrainSettings drain = new DrainSettings(
                s.integer("period_secs", DrainSettings.DEFAULT_PERIOD_SECS, 0, DrainSettings.MAX_PERIOD_SECS),
                s.bool("reuse_port", false));
        s.warnUnknown();
        return drain;
    }

    private static VerificationSettings readVerification(ConfigSection s) {
        final Integer threads = s.has("threads") && !s.node.get("threads").isNull()
                ? (int) s.integer("threads", 0, 0, VerificationSettings.MAX_THREADS) : null;
        final VerificationSettings verification = new VerificationSettings(threads,
                (int) s.integer("max_waiting", VerificationSettings.DEFAULT_MAX_WAITING, 1, 1_000_000));
        s.warnUnknown();
        return verification;
    }

    /** {@code tls}: the files are read and checked now, so every error names its key. */
    private TlsSettings readTls(ConfigSection s) {
        final PemFiles pem = new PemFiles(source);
        final Path cert = file(s, "cert");
        final Path key = file(s, "key");
        final Path clientCa = s.has("client_ca") && !s.node.get("client_ca").isNull() ? file(s, "client_ca") : null;
        final long handshakeTimeoutSecs = s.integer("handshake_timeout_secs", TlsSettings.DEFAULT_HANDSHAKE_TIMEOUT_SECS, 1, 3_600);
        s.warnUnknown();
        final List<X509Certificate> chain = pem.certificates(s.path() + "cert", cert);
        final PrivateKey privateKey = pem.privateKey(s.path() + "key", key);
        pem.checkPair(s.path() + "key", key, privateKey, cert, chain.get(0));
        final List<X509Certificate> issuers = clientCa == null ? List.of()
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
        } catch (InvalidPathException e) {
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
                new RoutingReader(source).read(s),
                readHandshake(s.object("handshake")),
                readKeepalive(s));
        s.warnUnknown();
        checkCombinations(s, parameters);
        return parameters;
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
        final Set<String> allowed = p.peerTrust().allowedFingerprints();
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
        final Set<String> dedicatedSenders = p.routing().dedicated().allowedFingerprints();
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

    private PeerTrust readPeerTrust(ConfigSection s) {
        final PeerTrust trust = new PeerTrust(s.networks("trusted_networks", NetworkSet.LOOPBACK),
                s.networks("allow_networks", null), s.networks("deny_networks", NetworkSet.NONE),
                RoutingReader.fingerprints(s, "allowed_fingerprints", s.stringList("allowed_fingerprints")));
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
