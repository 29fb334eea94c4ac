package org.summoner.relay.examples;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertTrue;

class DedicatedAgentsTest {
    @Test
    @Timeout(60)
    void alices_signed_envelope_reaches_bob_and_not_carol() throws Exception {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DedicatedAgents.run(new String[0], new PrintStream(bytes, true, StandardCharsets.UTF_8));
        final String output = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(output.contains("bob received: {\"remote_addr\":\"127.0.0.1:"), output);
        assertTrue(output.contains("hello bob, from alice"), output);
        assertTrue(output.contains("carol received nothing"), output);
    }
}
