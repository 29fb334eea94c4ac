package org.summoner.relay.policy;

import org.junit.jupiter.api.Test;
import org.summoner.relay.config.NetworkSet;
import org.summoner.relay.config.PeerTrust;
import org.summoner.relay.wire.ServerNotice;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertNull;

class AdmissionControlTest {
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    private static InetAddress ip(String text) throws Exception {
        return InetAddress.getByName(text);
    }

    private static PeerTrust trusting(NetworkSet trusted) {
        return new PeerTrust(trusted, null, NetworkSet.NONE, null);
    }

    private static AdmissionControl allowing(List<String> allow, List<String> deny) {
        return new AdmissionControl(new QuarantineList(0, 10), new ConnectionLimits(0, 0),
                new PeerTrust(NetworkSet.LOOPBACK, allow == null ? null : NetworkSet.parse(allow), NetworkSet.parse(deny), null));
    }

    @Test
    void an_address_outside_allow_networks_is_told_and_not_counted() throws Exception {
        final AdmissionControl admission = allowing(List.of("10.0.0.0/8", "2001:db8::/32"), List.of());
        final AdmissionControl.Rejection refused = admission.admit(ip("192.168.1.1"), 0);
        assertEquals(ServerNotice.NOT_ALLOWED, refused.reason());
        assertEquals("Warning: Your address is not allowed on this server; disconnecting.\n",
                new String(refused.line(), StandardCharsets.UTF_8));
        assertEquals(ServerNotice.NOT_ALLOWED, admission.admit(ip("2001:db9::1"), 0).reason());
        assertNull(admission.admit(ip("10.200.0.1"), 0));
        assertNull(admission.admit(ip("2001:db8:ffff::1"), 0));
        assertNull(admission.admit(ip("::ffff:10.1.2.3"), 0), "an IPv4-mapped address follows the IPv4 rules");
        assertEquals(3, admission.connections(), "a refused address holds no connection slot");
    }

    @Test
    void deny_networks_win_over_allow_networks_and_over_the_default_of_every_address() throws Exception {
        final AdmissionControl narrowed = allowing(List.of("10.0.0.0/8"), List.of("10.6.6.0/24"));
        assertNull(narrowed.admit(ip("10.6.7.1"), 0));
        assertEquals(ServerNotice.NOT_ALLOWED, narrowed.admit(ip("10.6.6.6"), 0).reason());
        assertEquals(ServerNotice.NOT_ALLOWED, narrowed.admit(ip("::ffff:10.6.6.6"), 0).reason());

        final AdmissionControl everyone = allowing(null, List.of("::1/128", "192.0.2.0/24"));
        assertNull(everyone.admit(ip("127.0.0.1"), 0));
        assertEquals(ServerNotice.NOT_ALLOWED, everyone.admit(ip("::1"), 0).reason());
        assertEquals(ServerNotice.NOT_ALLOWED, everyone.admit(ip("192.0.2.200"), 0).reason());
        assertFalse(everyone.allows(ip("192.0.2.1")));
        assertTrue(everyone.allows(ip("192.0.3.1")));
    }

    @Test
    void a_quarantined_address_is_told_the_seconds_left_rounded_up() throws Exception {
        final AdmissionControl admission = new AdmissionControl(new QuarantineList(300 * SECOND, 10), new ConnectionLimits(0, 0),
                trusting(NetworkSet.NONE));
        admission.quarantine(ip("10.0.0.1"), 0);

        final AdmissionControl.Rejection rejection = admission.admit(ip("10.0.0.1"), SECOND / 2);
        assertEquals(ServerNotice.QUARANTINED, rejection.reason());
        assertEquals("Warning: Your address is quarantined for 300 more seconds after falling too far behind; disconnecting.\n",
                new String(rejection.line(), StandardCharsets.UTF_8));
        assertEquals(1, admission.admit(ip("10.0.0.1"), 299 * SECOND + 1).quoted());
        assertNull(admission.admit(ip("10.0.0.1"), 300 * SECOND));
        assertEquals(1, admission.connections());
    }

