package org.summoner.relay.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Reads {@code cluster} (SPEC section 11): the node, the backplane, and the backplane's own section. */
final class ClusterReader {
    private ClusterReader() {
    }

    /** {@code cluster} (SPEC section 11): the backplane's own section is read, the other one's is warned about. */
    static ClusterSettings read(ConfigSection s, String source) {
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

    private static ClusterSettings.Nats readNats(ConfigSection s) {
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

    private static ClusterSettings.Aeron readAeron(ConfigSection s) {
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
}
