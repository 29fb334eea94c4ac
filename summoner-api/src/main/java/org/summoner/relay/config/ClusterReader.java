package org.summoner.relay.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;

import java.nio.file.Path;

/**
 * Reads {@code cluster} (SPEC section 11): the backplane, the node, the secret that authenticates frames, and keeps
 * the backplane's own section for it.
 */
final class ClusterReader {
    private ClusterReader() {
    }

    /** {@code cluster} (SPEC section 11): the backplane and the node; the backplane's own section is its to read. */
    static ClusterSettings read(ConfigSection s, String source) {
        final String backplane = s.string("backplane", null);
        if (backplane == null || backplane.isBlank()) {
            throw s.invalid("backplane", "the name of a backplane: \"nats\" or \"aeron\"", s.node.get("backplane"));
        }
        final String node = s.string("node", null);
        if (node == null || !ClusterSettings.TOKEN.matcher(node).matches()) {
            throw s.invalid("node", "this node's name, unique in the cluster: 1 to 64 letters, digits, \"-\" or \"_\"", s.node.get("node"));
        }
        final JsonNode settings = s.has(backplane) ? s.object(backplane).node : MissingNode.getInstance(); // its own to read
        final String secretFile = s.string("secret_file", null);
        final ClusterSecret secret = secretFile == null ? null
                : ClusterSecret.read(source, "cluster.secret_file", Path.of(secretFile));
        s.warnUnknown();
        return new ClusterSettings(backplane, node, settings, source, secret);
    }
}