    @Test
    void a_trusted_address_is_never_quarantined_and_others_still_are() throws Exception {
        final AdmissionControl admission = new AdmissionControl(new QuarantineList(300 * SECOND, 10), new ConnectionLimits(0, 0),
                trusting(NetworkSet.LOOPBACK));
        assertEquals(AdmissionControl.Quarantine.TRUSTED, admission.quarantine(ip("127.0.0.1"), 0));
        assertEquals(AdmissionControl.Quarantine.TRUSTED, admission.quarantine(ip("127.9.8.7"), 0));
        assertEquals(AdmissionControl.Quarantine.TRUSTED, admission.quarantine(ip("::1"), 0));
        assertEquals(AdmissionControl.Quarantine.QUARANTINED, admission.quarantine(ip("10.0.0.1"), 0));
        assertNull(admission.admit(ip("127.0.0.1"), 1));
        assertEquals(ServerNotice.QUARANTINED, admission.admit(ip("10.0.0.1"), 1).reason());
        assertEquals(1, admission.quarantinedAddresses());
    }

    @Test
    void without_trusted_networks_loopback_is_quarantined_like_any_address() throws Exception {
        final AdmissionControl admission = new AdmissionControl(new QuarantineList(300 * SECOND, 10), new ConnectionLimits(0, 0),
                trusting(NetworkSet.NONE));
        assertEquals(AdmissionControl.Quarantine.QUARANTINED, admission.quarantine(ip("127.0.0.1"), 0));
        assertEquals(ServerNotice.QUARANTINED, admission.admit(ip("127.0.0.1"), 1).reason());
    }

    @Test
    void with_quarantine_off_nothing_is_quarantined() throws Exception {
        final AdmissionControl admission = new AdmissionControl(new QuarantineList(0, 10), new ConnectionLimits(0, 0),
                trusting(NetworkSet.NONE));
        assertEquals(AdmissionControl.Quarantine.NOT_QUARANTINED, admission.quarantine(ip("10.0.0.1"), 0));
    }

    @Test
    void limits_refuse_past_max_connections_and_per_address_and_admit_again_after_release() throws Exception {
        final AdmissionControl admission = new AdmissionControl(new QuarantineList(0, 10), new ConnectionLimits(3, 2),
                trusting(NetworkSet.NONE));
        assertNull(admission.admit(ip("10.0.0.1"), 0));
        assertNull(admission.admit(ip("10.0.0.1"), 0));
        final AdmissionControl.Rejection perAddress = admission.admit(ip("10.0.0.1"), 0);
        assertEquals("Warning: Too many connections from your address (max_connections_per_ip 2); disconnecting.\n",
                new String(perAddress.line(), StandardCharsets.UTF_8));
        assertNull(admission.admit(ip("10.0.0.2"), 0));
        final AdmissionControl.Rejection full = admission.admit(ip("10.0.0.3"), 0);
        assertEquals("Warning: Server is full (max_connections 3); disconnecting.\n", new String(full.line(), StandardCharsets.UTF_8));

        admission.release(ip("10.0.0.1"));
        assertNull(admission.admit(ip("10.0.0.3"), 0));
        assertEquals(3, admission.connections());
    }

    @Test
    void concurrent_admissions_and_releases_balance_to_zero() throws Exception {
        final ConnectionLimits limits = new ConnectionLimits(50, 5);
        final List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            final InetAddress address = ip("10.0.0." + (t % 3));
            threads.add(new Thread(() -> {
                for (int i = 0; i < 20_000; i++) {
                    if (limits.tryAcquire(address) == ConnectionLimits.Result.ADMITTED) {
                        limits.release(address);
                    }
                }
            }));
        }
        threads.forEach(Thread::start);
        for (Thread thread : threads) {
            thread.join();
        }
        assertEquals(0, limits.connections());
        for (int i = 0; i < 5; i++) {
            assertEquals(ConnectionLimits.Result.ADMITTED, limits.tryAcquire(ip("10.0.0.0")), "the per-address count is back to 0");
        }
    }
}
