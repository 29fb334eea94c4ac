package org.summoner.relay.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * A Summoner server configuration: the keys of {@code server_config.json} (SPEC section 6), read once,
 * validated once, immutable afterwards and safe to share between threads.
 *
 * <p>Every key is optional; {@link #defaults()} holds the default of each. {@code host} and {@code port} stay
 * unset unless the source sets them, because of the seed's precedence rule: a value in the config wins over the
 * one given in code, and an unset one leaves the code's value in force ({@link #bindHost}, {@link #bindPort}).
 *
 * <p>Loading fails with a {@link ConfigException} naming the source, the key, what was expected and what was
 * found. Keys it does not know are kept as {@link #warnings()}, not errors.
 */
public final class ServerConfig {
    /** The bind host when neither code nor config names one. */
    public static final String DEFAULT_HOST = "127.0.0.1";
    /** The bind port when neither code nor config names one. */
    public static final int DEFAULT_PORT = 8888;
    /** The source name of a configuration given as an in-memory map. */
    public static final String MAP_SOURCE = "config map";

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private final String source;
    private final String host;
    private final Integer port;
    private final String version;
    private final LoggerSettings logger;
    private final HyperParameters hyperParameters;
    private final Monitoring monitoring;
    private final TlsSettings tls;
    private final ClusterSettings cluster;
    private final DrainSettings drain;
    private final VerificationSettings verification;
    private final List<String> warnings;
    /** Top-level keys the reader does not know, with their values: an engine's own section, or another program's. */
    private final Map<String, JsonNode> others;

    ServerConfig(String source, String host, Integer port, String version, LoggerSettings logger,
                 HyperParameters hyperParameters, Monitoring monitoring, TlsSettings tls, ClusterSettings cluster,
                 DrainSettings drain, VerificationSettings verification, List<String> warnings, Map<String, JsonNode> others) {
        this.source = source;
        this.host = host;
        this.port = port;
        this.version = version;
        this.logger = logger;
        this.hyperParameters = hyperParameters;
        this.monitoring = monitoring;
        this.tls = tls;
        this.cluster = cluster;
        this.drain = drain;
        this.verification = verification;
        this.warnings = warnings;
        this.others = others;
    }

    /**
     * @return the configuration of an empty {@code {}}: every key at its default, host and port unset.
     */
    public static ServerConfig defaults() {
        return ConfigReader.read(null, "defaults");
    }

    /**
     * Reads a JSON file. Unlike {@code SummonerServer.run}, a missing file is an error here.
     *
     * @throws ConfigException if the file cannot be read, is not JSON, or holds an invalid value.
     */
    public static ServerConfig fromFile(Path path) {
        final String source = path.toString();
        final byte[] json;
        try {
            json = Files.readAllBytes(path);
        } catch (IOException e) {
            throw new ConfigException(source, null, source + ": cannot read: " + e, e);
        }
        return fromJson(json, source);
    }

    /**
     * Reads a JSON document.
     *
     * @param source names the document in error messages, usually its file path.
     */
    public static ServerConfig fromJson(byte[] json, String source) {
        final JsonNode root;
        try (JsonParser parser = MAPPER.createParser(json)) {
            root = MAPPER.readTree(parser);
        } catch (JsonProcessingException e) {
            final JsonLocation at = e.getLocation();
            final String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            throw new ConfigException(source, null, source + ": not valid JSON" + where + ": " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new ConfigException(source, null, source + ": cannot read: " + e, e);
        }
        if (root == null) {
            throw new ConfigException(source, null, source + ": not valid JSON: the document is empty", null);
        }
        return ConfigReader.read(root, source);
    }

    /**
     * Reads an in-memory map with the shape of the JSON file (nested maps, lists, strings, numbers, booleans,
     * nulls), as the seed's {@code config_dict}.
     */
    public static ServerConfig fromMap(Map<String, ?> config) {
        Objects.requireNonNull(config, "config");
        final JsonNode root;
        try {
            root = MAPPER.valueToTree(config);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(MAP_SOURCE, null, MAP_SOURCE + ": not representable as JSON: " + e.getMessage(), e);
        }
        return ConfigReader.read(root, MAP_SOURCE);
    }

    /** @return a file path as given, {@link #MAP_SOURCE}, or {@code defaults}. */
    public String source() {
        return source;
    }

    /** @return {@code host} if the source sets it. */
    public Optional<String> host() {
        return Optional.ofNullable(host);
    }

    /** @return {@code port} if the source sets it. */
    public OptionalInt port() {
        return port == null ? OptionalInt.empty() : OptionalInt.of(port);
    }

    /** @return {@code version}, which names the engine, if the source sets it. */
    public Optional<String> version() {
        return Optional.ofNullable(version);
    }

    /** The seed's rule: the config's {@code host}, when set, wins over the one given in code. */
    public String bindHost(String codeHost) {
        return host != null ? host : codeHost;
    }

    /** The seed's rule: the config's {@code port}, when set, wins over the one given in code. */
    public int bindPort(int codePort) {
        return port != null ? port : codePort;
    }

    public LoggerSettings logger() {
        return logger;
    }

    public HyperParameters hyperParameters() {
        return hyperParameters;
    }

    /** @return {@code monitoring}: the HTTP listener of metrics, health and connections, {@link Monitoring#OFF} by default. */
    public Monitoring monitoring() {
        return monitoring;
    }

    /** @return {@code tls}, read and checked, when the relay port speaks TLS. */
    public Optional<TlsSettings> tls() {
        return Optional.ofNullable(tls);
    }

    /** @return {@code cluster}: this relay is a node of several joined by a backplane (SPEC section 11); empty alone. */
    public Optional<ClusterSettings> cluster() {
        return Optional.ofNullable(cluster);
    }

    /** @return the top-level keys the reader does not know, with their values (engines' sections among them). */
    Map<String, JsonNode> others() {
        return others;
    }

    /** @return one line per key that was ignored, each naming the source and the key. */
    /** @return {@code drain}: the period over which a drain closes the clients, and whether the port is shared. */
    public DrainSettings drain() {
        return drain;
    }

    /** @return {@code verification}: the threads that check signatures off the engine threads, and what may wait for them. */
    public VerificationSettings verification() {
        return verification;
    }

    public List<String> warnings() {
        return warnings;
    }

    /**
     * @param engineSections top-level keys that engines on the class path read as their own sections
     *                       ({@code RelayEngineProvider.configSection()}).
     * @return {@link #warnings()} without the ones about those keys.
     */
    public List<String> warningsExcept(Set<String> engineSections) {
        final Set<String> claimed = new HashSet<>();
        for (String name : engineSections) {
            if (others.containsKey(name)) {
                claimed.add(ConfigSection.unknownKeyWarning(source, name));
            }
        }
        return claimed.isEmpty() ? warnings : warnings.stream().filter(w -> !claimed.contains(w)).toList();
    }

    /**
     * An engine's own top-level section, e.g. {@code "agrona": {...}}, read with the same checks and messages as
     * the Summoner keys. Absent or null gives an empty section, where every key has its default.
     *
     * @throws ConfigException when the key holds something other than a JSON object.
     */
    public ConfigSection section(String name) {
        return ConfigSection.named(source, "", name, others.get(name));
    }

    /** @return a copy with {@code host} set, as a command-line flag that overrides the file does. */
    public ServerConfig withHost(String newHost) {
        return new ServerConfig(source, Objects.requireNonNull(newHost, "host"), port, version, logger, hyperParameters, monitoring, tls, cluster, drain, verification, warnings, others);
    }

    /** @return a copy with {@code port} set, as a command-line flag that overrides the file does. */
    public ServerConfig withPort(int newPort) {
        if (newPort < 0 || newPort > 65535) {
            throw new IllegalArgumentException("port=" + newPort + ": expected an integer from 0 to 65535");
        }
        return new ServerConfig(source, host, newPort, version, logger, hyperParameters, monitoring, tls, cluster, drain, verification, warnings, others);
    }

    /** @return a copy with {@code version} set, as a command-line flag that overrides the file does. */
    public ServerConfig withVersion(String newVersion) {
        return new ServerConfig(source, host, port, Objects.requireNonNull(newVersion, "version"), logger, hyperParameters, monitoring, tls, cluster, drain, verification, warnings, others);
    }

    /** Every resolved value, for the start-up log. */
    @Override
    public String toString() {
        return "ServerConfig{source=" + source
                + ", host=" + host
                + ", port=" + port
                + ", version=" + version
                + ", logger=" + logger
                + ", hyper_parameters=" + hyperParameters
                + ", monitoring=" + monitoring
                + ", tls=" + tls
                + ", drain=" + drain
                + ", verification=" + verification
                + '}';
    }
}
