package org.summoner.relay.config;

import java.util.List;

/**
 * {@code cluster} (ours, SPEC section 11): this relay is one node of several that act as one, joined by a backplane.
 *
 * @param backplane the backplane's name ({@code nats}, {@code aeron}): the provider found on the class path by it.
 * @param node      this node's name, unique in the cluster: letters, digits, {@code -} and {@code _}, at most 64.
 * @param nats      {@code cluster.nats}, read when the backplane is {@code nats}, else null.
 * @param aeron     {@code cluster.aeron}, read when the backplane is {@code aeron}, else null.
 * @param source    the config file, for errors a backplane finds later (e.g. an endpoint it cannot bind).
 */
public record ClusterSettings(String backplane, String node, Nats nats, Aeron aeron, String source) {
    /** The node names and subject tokens the backplanes accept: safe in a NATS subject and a directory name. */
    static final java.util.regex.Pattern TOKEN = java.util.regex.Pattern.compile("[A-Za-z0-9_-]{1,64}");

    /**
     * {@code cluster.nats}.
     *
     * @param servers       the NATS servers' URLs, e.g. {@code nats://127.0.0.1:4222}: the client connects to one
     *                      and learns the rest of the NATS cluster from it.
     * @param subjectPrefix the first tokens of every subject this relay cluster uses (default {@code summoner}), so
     *                      several relay clusters can share one NATS cluster.
     */
    public record Nats(List<String> servers, String subjectPrefix) {
    }

    /**
     * {@code cluster.aeron}.
     *
     * @param endpoint  {@code host:port}: the UDP address this node's subscriptions listen on.
     * @param peers     every other node's endpoint, {@code host:port}.
     * @param driver    {@code embedded} (a media driver in this process, its directory under the temp dir, named by
     *                  node) or {@code external} (a media driver the operator runs, at {@code directory}).
     * @param directory the external media driver's directory (Aeron's {@code aeron.dir}); null when embedded.
     */
    public record Aeron(HostPort endpoint, List<HostPort> peers, String driver, String directory) {
        public boolean embedded() {
            return "embedded".equals(driver);
        }
    }

    /** A {@code host:port} of the config; {@code [v6]:port} for an IPv6 literal. */
    public record HostPort(String host, int port) {
        @Override
        public String toString() {
            return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
        }

        /** @return {@code text} as a host and port, or null when it is not one. */
        static HostPort parse(String text) {
            final int colon = text.lastIndexOf(':');
            if (colon <= 0 || colon == text.length() - 1) {
                return null;
            }
            String host = text.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            } else if (host.indexOf(':') >= 0) {
                return null;
            }
            final int port;
            try {
                port = Integer.parseInt(text.substring(colon + 1));
            } catch (NumberFormatException e) {
                return null;
            }
            return host.isBlank() || port < 1 || port > 65535 ? null : new HostPort(host, port);
        }
    }
}
