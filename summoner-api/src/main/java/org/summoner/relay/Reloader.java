package org.summoner.relay;

import org.slf4j.Logger;
import org.summoner.relay.config.ConfigException;
import org.summoner.relay.config.ConfigReload;
import org.summoner.relay.config.ServerConfig;
import org.summoner.relay.core.RelayCore;
import org.summoner.relay.wire.Untrusted;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Reloads a running server's configuration ({@link RunningServer#reload}): reads it, compares it with the running one
 * ({@link ConfigReload}), warns in one line of the keys that need a restart, lets the caller apply what it owns (the
 * runnable server's logging), then has the core publish the rest ({@link RelayCore#reload}). A file with an error is
 * refused with the message a start prints, and nothing changes. Counted ({@code summoner_config_reloads_total}) and
 * logged either way, with key names only, never values.
 *
 * <p>Thread-safe: one reload at a time; a reload never runs on a relay thread.
 */
final class Reloader {
    private final RelayCore core;
    private final Set<String> engineSections;
    private final Logger log;

    Reloader(RelayCore core, Set<String> engineSections, Logger log) {
        this.core = core;
        this.engineSections = engineSections;
        this.log = log;
    }

    /** @return the configuration file the server runs with, read again; refused when it did not start from a file. */
    ServerConfig readAgain() {
        final String source = core.config().source();
        final Path path;
        try {
            path = source.equals(ServerConfig.MAP_SOURCE) || source.equals("defaults") ? null : Path.of(source);
        } catch (InvalidPathException e) {
            throw new ConfigException(source, null, source + ": not a valid path: " + e.getReason(), e);
        }
        if (path == null) {
            throw new ConfigException(source, null, "the server was not started from a configuration file (its configuration is "
                    + source + "); there is no file to read again", null);
        }
        return ServerConfig.fromFile(path);
    }

    synchronized Reload reload(Supplier<ServerConfig> load, Consumer<ServerConfig> alongside) {
        final ServerConfig next;
        try {
            next = load.get();
        } catch (ConfigException e) {
            return refused(e);
        }
        for (String warning : next.warningsExcept(engineSections)) {
            log.warn(Untrusted.whole(warning));
        }
        final ConfigReload plan = ConfigReload.compare(core.config(), next);
        try {
            if (alongside != null) {
                alongside.accept(plan.effective());
            }
            core.reload(plan.effective());
        } catch (ConfigException e) {
            return refused(e);
        } catch (RuntimeException e) { // TLS material the JDK cannot use though it was read and checked; a router that failed
            return refused(new ConfigException(next.source(), null, next.source() + ": cannot be applied: " + e.getMessage(), e));
        }
        if (!plan.needRestart().isEmpty()) {
            log.warn("Config reload: {} changed but need a restart; left as they were", names(plan.needRestart()));
        }
        core.counters().configReloaded(true);
        log.info("Config reloaded from {}: {}", Untrusted.text(next.source()),
                plan.applied().isEmpty() ? "nothing that applies live changed" : "applied " + names(plan.applied()));
        return Reload.applied(plan.applied(), plan.needRestart());
    }

    private Reload refused(ConfigException e) {
        core.counters().configReloaded(false);
        log.error("Config reload refused, the running configuration stays: {}", Untrusted.whole(e.getMessage()));
        return Reload.refused(e.getMessage());
    }

    /** Key names, some of them top-level keys of the file itself (an engine's section): escaped as untrusted text. */
    private static String names(List<String> keys) {
        final List<String> shown = new ArrayList<>(keys.size());
        for (String key : keys) {
            shown.add(Untrusted.text(key));
        }
        return String.join(", ", shown);
    }
}
