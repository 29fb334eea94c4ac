package org.summoner.relay.core;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import org.summoner.relay.config.ConfigException;
import org.summoner.relay.config.ServerConfig;
import org.summoner.relay.counters.RelayCounters;
import org.summoner.relay.fuzz.AuroraVectors;
import org.summoner.relay.fuzz.IdentityPool;
import org.summoner.relay.fuzz.KnownFindings;
import org.summoner.relay.fuzz.PathPresets;
import org.summoner.relay.fuzz.Violation;
import org.summoner.relay.identity.AuroraSigner;
import org.summoner.relay.identity.Json;
import org.summoner.relay.policy.FairUsePolicy;
import org.summoner.relay.routing.Routers;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Coverage-guided fuzzing of the whole line path, from the bytes a client sends to the lines every client is written:
 * the real {@link RelayCore} (framer, rate limit, the router of each routing mode behind the handshake gate, Aurora
 * verification, envelope encoding under {@code max_envelope_bytes}, the outbound budget, invalid attempts, timed
 * duties) on {@link FuzzEngine}, an engine without sockets, with nothing of the logic replaced.
 *
 * <p>Each input is a whole run: the fuzzer picks a configuration ({@code routing} broadcast, dedicated, hosted or
 * hybrid; {@code dedicated_relay.paths} from presets that include {@code sender_identity: "sender"} and
 * {@code envelope_root: "_payload"}; allowed lists and graph; {@code hosted_relay.host_fingerprints} from the identity
 * pool; {@code handshake}; line and envelope limits down to 64; rate limit, backpressure and {@code invalid_attempts}
 * thresholds; {@code peer_trust}), then up to {@value #MAX_OPERATIONS} operations: clients connecting (from trusted
 * 127.0.0.1 and from other addresses, through admission), sending bytes split anywhere (raw bytes, the conformance
 * kit's lines, the Aurora vectors' lines, envelopes signed by the pool for the configured paths with fuzzer-chosen
 * payload, receiver and session proof, answered challenges, host directives, each maybe mutated), closing, resetting,
 * reading what waits for them, time passing, and shutdown.
 *
 * <p>Invariants, on every input: no exception escapes the core's entry points ({@code Session.start},
 * {@code onBytes}, {@code onEndOfStream}, the dispatcher's timed duties), and every line written to a client keeps
 * the rules of {@link LinePathOracle} (bounded by {@code max_envelope_bytes}; a notice, the challenge or an envelope;
 * to whom the routing mode allows; bindings only to identities the fuzzer can sign for; the counters add up). A
 * finding listed in {@link KnownFindings} is tolerated; anything else fails the test with the rule broken.
 *
 * <p>Input layout ({@link FuzzedDataProvider}): choices are taken from the end of the input, byte strings from its
 * start. Regression inputs: {@code src/test/resources/org/summoner/relay/core/LinePathFuzzTargetInputs/<method>/}.
 */
final class LinePathFuzzTarget {
    static final int MAX_OPERATIONS = 48;
    private static final long MILLI = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    private static final ObjectMapper JACKSON = new ObjectMapper();
    /** Where clients connect from: IP text, and whether it is inside each {@code trusted_networks} option. */
    private static final String[] IPS = {"127.0.0.1", "127.0.0.1", "127.0.0.2", "10.0.0.1", "10.0.0.2", "192.0.2.7", "::1", "2001:db8::1"};
    /** The presets a config accepts: the sender's key and identity signature inside its identity record. */
    private static final List<String[]> PATHS = PathPresets.PRESETS.stream()
            .filter(paths -> paths[4].startsWith(paths[1] + ".") && paths[5].startsWith(paths[1] + ".")).toList();
    /** Lines the conformance kit (summoner-tck) sends, without their {@code \n}. */
    static final List<String> KIT_LINES = List.of("hello", "", "windows\r", "mid\rline", "one", "last words", "still here",
            "{\"type\":\"offer\",\"price\":[1,2.5],\"ok\":true}", "q\" b\\ /\u0001\u0002\u001f\u007f end", "héllo 世界 😀 \u2028",
            "v6", "answer: 42", "anyone there?", "round 1 begins", "anyone selling potions?", "deal", "{\"from\":\"alice\",\"text\":\"hi\"}",
            "[1, 2]", "{\"v\": \"env.v1\"}", "not an envelope 1", "junk", "\u0001".repeat(40), "b".repeat(1025),
            "{\"to\":[\"127.0.0.1:40001\"],\"content\":\"your turn\"}", "{\"to\":[\"127.0.0.1:1\"],\"content\":{\"score\":3,\"ok\":true,\"tags\":[\"fast\",null]}}",
            "the server restarts at noon", "{\"to\":[],\"content\":\"x\"}", "{\"to\":\"127.0.0.1:40001\",\"content\":\"x\"}");

