package org.summoner.relay.tck;

import org.junit.jupiter.api.Test;
import org.summoner.relay.RunningServer;
import org.summoner.relay.SummonerServer;
import org.summoner.relay.core.Router;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The kit's tests of SPEC section 10's fault barrier: whatever a line makes the code throw, at most that connection is
 * closed, told first, the fault is counted, and every other connection is served on; an error the JVM cannot recover
 * from makes the relay unhealthy instead of leaving it half alive. The core is made to fail on demand, never by
 * timing: the server's router is wrapped ({@link SummonerServer#withRouting}) so that a line starting with
 * {@code fault!} throws what the test chose, inside the relay's own line path, on whichever engine thread reads it.
 */
public abstract class FaultSection extends KitHarness {
    static final String FAULT_NOTICE = "Warning: Server error on your connection; disconnecting.";
    private static final byte[] TRIGGER = "fault!".getBytes(StandardCharsets.US_ASCII);

    /** Starts the engine under test with four I/O threads, whose router throws {@code fault.get()} on a trigger line. */
    private RunningServer startFaulty(Supplier<Throwable> fault) {
        final Map<String, Object> config = config(Map.of("worker_threads", 4));
        return track(new SummonerServer("tck").withRouting(mode -> faulty(mode, fault)).start("127.0.0.1", 0, config));
    }

    private static Router faulty(Router mode, Supplier<Throwable> fault) {
        return (sender, line, offset, length, decision) -> {
            if (startsWithTrigger(line, offset, length)) {
                sneakyThrow(fault.get());
            }
            mode.route(sender, line, offset, length, decision);
        };
    }

    private static boolean startsWithTrigger(byte[] line, int offset, int length) {
        if (length < TRIGGER.length) {
            return false;
        }
        for (int i = 0; i < TRIGGER.length; i++) {
            if (line[offset + i] != TRIGGER[i]) {
                return false;
            }
        }
        return true;
    }

    @SuppressWarnings("unchecked")
    private static <T extends Throwable> void sneakyThrow(Throwable error) throws T {
        throw (T) error;
    }

    @Test
    void a_line_that_makes_the_core_throw_closes_its_sender_alone_told_first_and_every_other_client_chats_on() throws Exception {
        final RunningServer server = startFaulty(() -> new IllegalStateException("kit: a fault on demand"));
        final KitClient alice = connect(server);
        final KitClient bob = connect(server);
        final List<KitClient> attackers = new ArrayList<>();
        for (int i = 0; i < 12; i++) { // three times each I/O thread, had faults killed threads as they once did
            attackers.add(connect(server));
        }
        awaitConnections(server, 14);

        for (KitClient attacker : attackers) {
            attacker.send("fault! " + attacker.localPort() + "\n");
        }
        for (KitClient attacker : attackers) {
            assertEquals(FAULT_NOTICE, attacker.readLine());
            attacker.assertEndOfStream();
            attacker.close(); // the server closes at once when the client does, not at the end of its 2 s linger
        }
        awaitStats(server, "12 line faults and 2 clients left", stats -> stats.faultsLine() == 12 && stats.connectionsOpen() == 2);

        final KitClient carol = connect(server); // newcomers are admitted and served as before
        awaitConnections(server, 3);
        alice.send("still served\n");
        assertEquals(envelope(alice, "still served"), bob.readLine());
        assertEquals(envelope(alice, "still served"), carol.readLine());
        carol.send("and heard\n");
        assertEquals(envelope(carol, "and heard"), alice.readLine());
        assertEquals(envelope(carol, "and heard"), bob.readLine());
        assertEquals(0, server.stats().faultsTimer() + server.stats().faultsCluster() + server.stats().faultsEngine());
        assertTrue(server.unhealthy().isEmpty(), "a caught fault leaves the relay healthy");
    }

    @Test
    void lines_relayed_before_the_fault_reach_everyone_and_nothing_after_it_is_relayed() throws Exception {
        final RunningServer server = startFaulty(() -> new IllegalArgumentException("kit"));
        final KitClient sender = connect(server);
        final KitClient reader = connect(server);
        awaitConnections(server, 2);

        sender.send("before\nfault!\nafter\n");
        assertEquals(envelope(sender, "before"), reader.readLine());
        assertEquals(FAULT_NOTICE, sender.readLine());
        sender.assertEndOfStream();
        sender.close();
        awaitStats(server, "the sender gone", stats -> stats.connectionsOpen() == 1 && stats.faultsLine() == 1);
        reader.assertNothingWithin(Duration.ofMillis(200));
        awaitStats(server, "'before' relayed, 'fault!' framed, 'after' never read as a line",
                stats -> stats.linesRelayed() == 1 && stats.linesReceived() == 2);
    }

    @Test
    void a_stack_overflow_in_the_line_path_is_caught_like_any_fault() throws Exception {
        final RunningServer server = startFaulty(StackOverflowError::new);
        final KitClient attacker = connect(server);
        final KitClient alice = connect(server);
        final KitClient bob = connect(server);
        awaitConnections(server, 3);

        attacker.send("fault! deep\n");
        assertEquals(FAULT_NOTICE, attacker.readLine());
        attacker.assertEndOfStream();
        alice.send("fine\n");
        assertEquals(envelope(alice, "fine"), bob.readLine());
        awaitStats(server, "one line fault", stats -> stats.faultsLine() == 1);
        assertTrue(server.unhealthy().isEmpty());
    }

    @Test
    void an_error_the_jvm_cannot_recover_from_makes_the_relay_unhealthy_and_its_sender_is_closed() throws IOException {
        final RunningServer server = startFaulty(() -> new InternalError("kit: as if out of memory"));
        final KitClient attacker = connect(server);
        awaitConnections(server, 1);

        attacker.send("fault! fatal\n");
        attacker.assertEndOfStream();
        await("the relay to say it is unhealthy", () -> server.unhealthy().isPresent(), () -> "healthy");
        final String reason = server.unhealthy().orElseThrow();
        assertTrue(reason.contains("InternalError: kit: as if out of memory"), reason);
    }
}
