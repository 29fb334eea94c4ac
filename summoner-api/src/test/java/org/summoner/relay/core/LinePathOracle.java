package org.summoner.relay.core;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.summoner.relay.counters.RelayCounters;
import org.summoner.relay.fuzz.IdentityPool;
import org.summoner.relay.fuzz.KnownFindings;
import org.summoner.relay.fuzz.Violation;
import org.summoner.relay.wire.Rejection;
import org.summoner.relay.wire.ServerNotice;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * What a client may be written, judged from SPEC sections 2 to 9 and not from the code under test: an independent
 * oracle for the line path fuzz target. It is told what each client sent ({@link #clientSent}) and sees every line
 * the server queues for a client when it is queued ({@link #written}); it parses what it needs with its own parser
 * (Jackson's, strict about duplicate keys), computes fingerprints itself, and knows the configuration from the
 * choices the target made, not from {@code ServerConfig}.
 *
 * <p>Rules (each a {@link Violation} id):
 * <ul>
 *   <li>{@code line-bound}: no line written is longer than {@code max_envelope_bytes}, its {@code \n} included
 *       (SPEC 2); {@code one-line}: each is one line of valid UTF-8 ending in its only {@code \n}.</li>
 *   <li>{@code line-kind}: each is a notice of SPEC 5 whose numbers are the configured ones, fitting its mode and how
 *       it was written (an acceptor's refusal, a goodbye, a notice), or the challenge (SPEC 9: only with
 *       {@code handshake.required} and {@code challenge}, and only as the first line), or an envelope of SPEC 3 with
 *       exactly {@code remote_addr} then {@code content}, {@code remote_addr} being the sender's; nothing after a
 *       goodbye.</li>
 *   <li>{@code content}: an envelope's content is a line its sender sent, and each recipient gets a sender's lines in
 *       the order sent (SPEC 4); a host's directive content is the content of a directive it sent naming the
 *       recipient (SPEC 7, hosted).</li>
 *   <li>{@code routing}: never back to the sender, only to an open session, only from an open one; with
 *       {@code handshake.required} only between bound connections; broadcast: anyone else; dedicated (and a signed
 *       line in hybrid): only connections bound to the fingerprint of the envelope's receiver, from one bound to its
 *       sender, with the allowed lists and the graph respected; hosted: a participant's line only to hosts, a host's
 *       only to participants.</li>
 *   <li>{@code binding}: a connection is bound at most once, to a fingerprint the fuzzer could sign for (the pool's
 *       or a replayed vector's: anything else is a forged signature), allowed by {@code peer_trust} and, for the
 *       dedicated rules, by {@code dedicated_relay}; never in plain broadcast; a host is exactly a connection bound to
 *       a configured host fingerprint.</li>
 *   <li>{@code invalid-attempts}: a client is closed after rejected lines only when its count reached the
 *       threshold: per IP, or per connection inside {@code trusted_networks} (SPEC 7).</li>
 *   <li>{@code counters}: the counters add up with what the router was asked and decided (see {@link #checkBooks}).</li>
 * </ul>
 *
 * <p>What it cannot judge: whether a signature is valid (it trusts that a binding to a fingerprint the fuzzer can
 * sign for was signed), whether a rejected line should have been relayed (a line the modes refuse leaves no trace but
 * a notice), the reason code a notice quotes, and the pauses of throttle and flow control.
 */
final class LinePathOracle implements FuzzEngine.Observer {
    /** The configuration as the target chose it. */
    record Rules(String mode, boolean handshakeRequired, boolean challenge, long handshakeTimeoutSecs, int maxLineBytes,
                 int maxEnvelopeBytes, List<String> envelopeRoot, List<String> senderKey, List<String> receiverIdentity,
                 List<String> senderIdentity, Set<String> peerAllowed, Set<String> dedicatedAllowed,
                 Map<String, Set<String>> graph, boolean rejectUnknownReceiver, Set<String> hosts,
                 boolean invalidAttemptsEnabled, long windowNanos, int disconnectThreshold, int quarantineThreshold,
                 Predicate<String> trustedIp) {
        boolean readsSignatures() {
            return !mode.equals("broadcast") || handshakeRequired;
        }
    }

    private static final JsonFactory STRICT = JsonFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
    private static final ObjectMapper JSON = new ObjectMapper(STRICT)
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final Pattern NONCE = Pattern.compile("[A-Za-z0-9_-]{43}");
    private static final String CHALLENGE_HEAD = "{\"handshake\":\"challenge\",\"nonce\":\"";

    private final Rules rules;
    private final Supplier<Long> inputs;
    private final List<Pattern> notices = new ArrayList<>();
    private final List<Pattern> goodbyes = new ArrayList<>();
    private final List<Pattern> refusals = new ArrayList<>();
    /** Per connection: its address as {@code remote_addr} must show it, and its IP text. */
    private final Map<FuzzEngine.Connection, Peer> peers = new IdentityHashMap<>();
    private final Map<String, Peer> byRemoteAddr = new HashMap<>();
    /** How many envelopes each session was queued, counted here. */
    long envelopesWritten;
    long goodbyesIdle;
    long goodbyesHandshake;
    long goodbyesRejected;

    /** What the oracle knows of one client. */
    static final class Peer {
        final String remoteAddr;
        final String ip;
        /** The lines it sent, framed here (ISO-8859-1 text: one char per byte). */
        final List<String> lines = new ArrayList<>();
        private final StringBuilder partial = new StringBuilder();
        /** Per sender: the index in its lines of the last one this client was sent. */
        final Map<Peer, Integer> lastFrom = new IdentityHashMap<>();
        int linesWritten;
        boolean goodbye;
        String boundTo;

        Peer(String remoteAddr, String ip) {
            this.remoteAddr = remoteAddr;
            this.ip = ip;
        }

        void sent(byte[] chunk) {
            for (byte b : chunk) {
                if (b == '\n') {
                    endLine();
                } else {
                    partial.append((char) (b & 0xFF));
                }
            }
        }

        void endOfStream() {
            if (partial.length() > 0) {
                endLine();
            }
        }

        private void endLine() {
            int length = partial.length();
            if (length > 0 && partial.charAt(length - 1) == '\r') {
                length--;
            }
            lines.add(partial.substring(0, length));
            partial.setLength(0);
        }
    }

    LinePathOracle(Rules rules, Supplier<Long> inputs) {
        this.rules = rules;
        this.inputs = inputs;
        final String reasons = "(not_json|not_object|missing_field|wrong_type|wrong_version|bad_key_length|bad_signature_length"
                + "|bad_identity_signature|bad_envelope_signature|sender_not_allowed|receiver_not_allowed|edge_not_allowed"
                + "|receiver_not_connected|identity_mismatch|challenge_mismatch|stale|replayed|already_bound)";
        notices.add(literal("Warning: You are sending messages too quickly. Please slow down."));
        notices.add(literal("Warning: Line exceeds max_line_bytes (" + rules.maxLineBytes + " bytes) and was dropped."));
        notices.add(literal("Warning: Line is not valid UTF-8 and was dropped."));
        notices.add(literal("Warning: Server holds too much unfinished input (max_buffered_input_bytes); the line was dropped."));
        notices.add(literal("Warning: Line exceeds max_envelope_bytes (" + rules.maxEnvelopeBytes + " bytes) once wrapped and was dropped."));
        if (rules.readsSignatures()) {
            notices.add(Pattern.compile(Pattern.quote("Warning: Line rejected (") + reasons + Pattern.quote(") and was not relayed.")));
            goodbyes.add(Pattern.compile(Pattern.quote("Warning: Line rejected (") + reasons + Pattern.quote(") and was not relayed.")));
        }
        if (rules.mode.equals("hosted")) {
            notices.add(literal("Warning: No host is connected; the line was not relayed."));
        }
        if (rules.mode.equals("hosted") || rules.mode.equals("hybrid")) {
            notices.add(Pattern.compile(Pattern.quote("Warning: Recipient not connected: ") + "[^\\n]*\\."));
        }
        if (rules.handshakeRequired) {
            notices.add(literal("Warning: Handshake required; the line was not relayed."));
            goodbyes.add(literal("Warning: Handshake not completed within " + rules.handshakeTimeoutSecs + " seconds; disconnecting."));
        }
        goodbyes.add(literal("Warning: You have been disconnected due to inactivity."));
        goodbyes.add(literal("Warning: Server is shutting down."));
        refusals.add(literal("Warning: Your address is not allowed on this server; disconnecting."));
        refusals.add(Pattern.compile(Pattern.quote("Warning: Your address is quarantined for ") + "[0-9]+"
                + Pattern.quote(" more seconds after falling too far behind; disconnecting.")));
        refusals.add(Pattern.compile(Pattern.quote("Warning: Server is full (max_connections ") + "[0-9]+" + Pattern.quote("); disconnecting.")));
        refusals.add(Pattern.compile(Pattern.quote("Warning: Too many connections from your address (max_connections_per_ip ")
                + "[0-9]+" + Pattern.quote("); disconnecting.")));
    }

    private static Pattern literal(String text) {
        return Pattern.compile(Pattern.quote(text));
    }

    // ---- what the target tells ----

    /** A connection was made from {@code remoteAddr} ({@code ip:port}, {@code [ipv6]:port}) as the target wrote it. */
    void connected(FuzzEngine.Connection connection, String remoteAddr, String ip) {
        final Peer peer = new Peer(remoteAddr, ip);
        peers.put(connection, peer);
        byRemoteAddr.put(remoteAddr, peer);
    }

    void clientSent(FuzzEngine.Connection connection, byte[] chunk) {
        peers.get(connection).sent(chunk);
    }

    void clientClosed(FuzzEngine.Connection connection) {
        peers.get(connection).endOfStream();
    }

    // ---- every line written ----

    @Override
    public void written(FuzzEngine.Connection to, FuzzEngine.Kind kind, byte[] line, Session sender) {
        final Peer recipient = peers.get(to);
        final int index = recipient.linesWritten++;
        check(line.length <= rules.maxEnvelopeBytes, "line-bound", () -> "a line of " + line.length
                + " bytes (max_envelope_bytes " + rules.maxEnvelopeBytes + ") was written to " + recipient.remoteAddr
                + " as " + kind + ": " + shown(line));
        check(line.length > 0 && line[line.length - 1] == '\n' && indexOf(line, (byte) '\n') == line.length - 1, "one-line",
                () -> "not one line ending in its only \\n, written to " + recipient.remoteAddr + ": " + shown(line));
        final String text = utf8(line);
        check(text != null, "one-line", () -> "not UTF-8, written to " + recipient.remoteAddr + ": " + shown(line));
        if (text == null) {
            return;
        }
        check(!recipient.goodbye, "line-kind", () -> "written to " + recipient.remoteAddr + " after its goodbye: " + shown(line));
        final String body = text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
        switch (kind) {
            case REFUSAL -> check(matchesAny(refusals, body), "line-kind", () -> "an acceptor's refusal of another kind: " + body);
            case GOODBYE -> {
                recipient.goodbye = true;
                check(matchesAny(goodbyes, body), "line-kind", () -> "a goodbye of another kind: " + body);
                if (body.startsWith("Warning: You have been disconnected")) {
                    goodbyesIdle++;
                } else if (body.startsWith("Warning: Handshake not completed")) {
                    goodbyesHandshake++;
                } else if (body.startsWith("Warning: Line rejected")) {
                    goodbyesRejected++;
                    checkClosedAfterRejections(to);
                }
            }
            case NOTICE -> {
                if (body.startsWith(CHALLENGE_HEAD)) {
                    check(rules.handshakeRequired && rules.challenge && index == 0
                            && body.endsWith("\"}") && NONCE.matcher(body.substring(CHALLENGE_HEAD.length(), body.length() - 2)).matches(),
                            "line-kind", () -> "a challenge line where none is due, or malformed, as line " + index + ": " + body);
                } else {
                    check(matchesAny(notices, body), "line-kind", () -> "a notice of another kind or with other numbers: " + body);
                    if (body.startsWith("Warning: Recipient not connected")) {
                        check(to.session.isHost(), "line-kind", () -> "a missing recipient told to a client that is no host: " + body);
                    }
                }
            }
            case ENVELOPE -> envelope(to, recipient, sender, body, line);
            case CLUSTER_ENVELOPE -> throw new Violation("line-kind", "a line from another node in the line path target");
        }
    }

    private void envelope(FuzzEngine.Connection to, Peer recipient, Session sender, String body, byte[] line) {
        envelopesWritten++;
        final String[] parts = envelopeParts(body);
        check(parts != null, "line-kind", () -> "not an envelope of exactly remote_addr then content, written to "
                + recipient.remoteAddr + ": " + shown(line));
        if (parts == null) {
            return;
        }
        final Peer from = byRemoteAddr.get(parts[0]);
        check(from != null && sender != null && peers.get(FuzzEngine.connection(sender)) == from, "line-kind",
                () -> "remote_addr " + parts[0] + " is not the sender's (" + (sender == null ? null : sender.remoteAddr()) + ")");
        if (from == null || sender == null) {
            return;
        }
        final Session receiver = to.session;
        check(from != recipient, "routing", () -> recipient.remoteAddr + " got its own line back: " + parts[1]);
        check(receiver.state() == Session.State.OPEN, "routing", () -> recipient.remoteAddr + " got a line while " + receiver.state());
        check(sender.state() == Session.State.OPEN, "routing", () -> "a line of " + from.remoteAddr + " was relayed while its session was "
                + sender.state() + ": " + parts[1]);
        checkBinding(sender);
        checkBinding(receiver);
        if (rules.handshakeRequired) {
            check(sender.fingerprint() != null && receiver.fingerprint() != null, "routing", () -> "with handshake.required, a line of "
                    + from.remoteAddr + " (bound to " + sender.fingerprint() + ") reached " + recipient.remoteAddr + " (bound to "
                    + receiver.fingerprint() + ")");
        }
        final String content = latin1(parts[1].getBytes(StandardCharsets.UTF_8));
        final boolean hostOfMode = (rules.mode.equals("hosted") || rules.mode.equals("hybrid")) && isHost(sender);
        final int sentAt = nextLine(from, recipient, content);
        if (sentAt < 0 && hostOfMode) {
            check(namedByDirective(from, receiver, recipient, parts[1]), "content", () -> "host " + from.remoteAddr
                    + " never sent a directive naming " + recipient.remoteAddr + " with this content: " + parts[1]);
            check(!isHost(receiver), "routing", () -> "a directive's content reached host " + recipient.remoteAddr);
            return;
        }
        check(sentAt >= 0, "content", () -> recipient.remoteAddr + " was sent a line " + from.remoteAddr
                + " did not send, or not in the order sent, or twice: " + parts[1] + " (it sent " + from.lines.size() + " lines)");
        switch (rules.mode) {
            case "broadcast" -> {
            }
            case "dedicated" -> dedicated(sender, receiver, from, recipient, parts[1]);
            case "hosted" -> {
                if (isHost(sender)) {
                    check(!isHost(receiver), "routing", () -> "host " + from.remoteAddr + "'s line reached host " + recipient.remoteAddr);
                } else {
                    check(isHost(receiver), "routing", () -> "participant " + from.remoteAddr + "'s line reached participant "
                            + recipient.remoteAddr + ": " + parts[1]);
                }
            }
            case "hybrid" -> {
                if (claimsSignature(parts[1])) {
                    dedicated(sender, receiver, from, recipient, parts[1]);
                }
            }
            default -> throw new IllegalStateException(rules.mode);
        }
    }

    /** The dedicated rules on a relayed line: a signed envelope for the receiver's identity, from the sender's. */
    private void dedicated(Session sender, Session receiver, Peer from, Peer recipient, String content) {
        final JsonNode envelope = at(parse(content), rules.envelopeRoot);
        final JsonNode to = at(envelope, rules.receiverIdentity);
        final String receiverFp = to == null ? null : fingerprintOf(to.get("pub_sig_b64"));
        final String senderFp = fingerprintOf(at(envelope, rules.senderKey));
        check(receiverFp != null && receiverFp.equals(receiver.fingerprint()), "routing", () -> "a dedicated line for "
                + receiverFp + " reached " + recipient.remoteAddr + ", bound to " + receiver.fingerprint() + ": " + content);
        check(senderFp != null && senderFp.equals(sender.fingerprint()), "routing", () -> "a dedicated line signed by " + senderFp
                + " was relayed from " + from.remoteAddr + ", bound to " + sender.fingerprint());
        if (receiverFp == null || senderFp == null) {
            return;
        }
        if (rules.dedicatedAllowed != null) {
            check(rules.dedicatedAllowed.contains(senderFp), "routing", () -> "sender " + senderFp + " is not in dedicated_relay.allowed_fingerprints");
            check(!rules.rejectUnknownReceiver || rules.dedicatedAllowed.contains(receiverFp), "routing",
                    () -> "receiver " + receiverFp + " is not in dedicated_relay.allowed_fingerprints (reject_unknown_receiver)");
        }
        if (rules.peerAllowed != null) {
            check(rules.peerAllowed.contains(senderFp), "routing", () -> "sender " + senderFp + " is not in peer_trust.allowed_fingerprints");
        }
        if (rules.graph != null) {
            check(rules.graph.getOrDefault(senderFp, Set.of()).contains(receiverFp), "routing",
                    () -> "no edge " + senderFp + " -> " + receiverFp + " in the communication graph");
        }
    }

    // ---- bindings ----

    /** The binding rule for one session, now. */
    void checkBinding(Session session) {
        final Peer peer = peers.get(FuzzEngine.connection(session));
        final String fp = session.fingerprint();
        if (fp == null) {
            check(peer.boundTo == null, "binding", () -> peer.remoteAddr + " was bound to " + peer.boundTo + " and is not any more");
            check(!session.isHost(), "binding", () -> peer.remoteAddr + " is a host without a binding");
            return;
        }
        check(peer.boundTo == null || peer.boundTo.equals(fp), "binding", () -> peer.remoteAddr + " was bound to " + peer.boundTo
                + " and is now bound to " + fp);
        peer.boundTo = fp;
        check(rules.readsSignatures(), "binding", () -> peer.remoteAddr + " was bound in plain broadcast");
        check(IdentityPool.legitimateFingerprints().contains(fp), "binding", () -> peer.remoteAddr + " was bound to " + fp
                + ", whose key the fuzzer does not have: a forged signature was accepted");
        check(rules.peerAllowed == null || rules.peerAllowed.contains(fp), "binding", () -> peer.remoteAddr + " was bound to " + fp
                + ", not in peer_trust.allowed_fingerprints");
        if (!rules.handshakeRequired && (rules.mode.equals("dedicated") || rules.mode.equals("hybrid"))) {
            check(rules.dedicatedAllowed == null || rules.dedicatedAllowed.contains(fp), "binding", () -> peer.remoteAddr
                    + " was bound to " + fp + ", not in dedicated_relay.allowed_fingerprints");
        }
        check(session.isHost() == isHost(session), "binding", () -> peer.remoteAddr + " bound to " + fp + " is "
                + (session.isHost() ? "" : "not ") + "a host; configured hosts: " + rules.hosts);
    }

    private boolean isHost(Session session) {
        return (rules.mode.equals("hosted") || rules.mode.equals("hybrid")) && session.fingerprint() != null
                && rules.hosts.contains(session.fingerprint());
    }

    // ---- invalid attempts ----

    private RoutingLedger ledger;

    void watch(RoutingLedger ledger) {
        this.ledger = ledger;
    }

    /** A client told a rejection and closed: its count within the window reached the threshold (SPEC 7). */
    private void checkClosedAfterRejections(FuzzEngine.Connection to) {
        final Session session = to.session;
        final Peer peer = peers.get(to);
        final boolean trusted = rules.trustedIp.test(peer.ip);
        final long now = ledger.clock.getAsLong();
        int count = 0;
        for (RoutingLedger.Attempt attempt : ledger.attempts) {
            final Peer other = peers.get(FuzzEngine.connection(attempt.sender()));
            final boolean sameKey = trusted ? attempt.sender() == session : other.ip.equals(peer.ip);
            if (sameKey && now - attempt.atNanos() < rules.windowNanos) {
                count++;
            }
        }
        if (!trusted) { // lines a client closed for rejections sent on its way out count against its address too
            for (FuzzEngine.Connection other : peers.keySet()) {
                if (peers.get(other).ip.equals(peer.ip)) {
                    count += other.linesFedAfterClose; // at most that many: an upper bound, so the check stays sound
                }
            }
        }
        final int counted = count;
        final int threshold = Math.min(rules.disconnectThreshold, rules.quarantineThreshold);
        check(rules.invalidAttemptsEnabled && counted >= threshold, "invalid-attempts", () -> peer.remoteAddr + (trusted
                ? " (trusted: counted per connection)" : " (counted per IP)") + " was closed after rejected lines with "
                + counted + " in the window; the threshold is " + threshold + " (invalid_attempts enabled: " + rules.invalidAttemptsEnabled + ")");
    }

    // ---- the counters' books ----

    /**
     * The counters add up with what was seen: every line framed was dropped by the framer or the rate limit, or went
     * to the router, or faulted; every relay the router asked for was relayed or dropped as too long once wrapped;
     * every rejection and refusal is counted; every envelope queued is a delivery; every goodbye is counted.
     */
    void checkBooks(RelayCounters counters, long faultedLines, long sessionsStarted, long sessionsClosed) {
        final long received = counters.linesReceived();
        final long framedOff = counters.linesDropped(ServerNotice.LINE_TOO_LONG) + counters.linesDropped(ServerNotice.INVALID_UTF8);
        final long rateLimited = counters.linesDropped(ServerNotice.RATE_LIMITED);
        final long accounted = framedOff + rateLimited + ledger.routed;
        check(received == accounted, received > accounted ? "counters-lines-unaccounted" : "counters", () -> "linesReceived "
                + received + " != dropped by the framer " + framedOff + " + rate limited " + rateLimited + " + routed "
                + ledger.routed + " (of which faulted in the router: " + faultedLines + ")");
        final long relayed = counters.linesRelayed();
        final long tooWide = counters.linesDropped(ServerNotice.ENVELOPE_TOO_LONG);
        check(ledger.relays == relayed + tooWide, "counters", () -> "the router relayed " + ledger.relays + " contents; linesRelayed "
                + relayed + " + too long once wrapped " + tooWide);
        long rejected = 0;
        for (Rejection reason : Rejection.values()) {
            rejected += counters.linesRejected(reason);
        }
        final long rejectedCounted = rejected;
        check(ledger.rejects == rejectedCounted, "counters", () -> "the router rejected " + ledger.rejects + " lines; counted " + rejectedCounted);
        final long refused = counters.linesDropped(ServerNotice.NO_HOST) + counters.linesDropped(ServerNotice.HANDSHAKE_REQUIRED);
        check(ledger.refuses == refused, "counters", () -> "the router refused " + ledger.refuses + " lines; counted " + refused);
        check(counters.deliveries() == envelopesWritten, "counters", () -> "deliveries " + counters.deliveries() + " != envelopes queued "
                + envelopesWritten);
        check(counters.connectionsOpened() == sessionsStarted && counters.connectionsClosed() == sessionsClosed, "counters",
                () -> "connections opened/closed " + counters.connectionsOpened() + "/" + counters.connectionsClosed() + " != "
                        + sessionsStarted + "/" + sessionsClosed);
        check(counters.idleDisconnects() >= goodbyesIdle && counters.handshakeTimeouts() >= goodbyesHandshake
                        && counters.rejectedClosed() >= goodbyesRejected, "counters",
                () -> "goodbyes told (idle " + goodbyesIdle + ", handshake " + goodbyesHandshake + ", rejections " + goodbyesRejected
                        + ") outnumber their counters (" + counters.idleDisconnects() + ", " + counters.handshakeTimeouts() + ", "
                        + counters.rejectedClosed() + ")");
    }

    // ---- parsing, with our own parser ----

    /** @return {remote_addr, content} of an envelope of exactly those two string keys in that order, or null. */
    static String[] envelopeParts(String body) {
        try (JsonParser parser = STRICT.createParser(body)) {
            if (parser.nextToken() != JsonToken.START_OBJECT || parser.nextToken() != JsonToken.FIELD_NAME
                    || !"remote_addr".equals(parser.currentName()) || parser.nextToken() != JsonToken.VALUE_STRING) {
                return null;
            }
            final String remoteAddr = parser.getText();
            if (parser.nextToken() != JsonToken.FIELD_NAME || !"content".equals(parser.currentName())
                    || parser.nextToken() != JsonToken.VALUE_STRING) {
                return null;
            }
            final String content = parser.getText();
            if (parser.nextToken() != JsonToken.END_OBJECT || parser.nextToken() != null) {
                return null;
            }
            return new String[]{remoteAddr, content};
        } catch (IOException e) {
            return null;
        }
    }

    private static JsonNode parse(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            return null;
        }
    }

    private static JsonNode at(JsonNode node, List<String> path) {
        JsonNode at = node;
        for (String key : path) {
            if (at == null || !at.isObject()) {
                return null;
            }
            at = at.get(key);
        }
        return at;
    }

    private boolean claimsSignature(String content) {
        final JsonNode envelope = at(parse(content), rules.envelopeRoot);
        if (envelope == null || !envelope.isObject()) {
            return false;
        }
        final JsonNode from = at(envelope, rules.senderIdentity);
        return from != null && !from.isNull();
    }

    /** @return the fingerprint of a base64 Ed25519 key (SPEC 8), computed here, or null when it is none. */
    static String fingerprintOf(JsonNode key) {
        if (key == null || !key.isTextual()) {
            return null;
        }
        try {
            final byte[] raw = Base64.getDecoder().decode(key.textValue());
            if (raw.length != 32) {
                return null;
            }
            final byte[] hash = MessageDigest.getInstance("SHA-256").digest(raw);
            return Base64.getUrlEncoder().withoutPadding().encodeToString(hash).substring(0, 22);
        } catch (IllegalArgumentException | NoSuchAlgorithmException e) {
            return null;
        }
    }

    /** @return the index of the next line {@code from} sent with this content after the last one {@code to} got, or -1. */
    private static int nextLine(Peer from, Peer to, String content) {
        final int last = to.lastFrom.getOrDefault(from, -1);
        for (int i = last + 1; i < from.lines.size(); i++) {
            if (from.lines.get(i).equals(content)) {
                to.lastFrom.put(from, i);
                return i;
            }
        }
        return -1;
    }

    /** @return whether host {@code from} sent a directive naming the receiver whose content is {@code content}. */
    private static boolean namedByDirective(Peer from, Session receiver, Peer recipient, String content) {
        for (String sent : from.lines) {
            final JsonNode directive = parse(new String(sent.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8));
            if (directive == null || !directive.isObject() || directive.size() != 2 || !directive.has("content")
                    || !directive.path("to").isArray() || directive.get("to").isEmpty()) {
                continue;
            }
            final JsonNode value = directive.get("content");
            final boolean same = value.isTextual() ? value.textValue().equals(content) : value.equals(parse(content));
            if (!same) {
                continue;
            }
            for (JsonNode name : directive.get("to")) {
                if (name.isTextual() && (name.textValue().equals(recipient.remoteAddr)
                        || receiver.fingerprint() != null && name.textValue().equals("fp:" + receiver.fingerprint()))) {
                    return true;
                }
            }
        }
        return false;
    }

    // ---- helpers ----

    private void check(boolean holds, String rule, Supplier<String> message) {
        if (!holds) {
            KnownFindings.tolerate(new Violation(rule, message.get()), inputs.get());
        }
    }

    private static boolean matchesAny(List<Pattern> patterns, String text) {
        for (Pattern pattern : patterns) {
            if (pattern.matcher(text).matches()) {
                return true;
            }
        }
        return false;
    }

    private static int indexOf(byte[] bytes, byte b) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }

    private static String utf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private static String latin1(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    static String shown(byte[] line) {
        final String text = new String(line, StandardCharsets.UTF_8);
        return (text.length() > 300 ? text.substring(0, 300) + "...(" + line.length + " bytes)" : text).replace("\n", "\\n");
    }
}
