package org.summoner.relay.config;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;

/**
 * A set of IPv4 and IPv6 networks in CIDR notation ({@code 10.0.0.0/8}, {@code ::1/128}; a bare address is one
 * host), as {@code peer_trust} lists them. An IPv4-mapped IPv6 address ({@code ::ffff:10.1.2.3}) is the IPv4
 * address it maps, both in a network and in an address looked up, so a dual-stack socket matches the IPv4 rules.
 *
 * <p>Parsing never resolves a name: only address literals are accepted. A network with bits set past its prefix
 * ({@code 10.1.2.3/8}) is refused rather than silently widened, as Python's {@code ipaddress} does.
 *
 * <p>Immutable and thread-safe; {@link #contains} allocates nothing for IPv4 and IPv6 alike.
 */
public final class NetworkSet {
    /** No address at all. */
    public static final NetworkSet NONE = new NetworkSet(List.of());
    /** The loopback networks, {@code 127.0.0.0/8} and {@code ::1/128}: the default of {@code trusted_networks}. */
    public static final NetworkSet LOOPBACK = parse(List.of("127.0.0.0/8", "::1/128"));

    private final List<String> texts;
    /** Per network: its address bytes (4 or 16) and its prefix length. */
    private final byte[][] networks;
    private final int[] prefixes;

    private NetworkSet(List<String> texts) {
        this.texts = List.copyOf(texts);
        this.networks = new byte[texts.size()][];
        this.prefixes = new int[texts.size()];
    }

    /**
     * @param cidrs network texts, each {@code address/prefix} or a bare address.
     * @throws IllegalArgumentException naming the first entry that is not a network, and why.
     */
    public static NetworkSet parse(List<String> cidrs) {
        final NetworkSet set = new NetworkSet(cidrs);
        for (int i = 0; i < cidrs.size(); i++) {
            final String text = cidrs.get(i);
            final int slash = text.indexOf('/');
            final String host = slash < 0 ? text : text.substring(0, slash);
            final byte[] address = literal(text, host);
            final int bits = address.length * 8;
            int prefix = bits;
            if (slash >= 0) {
                final String length = text.substring(slash + 1);
                if (length.isEmpty() || length.length() > 3 || !length.chars().allMatch(c -> c >= '0' && c <= '9')) {
                    throw new IllegalArgumentException("\"" + text + "\": the prefix length is not a number");
                }
                prefix = Integer.parseInt(length);
                if (host.indexOf(':') >= 0 && address.length == 4) { // ::ffff:a.b.c.d/n: an IPv4 network
                    if (prefix < 96) {
                        throw new IllegalArgumentException("\"" + text + "\": an IPv4-mapped network needs a prefix of 96 to 128");
                    }
                    prefix -= 96;
                }
                if (prefix > bits) {
                    throw new IllegalArgumentException("\"" + text + "\": prefix length " + length + " is over "
                            + bits + " for " + (bits == 32 ? "IPv4" : "IPv6"));
                }
            }
            if (!hostBitsClear(address, prefix)) {
                throw new IllegalArgumentException("\"" + text + "\": bits are set past the /" + prefix
                        + " prefix (the network is " + networkText(address, prefix) + ")");
            }
            set.networks[i] = address;
            set.prefixes[i] = prefix;
        }
        return set;
    }

    /** @return whether the address is in one of the networks. */
    public boolean contains(InetAddress address) {
        if (networks.length == 0 || address == null) {
            return false;
        }
        final byte[] bytes = address.getAddress();
        final int offset = isIpv4Mapped(bytes) ? 12 : 0;
        final int length = bytes.length - offset;
        for (int n = 0; n < networks.length; n++) {
            if (networks[n].length == length && matches(networks[n], prefixes[n], bytes, offset)) {
                return true;
            }
        }
        return false;
    }

    public boolean isEmpty() {
        return networks.length == 0;
    }

    /** @return the networks as they were written. */
    public List<String> texts() {
        return texts;
    }

    @Override
    public String toString() {
        return texts.toString();
    }

    private static boolean matches(byte[] network, int prefix, byte[] address, int offset) {
        final int whole = prefix / 8;
        for (int i = 0; i < whole; i++) {
            if (network[i] != address[offset + i]) {
                return false;
            }
        }
        final int rest = prefix % 8;
        if (rest == 0) {
            return true;
        }
        final int mask = 0xFF << (8 - rest) & 0xFF;
        return (network[whole] & mask) == (address[offset + whole] & mask);
    }

    private static boolean isIpv4Mapped(byte[] bytes) {
        if (bytes.length != 16) {
            return false;
        }
        for (int i = 0; i < 10; i++) {
            if (bytes[i] != 0) {
                return false;
            }
        }
        return bytes[10] == (byte) 0xFF && bytes[11] == (byte) 0xFF;
    }

    /** The raw bytes of an address literal: 4 for IPv4 (an IPv4-mapped IPv6 literal included), else 16. */
    private static byte[] literal(String text, String host) {
        if (host.indexOf(':') >= 0) {
            if (host.indexOf('%') >= 0 || host.startsWith("[")) {
                throw new IllegalArgumentException("\"" + text + "\": write an IPv6 network without brackets or a scope");
            }
            final InetAddress parsed;
            try {
                parsed = InetAddress.getByName(host); // a text with ':' is parsed as a literal, never looked up
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("\"" + text + "\": not an IPv6 address");
            }
            final byte[] bytes = parsed.getAddress();
            if (parsed instanceof Inet6Address && isIpv4Mapped(bytes)) {
                return Arrays.copyOfRange(bytes, 12, 16);
            }
            return bytes;
        }
        final String[] parts = host.split("\\.", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException("\"" + text + "\": not an IPv4 or IPv6 address");
        }
        final byte[] bytes = new byte[4];
        for (int i = 0; i < 4; i++) {
            final String part = parts[i];
            if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(c -> c >= '0' && c <= '9')
                    || Integer.parseInt(part) > 255) {
                throw new IllegalArgumentException("\"" + text + "\": not an IPv4 or IPv6 address");
            }
            bytes[i] = (byte) Integer.parseInt(part);
        }
        return bytes;
    }

    private static boolean hostBitsClear(byte[] address, int prefix) {
        for (int bit = prefix; bit < address.length * 8; bit++) {
            if ((address[bit / 8] & (0x80 >>> (bit % 8))) != 0) {
                return false;
            }
        }
        return true;
    }

    private static String networkText(byte[] address, int prefix) {
        final byte[] network = address.clone();
        for (int bit = prefix; bit < network.length * 8; bit++) {
            network[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
        }
        try {
            final InetAddress ip = InetAddress.getByAddress(network);
            return ip.getHostAddress() + "/" + prefix;
        } catch (UnknownHostException impossible) {
            throw new IllegalStateException(impossible);
        }
    }
}
