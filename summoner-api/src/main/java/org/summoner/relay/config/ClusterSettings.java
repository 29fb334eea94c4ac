package org.summoner.relay.config;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.regex.Pattern;

/**
 * {@code cluster} (ours, SPEC section 11): this relay is one node of several that act as one, joined by a backplane.
 * The backplane reads its own section, {@code cluster.<backplane>} ({@link #section()}), as an engine reads its own.
 *
 * @param backplane the backplane's name ({@code nats}, {@code aeron}): the provider found on the class path by it.
 * @param node      this node's name, unique in the cluster: letters, digits, {@code -} and {@code _}, at most 64.
 * @param settings  the backplane's own section as the file holds it; a missing node when absent.
 * @param source    the config file, for errors a backplane finds (a bad key, an endpoint it cannot bind).
 * @param secret    {@code cluster.secret_file}: the secret that authenticates every frame, or null when frames go
 *                  unauthenticated (anyone who can publish on the backplane can inject lines).
 */
public record ClusterSettings(String backplane, String node, JsonNode settings, String source, ClusterSecret secret) {
    /** The node names the backplanes accept: safe in a NATS subject and a directory name. */
    public static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    /**
     * @return {@code cluster.<backplane>}, read with the checks and messages of every other key (an absent or null
     *         section has every key at its default); its {@link ConfigSection#warnings()} name keys it did not read.
     * @throws ConfigException when the key holds something other than a JSON object.
     */
    public ConfigSection section() {
        return ConfigSection.named(source, "cluster.", backplane, settings);
    }
}
