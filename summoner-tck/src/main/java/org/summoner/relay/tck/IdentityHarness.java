package org.summoner.relay.tck;

import org.summoner.relay.RunningServer;
import org.summoner.relay.identity.AuroraSigner;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the kit's sections on identities share (SPEC sections 7 to 9): agents that sign with an Aurora identity made
 * by the API's {@link AuroraSigner}, binding their connections, and the exact lines the server answers with.
 */
public abstract class IdentityHarness extends KitHarness {
    /** An agent: a connection and the Aurora identity it signs with. */
    protected record Agent(KitClient client, AuroraSigner identity) {
        /** @return a signed envelope of {@code payload} to {@code receiver}, or to no one when it is null. */
        String envelopeTo(Agent receiver, Object payload) {
            return identity.seal(payload, receiver == null ? null : receiver.identity.publicId());
        }

        /** @return {@code fp:<fingerprint>}, how a host's directive names this agent. */
        String fpName() {
            return "fp:" + identity.fingerprint();
        }
    }

    protected Agent agent(RunningServer server, AuroraSigner identity) throws IOException {
        return new Agent(connect(server), identity);
    }

    protected Agent agent(RunningServer server) throws IOException {
        return agent(server, AuroraSigner.generate(null));
    }

    /** Binds each agent's connection with a {@code to: null} envelope, and waits until the server counts them bound. */
    protected void bind(RunningServer server, long boundIdentities, Agent... agents) throws IOException {
        for (Agent agent : agents) {
            agent.client().send(agent.envelopeTo(null, Map.of("hello", "relay")) + "\n");
        }
        awaitStats(server, boundIdentities + " identities bound", stats -> stats.boundIdentities() == boundIdentities);
    }

    /** The line as the JSON string inside an envelope: the kit's lines are ASCII with quotes and backslashes only. */
    protected static String escaped(String line) {
        return line.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    protected static String rejected(String code) {
        return "Warning: Line rejected (" + code + ") and was not relayed.";
    }

    /** @return the kit's base plus {@code routing} and more {@code hyper_parameters}, as keys and values. */
    protected RunningServer startRouting(String routing, Object... keysAndValues) {
        final Map<String, Object> parameters = new LinkedHashMap<>();
        parameters.put("routing", routing);
        for (int i = 0; i < keysAndValues.length; i += 2) {
            parameters.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return startServer(parameters);
    }

    /** The kit's base plus {@code routing: dedicated} and these {@code dedicated_relay} settings. */
    protected RunningServer startDedicated(Map<String, ?> dedicatedRelay, Object... moreKeysAndValues) {
        final Map<String, Object> parameters = new LinkedHashMap<>();
        parameters.put("routing", "dedicated");
        parameters.put("dedicated_relay", dedicatedRelay);
        for (int i = 0; i < moreKeysAndValues.length; i += 2) {
            parameters.put((String) moreKeysAndValues[i], moreKeysAndValues[i + 1]);
        }
        return startServer(parameters);
    }
}
