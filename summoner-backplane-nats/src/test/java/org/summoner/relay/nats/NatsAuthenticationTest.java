package org.summoner.relay.nats;

import org.junit.jupiter.api.Test;
import org.summoner.relay.tck.NatsServers;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Nodes on a NATS server that asks clients to authenticate ({@code nats-server --user/--pass}, {@code --auth}): with
 * the right {@code cluster.nats} credentials they relay to each other; with wrong ones a node is kept off the bus,
 * serves its own clients, and hears no one.
 */
class NatsAuthenticationTest extends SecuredNatsHarness {
    @Test
    void aUserAndPasswordLetANodeOnTheBusAndAWrongPasswordDoesNot() throws Exception {
        try (NatsServers nats = new NatsServers(1, true, "--user", "relay", "--pass", "s3cret-of-the-bus"); BackplaneLogs logs = new BackplaneLogs()) {
            relaysAndRefuses(nats, Map.of("user", "relay", "password", "s3cret-of-the-bus"),
                    Map.of("user", "relay", "password", "guess"));
            await("the refusal logged", () -> logs.has("WARN cluster: NATS error: Authorization Violation"), () -> String.join("\n", logs.lines()));
            assertFalse(logs.lines().stream().anyMatch(line -> line.contains("guess") || line.contains("s3cret")), "no password logged");
        }
    }

    @Test
    void aTokenLetsANodeOnTheBusAndNoneDoesNot() throws Exception {
        try (NatsServers nats = new NatsServers(1, true, "--auth", "t0ken-of-the-bus"); BackplaneLogs logs = new BackplaneLogs()) {
            relaysAndRefuses(nats, Map.of("token", "t0ken-of-the-bus"), Map.of());
            await("the refusal logged", () -> logs.has("WARN cluster: NATS error: Authorization Violation"), () -> String.join("\n", logs.lines()));
            assertFalse(logs.lines().stream().anyMatch(line -> line.contains("t0ken")), "no token logged");
        }
    }
}