    /** {@code -Dsummoner.fuzz.trace=true}: each run's configuration and operations on stderr, to read a finding's input. */
    private static final boolean TRACE = Boolean.getBoolean("summoner.fuzz.trace");
    private static long inputs;

    private static void trace(String what) {
        if (TRACE) {
            System.err.println("[trace] " + what);
        }
    }

    /** One run's state: the engine, its oracle, and what the target knows of each connection. */
    private static final class Run {
        final FuzzEngine engine;
        final LinePathOracle oracle;
        final RoutingLedger ledger;
        final String[] paths;
        final List<FuzzEngine.Connection> connections = new ArrayList<>();
        final List<String> remoteAddrs = new ArrayList<>();
        /** The nonce each connection was sent, parsed from what it was written. */
        final List<String> nonces = new ArrayList<>();
        /** Every signed line sent so far, to send again (a replay). */
        final List<byte[]> signedLines = new ArrayList<>();
        long faultedLines;

        Run(FuzzEngine engine, LinePathOracle oracle, RoutingLedger ledger, String[] paths) {
            this.engine = engine;
            this.oracle = oracle;
            this.ledger = ledger;
            this.paths = paths;
        }
    }

    @FuzzTest(maxDuration = "60s")
    @DictionaryEntries({"{\"v\":\"env.v1\",", "\"from\":", "\"to\":", "\"sig\":", "\"payload\":", "\"session_proof\":",
            "\"_payload\":", "\"sender\":", "\"content\":", "\"challenge\":", "\"pub_sig_b64\":", "\"id.v1\"", "null", "fp:",
            "127.0.0.1:4000", "1e-07", "-0.0"})
    void every_line_reaches_only_whom_its_routing_mode_allows_within_its_bounds(FuzzedDataProvider data) {
        inputs++;
        final Run run = start(data);
        if (run == null) {
            return;
        }
        boolean serving = true;
        for (int op = 0; op < MAX_OPERATIONS && serving && data.remainingBytes() > 0; op++) {
            serving = operate(run, data);
            checkState(run);
        }
        run.engine.shutDown();
        for (FuzzEngine.Connection connection : run.connections) {
            run.engine.read(connection, Integer.MAX_VALUE);
        }
        run.engine.advance(Dispatcher.LINGER_NANOS);
        checkState(run);
    }

    // ---- the configuration ----

