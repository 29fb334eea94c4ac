package org.summoner.relay.netty;

import org.summoner.relay.config.ConfigSection;
import org.summoner.relay.config.ServerConfig;

import java.util.List;

/**
 * The {@code "netty"} section of {@code server_config.json}:
 *
 * <pre>
 * "netty": {
 *   "transport": "auto"     // auto (native epoll where it works, else NIO) | epoll | nio
 * }
 * </pre>
 *
 * @param transport which Netty transport the event loops run on ({@link Transport}).
 * @param warnings  unknown keys of the section, logged when the engine starts.
 */
record NettySettings(String transport, List<String> warnings) {
    static final String SECTION = "netty";
    static final String AUTO = "auto";
    static final String EPOLL = "epoll";
    static final String NIO = "nio";
    static final List<String> TRANSPORTS = List.of(AUTO, EPOLL, NIO);

    static NettySettings from(ServerConfig config) {
        final ConfigSection section = config.section(SECTION);
        final String transport = section.string("transport", AUTO);
        if (!TRANSPORTS.contains(transport)) {
            throw section.invalid("transport", "one of " + String.join(", ", TRANSPORTS));
        }
        section.warnUnknown();
        return new NettySettings(transport, List.copyOf(section.warnings()));
    }
}
