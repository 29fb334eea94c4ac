package org.summoner.relay.spi;

import java.util.Set;

/**
 * Makes one kind of relay engine available, found with {@link java.util.ServiceLoader}: an engine module lists
 * its provider in {@code META-INF/services/org.summoner.relay.spi.RelayEngineProvider}, and putting its jar on
 * the classpath is enough to use it.
 *
 * <p>A provider is a cheap description: its constructor must not start threads, open sockets or read files,
 * because every provider on the classpath is instantiated to choose one. The work starts in {@link #create}.
 *
 * <p>How {@code "version"} chooses a provider is {@link EngineResolver}'s job: by {@link #name()}, or by one of
 * its {@link #aliases()} ({@code "python"} for the default engine, {@code "rss_3"} for the high-performance
 * ones, which upstream's {@code rust*} values also ask for), the highest {@link #rank()} winning among the providers that serve the alias.
 */
public interface RelayEngineProvider {
    /**
     * @return the engine's own name, lower case, unique on the classpath (e.g. {@code nio}, {@code netty}).
     */
    String name();

    /**
     * @return the other {@code "version"} values this engine serves, lower case, e.g. {@code python} for the
     *         default engine or {@link EngineResolver#HIGH_PERFORMANCE_ALIAS rss_3} for a high-performance one.
     */
    default Set<String> aliases() {
        return Set.of();
    }

    /**
     * @return the preference among the providers that serve one alias; the highest wins, a tie is an error.
     */
    default int rank() {
        return 0;
    }

    /**
     * @return the name in the start-up line {@code "<displayName> server listening on host:port"}, e.g.
     *         {@code NIO}.
     */
    String displayName();

    /**
     * @return one sentence for listings such as {@code --help}.
     */
    String description();

    /**
     * @return the top-level key of {@code server_config.json} that holds this engine's own settings (e.g.
     *         {@code agrona}), read in {@link #create} with {@code context.config().section(name)}; null when it
     *         has none. Declaring it keeps the server from warning that the key is unknown.
     */
    default String configSection() {
        return null;
    }

    /**
     * Creates an engine that has not started yet.
     */
    RelayEngine create(EngineContext context);
}
