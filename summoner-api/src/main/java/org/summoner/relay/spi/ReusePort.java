package org.summoner.relay.spi;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.summoner.relay.config.ServerConfig;

import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;

/**
 * {@code drain.reuse_port}: whether an engine binds its client port with {@code SO_REUSEPORT}, so the next version of
 * the relay can bind the same port while this one drains (a rolling upgrade without a moment when the port is
 * closed). Linux lets a second socket join the port only when both set the option and belong to the same effective
 * user. Where the system has no {@code SO_REUSEPORT} (Windows) the option is left off with a warning: the next
 * version's bind then fails with "Address already in use" until this one stops accepting.
 *
 * <p>Stateless and thread-safe.
 */
public final class ReusePort {
    private static final Logger log = LoggerFactory.getLogger(ReusePort.class);
    private static final boolean AVAILABLE = probe();

    private ReusePort() {
    }

    /** @return whether {@code config} asks for {@code SO_REUSEPORT} and this system has it; warns when it has not. */
    public static boolean wanted(ServerConfig config) {
        if (!config.drain().reusePort()) {
            return false;
        }
        if (!AVAILABLE) {
            log.warn("\"drain.reuse_port\" is true in {}, but this system's sockets have no SO_REUSEPORT: the next version "
                    + "can bind the port only once this one stops accepting (kill -USR2)", config.source());
        }
        return AVAILABLE;
    }

    /** Sets {@code SO_REUSEPORT} on a socket not yet bound, when {@link #wanted}. */
    static void apply(ServerSocketChannel server, ServerConfig config) throws IOException {
        if (wanted(config)) {
            server.setOption(StandardSocketOptions.SO_REUSEPORT, true);
        }
    }

    private static boolean probe() {
        try (ServerSocketChannel probe = ServerSocketChannel.open()) {
            return probe.supportedOptions().contains(StandardSocketOptions.SO_REUSEPORT);
        } catch (IOException e) {
            return false;
        }
    }
}
