package org.summoner.relay.monitoring;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import org.summoner.relay.config.RoutingMode;
import org.summoner.relay.core.RelayCore;
import org.summoner.relay.core.Session;

import java.io.IOException;
import java.io.OutputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * {@code GET /connz}: one JSON object per client, in the order they connected, a page at a time
 * ({@code ?limit=&offset=}, as nats-server's {@code /connz} pages):
 *
 * <pre>{@code
 * {"now":"2026-12-03T06:00:00.123Z","total":2,"offset":0,"limit":1024,"connections":[
 *   {"remote_addr":"127.0.0.1:50412","fp":null,"role":"client","lines_in":3,"lines_out":5,"backlog_bytes":0,
 *    "connected_since":"2026-12-03T05:59:58.001Z"}, ...]}
 * }</pre>
 *
 * <p>{@code role} is {@code host} (bound to a configured host's identity), {@code participant} (any other client in
 * {@code hosted} and {@code hybrid}), {@code client} (in {@code broadcast} and {@code dedicated}), or {@code pending}
 * (its required handshake not done: it receives nothing yet). A connection whose TLS handshake is under way is not a
 * client yet and is not listed. Each value is read from its session as fresh as its engine's last turn; the page is
 * built on a monitoring render thread (two pages may be built at once: nothing here is shared but the session map)
 * and no relay thread waits for it.
 */
final class Connections {
    static final int DEFAULT_LIMIT = 1024;
    static final int MAX_LIMIT = 10_000;
    private static final JsonFactory JSON = new JsonFactory();

    /** A query the endpoint cannot answer; its message is the 400 response's body. */
    static final class BadQuery extends Exception {
        BadQuery(String message) {
            super(message);
        }
    }

    private final RelayCore core;
    private final boolean hostedRoles;

    Connections(RelayCore core) {
        this.core = core;
        final RoutingMode mode = core.config().hyperParameters().routing().mode();
        this.hostedRoles = mode == RoutingMode.HOSTED || mode == RoutingMode.HYBRID;
    }

    /** The page of {@code limit} clients from {@code offset}, as JSON, to {@code out}. */
    void write(int offset, int limit, OutputStream out) throws IOException {
        final List<Session> clients = new ArrayList<>();
        for (Session session : core.sessions()) {
            if (session.startedAtMillis() != 0) {
                clients.add(session);
            }
        }
        clients.sort(Comparator.comparingLong(Session::id));
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartObject();
            json.writeStringField("now", Instant.now().toString());
            json.writeNumberField("total", clients.size());
            json.writeNumberField("offset", offset);
            json.writeNumberField("limit", limit);
            json.writeArrayFieldStart("connections");
            for (int i = offset, end = (int) Math.min(clients.size(), (long) offset + limit); i < end; i++) {
                write(clients.get(i), json);
            }
            json.writeEndArray();
            json.writeEndObject();
        }
    }

    private void write(Session session, JsonGenerator json) throws IOException {
        json.writeStartObject();
        json.writeStringField("remote_addr", session.remoteAddr());
        json.writeStringField("fp", session.fingerprint());
        json.writeStringField("role", role(session));
        json.writeNumberField("lines_in", session.linesIn());
        json.writeNumberField("lines_out", session.linesOut());
        json.writeNumberField("backlog_bytes", session.output().backlogBytes());
        json.writeStringField("connected_since", Instant.ofEpochMilli(session.startedAtMillis()).toString());
        json.writeEndObject();
    }

    private String role(Session session) {
        if (session.isHost()) {
            return "host";
        }
        if (!session.isReceiving()) {
            return "pending";
        }
        return hostedRoles ? "participant" : "client";
    }

    /**
     * @param value the query parameter's value, or null when absent.
     * @return it as an integer from {@code min} to {@code max}, or {@code absent}.
     * @throws BadQuery naming the parameter, what was expected and what was found.
     */
    static int parameter(String name, String value, int min, int max, int absent) throws BadQuery {
        if (value == null) {
            return absent;
        }
        final String expected = name + ": expected an integer from " + min + " to " + max + ", found \"" + value + "\"";
        try {
            final long parsed = Long.parseLong(value);
            if (parsed < min || parsed > max) {
                throw new BadQuery(expected);
            }
            return (int) parsed;
        } catch (NumberFormatException e) {
            throw new BadQuery(expected);
        }
    }
}
