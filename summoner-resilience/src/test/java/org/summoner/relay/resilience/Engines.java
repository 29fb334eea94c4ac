package org.summoner.relay.resilience;

import java.util.Arrays;
import java.util.List;

/**
 * The engines every scenario runs against: {@code @MethodSource("org.summoner.relay.resilience.Engines#names")}.
 * All of the runnable jar's by default; {@code -Dresilience.engines=netty,agrona} narrows a run.
 */
final class Engines {
    private Engines() {
    }

    static List<String> names() {
        final String chosen = System.getProperty("resilience.engines", "");
        return chosen.isBlank() ? List.of("nio", "netty", "agrona") : Arrays.asList(chosen.split(","));
    }
}