    private static Run start(FuzzedDataProvider data) {
        final Map<String, Object> hp = new LinkedHashMap<>();
        final String mode = data.pickValue(new String[]{"broadcast", "dedicated", "hosted", "hybrid"});
        final List<String> fingerprints = new ArrayList<>();
        for (int i = 0; i < IdentityPool.SIGNERS.size(); i++) {
            fingerprints.add(IdentityPool.fingerprint(i));
        }
        for (JsonNode identity : AuroraVectors.document().get("identities")) {
            fingerprints.add(identity.get("fingerprint").textValue());
        }
        final Set<String> hosts = new LinkedHashSet<>();
        if (mode.equals("hosted") || mode.equals("hybrid")) {
            final int mask = data.consumeInt(mode.equals("hosted") ? 1 : 0, 15);
            for (int i = 0; i < 4; i++) {
                if ((mask & 1 << i) != 0) {
                    hosts.add(IdentityPool.fingerprint(i));
                }
            }
        }
        final boolean handshakeRequired = data.consumeInt(0, 3) == 0;
        final boolean challenge = data.consumeBoolean();
        final long handshakeTimeout = data.consumeInt(1, 30);
        final Set<String> peerAllowed = data.consumeInt(0, 2) == 0 ? subset(data, fingerprints, hosts) : null;
        final Set<String> dedicatedAllowed = !mode.equals("broadcast") && data.consumeInt(0, 2) == 0 ? subset(data, fingerprints, hosts) : null;
        final Map<String, Set<String>> graph = data.consumeInt(0, 3) == 0 ? graph(data, fingerprints) : null;
        final String[] paths = PATHS.get(data.consumeInt(0, PATHS.size() - 1));
        final boolean rejectUnknownReceiver = data.consumeBoolean();
        final int trustedOption = data.consumeInt(0, 2);
        final int maxLineBytes = data.consumeBoolean() ? data.consumeInt(1, 4096) : data.consumeInt(1, 65536);
        final int maxEnvelopeBytes = data.consumeBoolean() ? data.consumeInt(256, 4096) : data.consumeInt(256, 65536);
        final boolean attemptsEnabled = data.consumeInt(0, 4) != 0;
        final long windowSecs = data.consumeInt(1, 120);
        final int[] thresholds = {data.consumeInt(1, 15), data.consumeInt(1, 15), data.consumeInt(1, 15), data.consumeInt(1, 15)};

        if (mode.equals("dedicated") && data.consumeBoolean()) {
            hp.put("dedicated_relay", new LinkedHashMap<>(Map.of("enabled", true)));
        } else {
            hp.put("routing", mode);
        }
        @SuppressWarnings("unchecked")
        final Map<String, Object> dedicated = (Map<String, Object>) hp.computeIfAbsent("dedicated_relay", k -> new LinkedHashMap<>());
        dedicated.put("paths", Map.of("envelope_root", paths[0], "sender_identity", paths[1], "receiver_identity", paths[2],
                "envelope_signature", paths[3], "sender_signing_key", paths[4], "sender_identity_signature", paths[5]));
        if (dedicatedAllowed != null) {
            dedicated.put("allowed_fingerprints", List.copyOf(dedicatedAllowed));
        }
        if (graph != null) {
            final Map<String, List<String>> lists = new LinkedHashMap<>();
            graph.forEach((from, to) -> lists.put(from, List.copyOf(to)));
            dedicated.put("communication_graph", lists);
        }
        dedicated.put("policy", Map.of("allow_null_receiver_binding", data.consumeBoolean(),
                "reject_unknown_receiver", rejectUnknownReceiver, "reject_when_receiver_disconnected", data.consumeBoolean()));
        dedicated.put("invalid_attempts", Map.of("enabled", attemptsEnabled, "window_secs", windowSecs,
                "throttle_threshold", thresholds[0], "flow_control_threshold", thresholds[1], "disconnect_threshold", thresholds[2],
                "quarantine_threshold", thresholds[3], "quarantine_secs", data.consumeInt(0, 600), "max_entries", data.consumeInt(1, 5)));
        if (!hosts.isEmpty()) {
            hp.put("hosted_relay", Map.of("host_fingerprints", List.copyOf(hosts)));
        }
        hp.put("handshake", Map.of("required", handshakeRequired, "challenge", challenge, "timeout_secs", handshakeTimeout));
        final Map<String, Object> trust = new LinkedHashMap<>();
        trust.put("trusted_networks", switch (trustedOption) {
            case 0 -> List.of("127.0.0.0/8", "::1/128");
            case 1 -> List.of();
            default -> List.of("10.0.0.0/8", "::1/128");
        });
        switch (data.consumeInt(0, 3)) {
            case 0 -> trust.put("deny_networks", List.of("192.0.2.0/24"));
            case 1 -> trust.put("allow_networks", List.of("127.0.0.0/8", "10.0.0.0/8", "::/0"));
            default -> {
            }
        }
        if (peerAllowed != null) {
            trust.put("allowed_fingerprints", List.copyOf(peerAllowed));
        }
        hp.put("peer_trust", trust);
        hp.put("max_line_bytes", maxLineBytes);
        hp.put("max_envelope_bytes", maxEnvelopeBytes);
        hp.put("rate_limit_msgs_per_minute", data.consumeBoolean() ? data.consumeInt(1, 20) : data.consumeInt(1, 100_000));
        if (data.consumeBoolean()) {
            hp.put("client_timeout_secs", data.consumeInt(1, 120));
        }
        hp.put("timeout_check_interval_secs", data.consumeInt(1, 30));
        hp.put("max_queued_bytes", data.consumeBoolean() ? data.consumeInt(1024, 8192) : data.consumeInt(1024, 1 << 20));
        hp.put("max_connections", data.consumeInt(0, 3) == 0 ? data.consumeInt(1, 6) : 0);
        hp.put("max_connections_per_ip", data.consumeInt(0, 3) == 0 ? data.consumeInt(1, 3) : 0);
        hp.put("quarantine_cooldown_secs", data.consumeInt(0, 600));
        hp.put("throttle_delay_ms", data.consumeInt(0, 2000));
        hp.put("flow_control_delay_ms", data.consumeInt(0, 5000));
        hp.put("backpressure_policy", Map.of("enable_throttle", data.consumeBoolean(), "throttle_threshold", data.consumeInt(1, 10),
                "enable_flow_control", data.consumeBoolean(), "flow_control_threshold", data.consumeInt(1, 20),
                "enable_disconnect", data.consumeBoolean(), "disconnect_threshold", data.consumeInt(1, 40)));

        trace("config " + hp);
        final ServerConfig config;
        try {
            // Checks on the engine thread: the oracle decides each turn as it comes (the pool's hand-back is SignedInputTest's).
            config = ServerConfig.fromMap(Map.of("hyper_parameters", hp, "verification", Map.of("threads", 0)));
        } catch (ConfigException e) {
            // A combination the config refuses (e.g. an allowed list without a host's identity): not a relay to fuzz.
            return null;
        }
        final Predicate<String> trusted = switch (trustedOption) {
            case 0 -> ip -> ip.startsWith("127.") || ip.equals("::1");
            case 1 -> ip -> false;
            default -> ip -> ip.startsWith("10.") || ip.equals("::1");
        };
        final LinePathOracle.Rules rules = new LinePathOracle.Rules(mode, handshakeRequired, challenge, handshakeTimeout,
                maxLineBytes, maxEnvelopeBytes, PathPresets.split(paths[0]), PathPresets.split(paths[4]), PathPresets.split(paths[2]), PathPresets.split(paths[1]), peerAllowed,
                dedicatedAllowed, graph, rejectUnknownReceiver, hosts, attemptsEnabled, windowSecs * SECOND, thresholds[2],
                thresholds[3], trusted);
        final LinePathOracle oracle = new LinePathOracle(rules, () -> inputs);
        final RoutingLedger[] ledger = new RoutingLedger[1];
        final RelayCore core = new RelayCore(config, new RelayCounters(), FairUsePolicy.of(config),
                c -> ledger[0] = new RoutingLedger(Routers.of(c)));
        oracle.watch(ledger[0]);
        final Run[] run = new Run[1];
        final FuzzEngine engine = new FuzzEngine(core, oracle, (entryPoint, session, error) -> fault(run[0], entryPoint, session, error));
        ledger[0].clock = engine::now;
        run[0] = new Run(engine, oracle, ledger[0], paths);
        final int clients = data.consumeInt(1, 4);
        for (int i = 0; i < clients; i++) {
            connect(run[0], data.consumeInt(0, IPS.length - 1));
        }
        return run[0];
    }

