package org.summoner.relay.core;

import org.summoner.relay.config.ServerConfig;
import org.summoner.relay.policy.FairUsePolicy;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The core's one volatile reference to what a reload may change ({@link LiveSettings}), and how a reload replaces it:
 * the new settings are made whole (their router by the core's router function), then published at once. Relay threads
 * read {@link #get()} once per decision; only the reloading thread writes, one at a time.
 *
 * <p>Thread-safe.
 */
final class LiveReference {
    private volatile LiveSettings live;
    /** Makes the router of a configuration: at start, and again at each reload. */
    private final Function<RelayCore, Router> routers;
    /** The configuration a router being made reads ({@link #routingConfig}); guarded by {@link #reloading}. */
    private ServerConfig building;
    private final Object reloading = new Object();
    private volatile Runnable onReload = () -> { };
    /** State that outlives a reload's new router (the replay window's memory), by kind ({@link #keep}). */
    private final ConcurrentHashMap<Class<?>, Object> kept = new ConcurrentHashMap<>();

    LiveReference(Function<RelayCore, Router> routers) {
        this.routers = routers;
    }

    /** Makes and publishes the first settings, while the core is being made. */
    void start(RelayCore core, ServerConfig config, FairUsePolicy policy) {
        synchronized (reloading) {
            building = config;
            live = new LiveSettings(null, config, policy, routers.apply(core), core.maxLineBytes(), core.maxEnvelopeBytes());
        }
    }

    LiveSettings get() {
        return live;
    }

    /** @return the running configuration, or while the first settings are made, the one they are made of. */
    ServerConfig config() {
        final LiveSettings settings = live;
        return settings == null ? routingConfig() : settings.config;
    }

    ServerConfig routingConfig() {
        synchronized (reloading) {
            return building;
        }
    }

    void reload(RelayCore core, ServerConfig next) {
        synchronized (reloading) {
            final LiveSettings running = live;
            building = next;
            try {
                live = new LiveSettings(running, next, running.policy.reloaded(next), routers.apply(core),
                        core.maxLineBytes(), core.maxEnvelopeBytes());
            } finally {
                building = live.config;
            }
        }
        onReload.run();
    }

    void onReload(Runnable listener) {
        this.onReload = listener;
    }

    /** Runs the engine's listener, so its threads run their timed duties now: a drain has begun ({@link Drain}). */
    void wakeEngineThreads() {
        onReload.run();
    }

    <T> T keep(Class<T> kind, Supplier<T> make) {
        return kind.cast(kept.computeIfAbsent(kind, k -> make.get()));
    }
}
