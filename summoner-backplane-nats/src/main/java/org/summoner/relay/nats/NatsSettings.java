package org.summoner.relay.nats;

import org.summoner.relay.config.ClusterSettings;
import org.summoner.relay.config.ConfigException;
import org.summoner.relay.config.ConfigSection;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Set;

/**
 * {@code cluster.nats}, read by this backplane itself with the checks and messages of every other key.
 *
 * @param servers       the NATS servers' URLs, e.g. {@code nats://127.0.0.1:4222}: the client connects to one and
 *                      learns the rest of the NATS cluster from it.
 * @param subjectPrefix the first tokens of every subject this relay cluster uses (default {@code summoner}), so
 *                      several relay clusters can share one NATS cluster.
 * @param auth          how this node proves itself to a NATS server that asks: {@link Auth#NONE} by default.
 * @param tls           {@code cluster.nats.tls}, or null for plaintext ({@link NatsTls#read} says when TLS is on).
 */
record NatsSettings(List<String> servers, String subjectPrefix, Auth auth, NatsTls tls) {
    /** Without authentication, in plaintext. */
    NatsSettings(List<String> servers, String subjectPrefix) {
        this(servers, subjectPrefix, Auth.NONE, null);
    }

    /**
     * How this node authenticates to NATS, one way at most: {@code user} and {@code password}, a {@code token}, or a
     * {@code credentials_file} (a NATS {@code .creds} file: a user JWT and its nkey seed, as {@code nsc} makes one,
     * read and checked at start: {@link NatsCredentials}). Never shown: {@link #toString()} names the way only.
     */
    record Auth(String user, String password, String token, NatsCredentials credentials) {
        static final Auth NONE = new Auth(null, null, null, null);

        @Override
        public String toString() {
            return user != null ? "user " + user + " and a password" : token != null ? "a token"
                    : credentials != null ? credentials.toString() : "none";
        }
    }

    /**
     * @return the section's settings; keys it does not know are left in {@link ConfigSection#warnings()}.
     * @throws ConfigException naming the file, the key, what was expected and what was found.
     */
    static NatsSettings read(ConfigSection s) {
        final String expected = "a non-empty list of NATS server URLs, e.g. [\"nats://127.0.0.1:4222\"]";
        List<String> servers = s.stringList("servers");
        if (servers == null) {
            servers = List.of("nats://127.0.0.1:4222");
        }
        if (servers.isEmpty()) {
            throw s.invalid("servers", expected);
        }
        for (String server : servers) {
            final URI uri;
            try {
                uri = new URI(server.contains("://") ? server : "nats://" + server);
            } catch (URISyntaxException e) {
                throw s.invalid("servers", expected + " (" + server + ": " + e.getReason() + ")");
            }
            if (uri.getHost() == null || !Set.of("nats", "tls", "ws", "wss").contains(uri.getScheme())) {
                throw s.invalid("servers", expected + " (" + server + " is none)");
            }
        }
        final String prefix = s.string("subject_prefix", "summoner");
        for (String token : prefix.split("\\.", -1)) {
            if (!ClusterSettings.TOKEN.matcher(token).matches()) {
                throw s.invalid("subject_prefix", "NATS subject tokens separated by \".\", each of letters, digits, \"-\" or \"_\"");
            }
        }
        final Auth auth = auth(s);
        final NatsTls tls = NatsTls.read(s, servers);
        s.warnUnknown();
        return new NatsSettings(List.copyOf(servers), prefix, auth, tls);
    }

    private static Auth auth(ConfigSection s) {
        final String user = s.string("user", null);
        final String password = s.string("password", null);
        final String token = s.string("token", null);
        final String credentials = s.string("credentials_file", null);
        if ((user == null) != (password == null)) {
            throw secretInvalid(s, user == null ? "user" : "password", "\"user\" and \"password\" together",
                    user == null ? "a password without a user" : "a user without a password");
        }
        final int ways = (user != null ? 1 : 0) + (token != null ? 1 : 0) + (credentials != null ? 1 : 0);
        if (ways > 1) {
            throw secretInvalid(s, token != null ? "token" : "credentials_file",
                    "one way to authenticate to NATS: \"user\" and \"password\", \"token\" or \"credentials_file\"",
                    ways + " of them");
        }
        if (token != null && token.isEmpty()) {
            throw secretInvalid(s, "token", "a non-empty token", "an empty one");
        }
        final String expected = "a NATS credentials file (a user JWT and its nkey seed)";
        if (credentials != null && !Files.isRegularFile(Path.of(credentials))) {
            throw secretInvalid(s, "credentials_file", expected, "no file at " + credentials);
        }
        if (credentials == null) {
            return new Auth(user, password, token, null);
        }
        try {
            final NatsCredentials read = NatsCredentials.read(Path.of(credentials));
            NatsTls.warnIfOthersCanRead(s, "credentials_file", Path.of(credentials), "credentials (a user's seed)");
            return new Auth(null, null, null, read);
        } catch (IllegalArgumentException e) {
            throw secretInvalid(s, "credentials_file", expected, e.getMessage());
        }
    }

    /** A key near a secret is wrong: the message says what was found without quoting the secret. */
    private static ConfigException secretInvalid(ConfigSection s, String key, String expected, String found) {
        return new ConfigException(s.source(), s.path() + key, s.source() + ": key \"" + s.path() + key + "\": expected "
                + expected + ", found " + found, null);
    }
}
