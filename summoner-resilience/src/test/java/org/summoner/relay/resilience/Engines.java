package org.summoner.relay.resilience;

import java.util.List;

/** The engines every scenario runs against: {@code @MethodSource("org.summoner.relay.resilience.Engines#names")}. */
final class Engines {
    private Engines() {
    }

    static List<String> names() {
        return List.of("nio", "netty", "agrona");
    }
}
