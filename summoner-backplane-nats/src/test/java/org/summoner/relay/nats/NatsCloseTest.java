package org.summoner.relay.nats;

import org.junit.jupiter.api.Test;
import org.summoner.relay.RunningServer;
import org.summoner.relay.tck.FreePorts;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * A node whose NATS was never in reach stops trying when it stops: its client's reconnecting threads end with the
 * node, not with the JVM (a relay embedded in a program that goes on would have kept them for good).
 */
class NatsCloseTest extends SecuredNatsHarness {
    /** The client's executor threads (a cached pool with the JDK's default names). */
    private static final Pattern CLIENT_THREAD = Pattern.compile("pool-\\d+-thread-\\d+");

    private static Set<Thread> clientThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.isAlive() && CLIENT_THREAD.matcher(t.getName()).matches())
                .collect(Collectors.toSet());
    }

    @Test
    void aNodeClosedBeforeItEverConnectedStopsItsAttempts() throws Exception {
        final Set<Thread> before = clientThreads();
        final RunningServer node = node("node-a", Map.of("servers", List.of("nats://127.0.0.1:" + FreePorts.tcp())));
        await("the client to try and fail (its threads)", () -> !difference(clientThreads(), before).isEmpty(),
                () -> "no new client thread");
        final Set<Thread> attempting = difference(clientThreads(), before);
        node.close();
        await("the client's threads to end with the node", () -> attempting.stream().noneMatch(Thread::isAlive),
                () -> attempting.stream().filter(Thread::isAlive).map(Thread::getName).toList().toString());
        assertFalse(attempting.stream().anyMatch(Thread::isAlive));
    }

    private static Set<Thread> difference(Set<Thread> now, Set<Thread> before) {
        return now.stream().filter(t -> !before.contains(t)).collect(Collectors.toSet());
    }
}
