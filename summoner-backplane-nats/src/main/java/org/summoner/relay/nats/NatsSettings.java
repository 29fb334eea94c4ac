package org.summoner.relay.nats;

import org.summoner.relay.config.ClusterSettings;
import org.summoner.relay.config.ConfigException;
import org.summoner.relay.config.ConfigSection;

import java.net.URI;
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
 */
record NatsSettings(List<String> servers, String subjectPrefix) {
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
        s.warnUnknown();
        return new NatsSettings(List.copyOf(servers), prefix);
    }
}
