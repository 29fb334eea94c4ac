package org.summoner.relay.examples;

import org.summoner.relay.SummonerServer;

/**
 * The seed's first server (Option 1): no config, the default engine on 127.0.0.1:8888, until Ctrl+C.
 *
 * <pre>java -cp summoner-examples/target/summoner-examples.jar org.summoner.relay.examples.FirstServer</pre>
 *
 * It prints:
 *
 * <pre>
 * [DEBUG] Config file not found:
 * 2025-07-17 00:53:38.149 - first_server - INFO - NIO server listening on 127.0.0.1:8888
 * </pre>
 */
public final class FirstServer {
    private FirstServer() {
    }

    public static void main(String[] args) {
        new SummonerServer("first_server").run();
    }
}