    private static Set<String> subset(FuzzedDataProvider data, List<String> fingerprints, Set<String> mustHave) {
        final Set<String> chosen = new LinkedHashSet<>(mustHave);
        final int mask = data.consumeInt(1, (1 << fingerprints.size()) - 1);
        for (int i = 0; i < fingerprints.size(); i++) {
            if ((mask & 1 << i) != 0) {
                chosen.add(fingerprints.get(i));
            }
        }
        return Set.copyOf(chosen);
    }

    private static Map<String, Set<String>> graph(FuzzedDataProvider data, List<String> fingerprints) {
        final Map<String, Set<String>> graph = new LinkedHashMap<>();
        for (int from = 0; from < 4; from++) {
            final int mask = data.consumeInt(0, 15);
            final Set<String> to = new LinkedHashSet<>();
            for (int i = 0; i < 4; i++) {
                if ((mask & 1 << i) != 0) {
                    to.add(fingerprints.get(i));
                }
            }
            graph.put(fingerprints.get(from), Set.copyOf(to));
        }
        return graph;
    }

    // ---- operations ----

    private static void connect(Run run, int ipIndex) {
        final int port = 40000 + run.connections.size();
        final String ip = IPS[ipIndex];
        final String remoteAddr = (ip.contains(":") ? "[" + ip + "]" : ip) + ":" + port;
        final InetSocketAddress remote;
        try {
            remote = new InetSocketAddress(InetAddress.getByName(ip), port);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
        // The oracle learns of the connection before its first line (the challenge) is written.
        final FuzzEngine.Connection connection = run.engine.accept(remote, made -> run.oracle.connected(made, remoteAddr, ip));
        trace("connect " + remoteAddr + (connection.refused ? " refused" : ""));
        run.connections.add(connection);
        run.remoteAddrs.add(remoteAddr);
        String nonce = null;
        if (!connection.written.isEmpty()) {
            final String first = new String(connection.written.get(0), StandardCharsets.UTF_8);
            if (first.startsWith("{\"handshake\":\"challenge\",\"nonce\":\"") && first.length() > 37) {
                nonce = first.substring(34, first.length() - 3);
            }
        }
        run.nonces.add(nonce);
    }

    /** @return false once the server shut down. */
    private static boolean operate(Run run, FuzzedDataProvider data) {
        final int kind = data.consumeInt(0, 15);
        trace("operation " + kind);
        if (kind == 13) {
            return false;
        }
        if (kind == 15) {
            connect(run, data.consumeInt(0, IPS.length - 1));
            return true;
        }
        if (kind == 14) {
            final int step = data.consumeInt(0, 3);
            final long nanos = switch (step) {
                case 0 -> data.consumeInt(0, 1000) * MILLI;
                case 1 -> data.consumeInt(1, 60) * SECOND;
                case 2 -> data.consumeInt(60, 700) * SECOND;
                default -> Dispatcher.LINGER_NANOS;
            };
            trace("time passes: " + nanos / MILLI + " ms");
            run.engine.advance(nanos);
            return true;
        }
        final int index = data.consumeInt(0, run.connections.size() - 1);
        final FuzzEngine.Connection connection = run.connections.get(index);
        trace("operation " + kind + " on " + connection.remote);
        switch (kind) {
            case 0, 1 -> send(run, connection, data, signedEnvelope(run, index, data));
            case 2 -> send(run, connection, data, data.consumeBoolean() ? signedEnvelope(run, index, data) : replayed(run, data));
            case 3 -> send(run, connection, data, raw(data));
            case 4 -> send(run, connection, data, line(KIT_LINES.get(data.consumeInt(0, KIT_LINES.size() - 1)), data));
            case 5, 6 -> send(run, connection, data, vectorLine(data));
            case 7, 8 -> send(run, connection, data, directive(run, data));
            case 9 -> {
                run.oracle.clientClosed(connection);
                run.engine.clientCloses(connection);
            }
            case 10 -> run.engine.clientResets(connection);
            default -> run.engine.read(connection, data.consumeInt(1, 64));
        }
        return true;
    }

    /** Sends {@code bytes}, cut into up to four chunks at points the fuzzer chooses. */
    private static void send(Run run, FuzzEngine.Connection connection, FuzzedDataProvider data, byte[] bytes) {
        final int cuts = data.consumeInt(0, 3);
        int at = 0;
        for (int i = 0; i < cuts && at < bytes.length; i++) {
            final int next = data.consumeInt(at, bytes.length);
            chunk(run, connection, Arrays.copyOfRange(bytes, at, next));
            at = next;
        }
        chunk(run, connection, Arrays.copyOfRange(bytes, at, bytes.length));
    }

    private static void chunk(Run run, FuzzEngine.Connection connection, byte[] chunk) {
        trace("client " + connection.remote + " sends " + LinePathOracle.shown(chunk));
        if (!connection.refused && !connection.closed) {
            run.oracle.clientSent(connection, chunk);
        }
        run.engine.clientSends(connection, chunk);
    }

    private static byte[] raw(FuzzedDataProvider data) {
        return data.consumeBytes(data.consumeInt(0, 512));
    }

    /** A line of text, mutated maybe, ended with {@code \n}, {@code \r\n} or nothing. */
    private static byte[] line(String text, FuzzedDataProvider data) {
        return end(mutate(text.getBytes(StandardCharsets.UTF_8), data), data);
    }

    private static byte[] end(byte[] line, FuzzedDataProvider data) {
        final int end = data.consumeInt(0, 5);
        final byte[] terminator = end == 0 ? new byte[0] : end == 1 ? new byte[]{'\r', '\n'} : new byte[]{'\n'};
        final byte[] out = Arrays.copyOf(line, line.length + terminator.length);
        System.arraycopy(terminator, 0, out, line.length, terminator.length);
        return out;
    }

    private static byte[] vectorLine(FuzzedDataProvider data) {
        final List<AuroraVectors.Line> lines = AuroraVectors.lines();
        return end(mutate(lines.get(data.consumeInt(0, lines.size() - 1)).bytes(), data), data);
    }

    /** Most lines go as made; some get one small change: a byte set, a range cut, bytes repeated, a tail cut off. */
    private static byte[] mutate(byte[] line, FuzzedDataProvider data) {
        final int how = data.consumeInt(0, 11);
        if (line.length == 0 || how > 4) {
            return line;
        }
        final int at = data.consumeInt(0, line.length - 1);
        return switch (how) {
            case 0 -> {
                final byte[] out = line.clone();
                out[at] = data.consumeByte();
                yield out;
            }
            case 1 -> {
                final int to = data.consumeInt(at, line.length);
                final byte[] out = new byte[line.length - (to - at)];
                System.arraycopy(line, 0, out, 0, at);
                System.arraycopy(line, to, out, at, line.length - to);
                yield out;
            }
            case 2 -> {
                final int to = data.consumeInt(at, Math.min(line.length, at + 64));
                final byte[] out = new byte[line.length + (to - at)];
                System.arraycopy(line, 0, out, 0, to);
                System.arraycopy(line, at, out, to, line.length - at);
                yield out;
            }
            case 3 -> Arrays.copyOf(line, at);
            default -> {
                final byte[] inserted = data.consumeBytes(data.consumeInt(1, 8));
                final byte[] out = new byte[line.length + inserted.length];
                System.arraycopy(line, 0, out, 0, at);
                System.arraycopy(inserted, 0, out, at, inserted.length);
                System.arraycopy(line, at, out, at + inserted.length, line.length - at);
                yield out;
            }
        };
    }

    /**
     * An envelope signed by a pool identity, for the receiver the fuzzer picks, laid out for the configured paths (each
     * part copied, moved or left where Aurora puts it), written compactly or by Jackson, then maybe mutated.
     */
    private static byte[] signedEnvelope(Run run, int sender, FuzzedDataProvider data) {
        final AuroraSigner signer = IdentityPool.SIGNERS.get(data.consumeInt(0, IdentityPool.SIGNERS.size() - 1));
        final Map<String, Object> to = switch (data.consumeInt(0, 4)) {
            case 0 -> null;
            case 1, 2 -> IdentityPool.SIGNERS.get(data.consumeInt(0, IdentityPool.SIGNERS.size() - 1)).publicId();
            case 3 -> IdentityPool.VECTOR_RECORDS.get(data.consumeInt(0, IdentityPool.VECTOR_RECORDS.size() - 1));
            default -> signer.publicId();
        };
        final String nonce = run.nonces.get(sender);
        final Object payload = switch (data.consumeInt(0, 5)) {
            case 0 -> data.consumeString(40);
            case 1, 2 -> nonce == null ? Map.of("challenge", data.consumeString(43)) : Map.of("challenge", nonce);
            case 3 -> Map.of("challenge", nonce == null ? "" : nonce, "n", new BigInteger(1, data.consumeBytes(12)));
            case 4 -> List.of(data.consumeRegularDouble(), data.consumeLong(), data.consumeBoolean());
            default -> null;
        };
        final Object proof = switch (data.consumeInt(0, 7)) {
            case 0 -> null;
            case 1 -> data.consumeString(20);
            case 2 -> Map.of("t", data.consumeLong());
            case 3 -> Map.of("ts", System.currentTimeMillis() / 1000 + data.consumeInt(-100_000, 100_000)); // maybe stale
            default -> AuroraSigner.freshSessionProof(); // what an agent sends: fresh, used once
        };
        final Map<String, Object> envelope = new LinkedHashMap<>(signer.envelope(payload, proof, to));
        final String[] paths = data.consumeInt(0, 3) == 0 ? PATHS.get(data.consumeInt(0, PATHS.size() - 1)) : run.paths;
        // Aurora's layout is {v, payload, session_proof, from, to, sig}: put each part where the paths say too.
        final Object from = envelope.get("from");
        place(envelope, "from", paths[1], from, data);
        place(envelope, "to", paths[2], envelope.get("to"), data);
        place(envelope, "sig", paths[3], envelope.get("sig"), data);
        if (!paths[4].startsWith(paths[1] + ".")) {
            putAt(envelope, PathPresets.split(paths[4]), ((Map<?, ?>) from).get("pub_sig_b64"));
        }
        if (!paths[5].startsWith(paths[1] + ".")) {
            putAt(envelope, PathPresets.split(paths[5]), ((Map<?, ?>) from).get("sig"));
        }
        Object line = envelope;
        if (!paths[0].isEmpty()) {
            final Map<String, Object> wrapper = new LinkedHashMap<>();
            wrapper.put("_version", "1.3.0");
            putAt(wrapper, PathPresets.split(paths[0]), envelope);
            wrapper.put("_type", "dict");
            line = wrapper;
        }
        final byte[] bytes = data.consumeBoolean() ? Json.compact(line) : jackson(line);
        final byte[] sent = end(mutate(bytes, data), data);
        run.signedLines.add(sent);
        return sent;
    }

    /** A signed line sent before in this run, by anyone, sent again: a replay, on this connection or another. */
    private static byte[] replayed(Run run, FuzzedDataProvider data) {
        return run.signedLines.isEmpty() ? new byte[0] : run.signedLines.get(data.consumeInt(0, run.signedLines.size() - 1));
    }

    /** Puts the part at its configured path as well (copy), instead (move), or leaves it where Aurora put it. */
    private static void place(Map<String, Object> envelope, String key, String path, Object value, FuzzedDataProvider data) {
        if (path.equals(key)) {
            return;
        }
        final int how = data.consumeInt(0, 2);
        if (how == 2) {
            return;
        }
        putAt(envelope, PathPresets.split(path), value);
        if (how == 1) {
            envelope.remove(key);
        }
    }

    @SuppressWarnings("unchecked")
    private static void putAt(Map<String, Object> root, List<String> path, Object value) {
        Map<String, Object> at = root;
        for (int i = 0; i < path.size() - 1; i++) {
            final Object next = at.get(path.get(i));
            if (next instanceof Map<?, ?> map) {
                final Map<String, Object> copy = new LinkedHashMap<>((Map<String, Object>) map);
                at.put(path.get(i), copy);
                at = copy;
            } else {
                final Map<String, Object> created = new LinkedHashMap<>();
                at.put(path.get(i), created);
                at = created;
            }
        }
        at.put(path.get(path.size() - 1), value);
    }

    /** Another spelling of the same value: Jackson's (raw UTF-8, its own number forms), so canonical JSON is exercised. */
    private static byte[] jackson(Object value) {
        try {
            return JACKSON.writeValueAsBytes(tree(value));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode tree(Object value) {
        final JsonNodeFactory nodes = JsonNodeFactory.instance;
        if (value == null || value == Json.NULL) {
            return nodes.nullNode();
        }
        if (value instanceof Map<?, ?> map) {
            final var object = nodes.objectNode();
            map.forEach((k, v) -> object.set((String) k, tree(v)));
            return object;
        }
        if (value instanceof List<?> list) {
            final var array = nodes.arrayNode();
            list.forEach(item -> array.add(tree(item)));
            return array;
        }
        if (value instanceof Json.Num num) {
            return num.isFloat() ? nodes.numberNode(new BigDecimal(num.text())) : nodes.numberNode(new BigInteger(num.text()));
        }
        if (value instanceof Boolean b) {
            return nodes.booleanNode(b);
        }
        return nodes.textNode(String.valueOf(value));
    }

    /** A host's directive: {@code {"to": [names], "content": ...}}, the names of connections, identities or neither. */
    private static byte[] directive(Run run, FuzzedDataProvider data) {
        final List<Object> names = new ArrayList<>();
        final int count = data.consumeInt(0, 3);
        for (int i = 0; i < count; i++) {
            names.add(switch (data.consumeInt(0, 3)) {
                case 0, 1 -> run.remoteAddrs.get(data.consumeInt(0, run.remoteAddrs.size() - 1));
                case 2 -> "fp:" + IdentityPool.fingerprint(data.consumeInt(0, IdentityPool.SIGNERS.size() - 1));
                default -> data.consumeString(30);
            });
        }
        final Object content = switch (data.consumeInt(0, 3)) {
            case 0, 1 -> data.consumeString(60);
            case 2 -> Map.of("score", data.consumeInt(), "tags", List.of("fast", data.consumeString(10)));
            default -> data.consumeRegularDouble();
        };
        final Map<String, Object> directive = new LinkedHashMap<>();
        directive.put("to", names);
        directive.put("content", content);
        final byte[] bytes = data.consumeBoolean() ? Json.compact(Json.of(directive)) : jackson(Json.of(directive));
        return end(mutate(bytes, data), data);
    }

    // ---- invariants ----

    /** The fault barrier's stand-in: a known finding closes the connection and the run goes on; anything else fails. */
    private static void fault(Run run, String entryPoint, Session session, Throwable error) {
        if (error instanceof Violation violation) {
            throw violation; // the oracle's, from inside the core's call: already judged
        }
        KnownFindings.tolerate(error, entryPoint, inputs);
        if (session != null) {
            if (entryPoint.startsWith("Session.on")) {
                run.faultedLines++;
            }
            session.close();
        }
    }

    private static void checkState(Run run) {
        for (int i = 0; i < run.engine.sessionCount(); i++) {
            run.oracle.checkBinding(run.engine.session(i));
        }
        long started = 0;
        long closed = 0;
        for (FuzzEngine.Connection connection : run.connections) {
            if (connection.refused) {
                continue;
            }
            started++;
            if (connection.closed) {
                closed++;
            }
        }
        final RelayCounters counters = run.engine.core().counters();
        run.oracle.checkBooks(counters, run.faultedLines, started, closed);
    }
}
