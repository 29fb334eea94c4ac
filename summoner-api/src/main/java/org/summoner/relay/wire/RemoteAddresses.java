package org.summoner.relay.wire;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * Formats a peer address the way {@code remote_addr} shows it (SPEC section 3): {@code ip:port} for IPv4 and
 * {@code [ipv6]:port} for IPv6, the IPv6 text in the RFC 5952 canonical form ({@code [::1]:54321}), with a
 * {@code %scope} suffix for scoped addresses, as the reference Rust server prints them.
 */
public final class RemoteAddresses {
    private RemoteAddresses() {
    }

    public static String format(InetSocketAddress address) {
        final InetAddress ip = address.getAddress();
        if (ip == null) { // unresolved: keep the name the caller gave
            return address.getHostString() + ':' + address.getPort();
        }
        return hostText(ip) + ':' + address.getPort();
    }

    /**
     * @return the address as it appears before {@code :port}: dotted IPv4 or bracketed RFC 5952 IPv6.
     */
    public static String hostText(InetAddress ip) {
        if (ip instanceof Inet4Address) {
            return ip.getHostAddress();
        }
        final Inet6Address ip6 = (Inet6Address) ip;
        final String scope = ip6.getScopeId() != 0 ? "%" + ip6.getScopeId() : "";
        return '[' + canonicalIpv6(ip6.getAddress()) + scope + ']';
    }

    /**
     * RFC 5952: lower-case hex without leading zeros; the longest run of two or more zero groups (the first on a
     * tie) becomes {@code ::}.
     */
    static String canonicalIpv6(byte[] bytes) {
        final int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = ((bytes[2 * i] & 0xFF) << 8) | (bytes[2 * i + 1] & 0xFF);
        }
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; ) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j;
        }
        final StringBuilder text = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                text.append("::");
                i += bestLength - 1;
                continue;
            }
            if (text.length() > 0 && text.charAt(text.length() - 1) != ':') {
                text.append(':');
            }
            text.append(Integer.toHexString(groups[i]));
        }
        return text.toString();
    }
}
