package org.summoner.relay.aeron;

import org.summoner.relay.config.ConfigException;
import org.summoner.relay.config.ConfigSection;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code cluster.aeron}, read by this backplane itself with the checks and messages of every other key.
 *
 * @param endpoint  {@code host:port}: the UDP address this node's subscriptions listen on.
 * @param peers     every other node's endpoint, {@code host:port}.
 * @param driver    {@code embedded} (a media driver in this process, its directory under the temp dir, named by node)
 *                  or {@code external} (a media driver the operator runs, at {@code directory}).
 * @param directory the external media driver's directory (Aeron's {@code aeron.dir}); null when embedded.
 * @param mtu       the largest UDP datagram this node sends ({@code mtu}): Aeron's 1408 by default, safe on any network;
 *                  more (a multiple of 32, up to 65504) sends a frame of many lines in fewer datagrams, for nodes on
 *                  one machine or a network whose MTU is that large (jumbo frames); else the IP layer fragments them.
 */
record AeronSettings(HostPort endpoint, List<HostPort> peers, String driver, String directory, int mtu) {
    /** Aeron's default MTU: a datagram that fits an Ethernet frame with room for tunnels. */
    static final int DEFAULT_MTU = 1408;

    boolean embedded() {
        return "embedded".equals(driver);
    }

    /**
     * @return the section's settings; keys it does not know are left in {@link ConfigSection#warnings()}.
     * @throws ConfigException naming the file, the key, what was expected and what was found.
     */
    static AeronSettings read(ConfigSection s) {
        final String hostPort = "host:port ([v6]:port for an IPv6 address), port 1 to 65535";
        final String endpointText = s.string("endpoint", null);
        final HostPort endpoint = endpointText == null ? null : HostPort.parse(endpointText);
        if (endpoint == null) {
            throw s.invalid("endpoint", "this node's UDP endpoint, " + hostPort);
        }
        final List<String> peerTexts = s.stringList("peers");
        if (peerTexts == null) {
            throw s.invalid("peers", "a list of the other nodes' endpoints, each " + hostPort);
        }
        final List<HostPort> peers = new ArrayList<>();
        for (String text : peerTexts) {
            final HostPort peer = HostPort.parse(text);
            if (peer == null || peer.equals(endpoint) || peers.contains(peer)) {
                throw s.invalid("peers", "a list of the other nodes' endpoints, each " + hostPort
                        + ", none twice nor this node's own (" + text + ")");
            }
            peers.add(peer);
        }
        final String driver = s.string("driver", "embedded");
        if (!driver.equals("embedded") && !driver.equals("external")) {
            throw s.invalid("driver", "\"embedded\" or \"external\"");
        }
        final String directory = s.string("directory", null);
        if (driver.equals("external") && (directory == null || directory.isBlank())) {
            throw s.invalid("directory", "the external media driver's directory (aeron.dir)");
        }
        if (driver.equals("embedded") && directory != null) {
            s.warnUnused("directory", "the driver is embedded");
        }
        final long mtu = s.integer("mtu", DEFAULT_MTU, 576, 65504);
        if (mtu % 32 != 0) {
            throw s.invalid("mtu", "a multiple of 32 from 576 to 65504 (Aeron's frame alignment)");
        }
        s.warnUnknown();
        return new AeronSettings(endpoint, List.copyOf(peers), driver, driver.equals("external") ? directory : null, (int) mtu);
    }

    /** A {@code host:port} of the config; {@code [v6]:port} for an IPv6 literal. */
    record HostPort(String host, int port) {
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
