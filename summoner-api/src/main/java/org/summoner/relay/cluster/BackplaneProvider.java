package org.summoner.relay.cluster;

/**
 * A backplane implementation, found with {@link java.util.ServiceLoader} like engines
 * ({@code META-INF/services/org.summoner.relay.cluster.BackplaneProvider}). Providers are cheap to instantiate:
 * nothing connects before {@link Backplane#start()}.
 */
public interface BackplaneProvider {
    /** @return the name {@code cluster.backplane} selects it by, e.g. {@code nats}. */
    String name();

    /** @return a backplane for this node, not started. */
    Backplane create(BackplaneContext context);
}
