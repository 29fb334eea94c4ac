package org.summoner.relay.config;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NetworkSetTest {
    private static InetAddress ip(String literal) throws Exception {
        return InetAddress.getByName(literal);
    }

    private static String refusal(String cidr) {
        return assertThrows(IllegalArgumentException.class, () -> NetworkSet.parse(List.of(cidr))).getMessage();
    }

    @Test
    void loopback_holds_all_of_127_slash_8_and_ipv6_loopback_only() throws Exception {
        assertTrue(NetworkSet.LOOPBACK.contains(ip("127.0.0.1")));
        assertTrue(NetworkSet.LOOPBACK.contains(ip("127.255.255.254")));
        assertTrue(NetworkSet.LOOPBACK.contains(ip("::1")));
        assertFalse(NetworkSet.LOOPBACK.contains(ip("128.0.0.1")));
        assertFalse(NetworkSet.LOOPBACK.contains(ip("10.0.0.1")));
        assertFalse(NetworkSet.LOOPBACK.contains(ip("::2")));
        assertEquals(List.of("127.0.0.0/8", "::1/128"), NetworkSet.LOOPBACK.texts());
    }

    @Test
    void prefixes_that_are_not_byte_aligned_match_exactly_their_range() throws Exception {
        final NetworkSet set = NetworkSet.parse(List.of("10.0.0.0/13", "2001:db8::/33"));
        assertTrue(set.contains(ip("10.7.255.255")));
        assertFalse(set.contains(ip("10.8.0.0")));
        assertTrue(set.contains(ip("2001:db8:7fff::1")));
        assertFalse(set.contains(ip("2001:db8:8000::1")));
    }

    @Test
    void a_bare_address_is_one_host_and_slash_0_is_everything_of_its_family() throws Exception {
        final NetworkSet set = NetworkSet.parse(List.of("192.168.1.7", "0.0.0.0/0"));
        assertTrue(set.contains(ip("192.168.1.7")));
        assertTrue(set.contains(ip("8.8.8.8")));
        assertFalse(set.contains(ip("::1")), "an IPv4 network never holds an IPv6 address");
        assertTrue(NetworkSet.parse(List.of("::/0")).contains(ip("2001:db8::1")));
        assertFalse(NetworkSet.parse(List.of("::/0")).contains(ip("1.2.3.4")));
    }

    @Test
    void ipv4_mapped_ipv6_addresses_are_their_ipv4_address() throws Exception {
        final InetAddress mapped = java.net.Inet6Address.getByAddress(null,
                new byte[]{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xFF, (byte) 0xFF, 10, 1, 2, 3}, -1);
        assertTrue(NetworkSet.parse(List.of("10.0.0.0/8")).contains(mapped));
        assertTrue(NetworkSet.parse(List.of("::ffff:10.0.0.0/104")).contains(ip("10.1.2.3")));
        assertFalse(NetworkSet.parse(List.of("::ffff:10.0.0.0/104")).contains(ip("11.1.2.3")));
    }

    @Test
    void the_empty_list_holds_nothing() throws Exception {
        assertFalse(NetworkSet.parse(List.of()).contains(ip("127.0.0.1")));
        assertTrue(NetworkSet.NONE.isEmpty());
    }

    @Test
    void bad_networks_are_refused_with_the_entry_and_the_reason() {
        assertEquals("\"10.0.0.0/33\": prefix length 33 is over 32 for IPv4", refusal("10.0.0.0/33"));
        assertEquals("\"::1/129\": prefix length 129 is over 128 for IPv6", refusal("::1/129"));
        assertEquals("\"10.0.0.0/\": the prefix length is not a number", refusal("10.0.0.0/"));
        assertEquals("\"10.0.0.0/-1\": the prefix length is not a number", refusal("10.0.0.0/-1"));
        assertEquals("\"localhost\": not an IPv4 or IPv6 address", refusal("localhost"));
        assertEquals("\"10.0.0\": not an IPv4 or IPv6 address", refusal("10.0.0"));
        assertEquals("\"256.0.0.0/8\": not an IPv4 or IPv6 address", refusal("256.0.0.0/8"));
        assertEquals("\"fe80::1%eth0\": write an IPv6 network without brackets or a scope", refusal("fe80::1%eth0"));
        assertEquals("\"1:2:3\": not an IPv6 address", refusal("1:2:3"));
        assertEquals("\"10.1.2.3/8\": bits are set past the /8 prefix (the network is 10.0.0.0/8)", refusal("10.1.2.3/8"));
        assertEquals("\"::ffff:10.0.0.0/64\": an IPv4-mapped network needs a prefix of 96 to 128", refusal("::ffff:10.0.0.0/64"));
    }
}
