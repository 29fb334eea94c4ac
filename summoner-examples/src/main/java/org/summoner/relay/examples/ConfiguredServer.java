package org.summoner.relay.examples;

import org.summoner.relay.SummonerServer;

/**
 * The seed's configured server: the address is given in code, and {@code server_config.json} in the working
 * directory may override it and choose the engine.
 *
 * <pre>
 * echo '{"version": "rss_3"}' &gt; server_config.json
 * java -cp summoner-examples/target/summoner-examples.jar org.summoner.relay.examples.ConfiguredServer
 * </pre>
 *
 * With {@code {"host": "127.0.0.1", "port": 5555}} in the file the server listens on 5555 instead of 1234: the
 * config file takes precedence. With no file it prints {@code [DEBUG] Config file not found: server_config.json}
 * and runs on defaults at 127.0.0.1:1234. {@code "version": "rss_3"} asks for the best high-performance engine
 * on the class path: in this jar, Netty ({@code 🚀 Netty server listening on 127.0.0.1:1234}).
 */
public final class ConfiguredServer {
    private ConfiguredServer() {
    }

    public static void main(String[] args) {
        new SummonerServer("first_server").run("127.0.0.1", 1234, "server_config.json");
    }
}
