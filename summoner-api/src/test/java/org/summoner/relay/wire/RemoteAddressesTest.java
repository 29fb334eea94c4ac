package org.summoner.relay.wire;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RemoteAddressesTest {

    @Test
    void ipv4_is_ip_colon_port() throws Exception {
        assertEquals("127.0.0.1:54321", RemoteAddresses.format(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 54321)));
    }

    @ParameterizedTest
    @CsvSource({
            "0:0:0:0:0:0:0:1, [::1]:8888",
            "0:0:0:0:0:0:0:0, [::]:8888",
            "2001:db8:0:0:0:0:2:1, [2001:db8::2:1]:8888",
            "2001:db8:0:1:1:1:1:1, [2001:db8:0:1:1:1:1:1]:8888",
            "2001:0:0:1:0:0:0:1, [2001:0:0:1::1]:8888",
            "2001:db8:0:0:1:0:0:1, [2001:db8::1:0:0:1]:8888",
            "fe80:0:0:0:0:0:0:0, [fe80::]:8888",
            "2001:DB8:AAAA:BBBB:CCCC:DDDD:EEEE:FFFF, [2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff]:8888",
    })
    void ipv6_is_bracketed_in_rfc_5952_form(String address, String expected) throws Exception {
        assertEquals(expected, RemoteAddresses.format(new InetSocketAddress(InetAddress.getByName(address), 8888)));
    }

    @Test
    void a_scoped_ipv6_address_keeps_its_numeric_scope() throws Exception {
        final Inet6Address scoped = Inet6Address.getByAddress(null, InetAddress.getByName("fe80::1").getAddress(), 3);
        assertEquals("[fe80::1%3]:80", RemoteAddresses.format(new InetSocketAddress(scoped, 80)));
    }
}
