package org.summoner.relay.spi;

import org.summoner.relay.config.ConfigException;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * Chooses the engine a configuration's {@code "version"} asks for (SPEC section 6). A pure function of the
 * version and the providers present; no class loading, no I/O.
 *
 * <ol>
 *   <li>Absent (null) means {@value #DEFAULT_ALIAS}: the default engine.</li>
 *   <li>A provider whose {@link RelayEngineProvider#name() name} matches is chosen.</li>
 *   <li>Otherwise, among the providers that list the value as an {@link RelayEngineProvider#aliases() alias},
 *       the highest {@link RelayEngineProvider#rank() rank} is chosen; {@code rss_3} and {@code rust} thus
 *       pick the best high-performance engine present.</li>
 *   <li>Otherwise start-up fails, listing the engines present.</li>
 * </ol>
 * Matching ignores case and surrounding spaces. Two providers with one name, or a tie for the highest rank,
 * fail start-up naming both classes: the choice never depends on class-path order.
 */
public final class EngineResolver {
    /** The alias of the default engine, and what an absent {@code "version"} means. */
    public static final String DEFAULT_ALIAS = "python";
    /** The alias that asks for the best high-performance engine, as the seed's {@code "version": "rss_3"}. */
    public static final String HIGH_PERFORMANCE_ALIAS = "rss_3";

    private EngineResolver() {
    }

    /**
     * @param version      the config's {@code "version"}, or null when absent.
     * @param providers    the providers present.
     * @param loadFailures what {@link EngineDiscovery} could not load, quoted when nothing matches.
     * @return the provider to run.
     * @throws ConfigException       (key {@code version}) when no provider serves the version.
     * @throws IllegalStateException when two providers share a name, or tie for an alias.
     */
    public static RelayEngineProvider resolve(String version, List<RelayEngineProvider> providers, List<String> loadFailures) {
        final Map<String, RelayEngineProvider> byName = new HashMap<>();
        for (RelayEngineProvider provider : providers) {
            final RelayEngineProvider previous = byName.put(normalize(provider.name()), provider);
            if (previous != null) {
                throw new IllegalStateException("engine name '" + normalize(provider.name()) + "' is provided by two classes: "
                        + previous.getClass().getName() + " and " + provider.getClass().getName());
            }
        }

        final String wanted = version == null ? DEFAULT_ALIAS : normalize(version);
        final RelayEngineProvider named = byName.get(wanted);
        if (named != null) {
            return named;
        }

        final List<RelayEngineProvider> serving = new ArrayList<>();
        for (RelayEngineProvider provider : providers) {
            for (String alias : provider.aliases()) {
                if (normalize(alias).equals(wanted)) {
                    serving.add(provider);
                    break;
                }
            }
        }
        RelayEngineProvider best = null;
        for (RelayEngineProvider candidate : serving) {
            if (best == null || candidate.rank() > best.rank()) {
                best = candidate;
            } else if (candidate.rank() == best.rank()) {
                throw new IllegalStateException("engines '" + best.name() + "' (" + best.getClass().getName() + ") and '"
                        + candidate.name() + "' (" + candidate.getClass().getName() + ") both serve '" + wanted
                        + "' with rank " + best.rank() + "; name one of them in \"version\"");
            }
        }
        if (best != null) {
            return best;
        }

        final String available = "available: " + new TreeSet<>(byName.keySet())
                + (loadFailures.isEmpty() ? "" : "; failed to load: " + loadFailures);
        final String message = version == null
                ? "no default engine (config key \"version\" is absent, which asks for '" + DEFAULT_ALIAS + "'); " + available
                : "unknown engine '" + version + "' (config key \"version\"); " + available;
        throw new ConfigException(null, "version", message, null);
    }

    /**
     * @return whether the provider serves {@value #HIGH_PERFORMANCE_ALIAS}; such engines carry the seed's rocket
     *         in the start-up line ({@code 🚀 Netty server listening on ...}).
     */
    public static boolean isHighPerformance(RelayEngineProvider provider) {
        for (String alias : provider.aliases()) {
            if (normalize(alias).equals(HIGH_PERFORMANCE_ALIAS)) {
                return true;
            }
        }
        return false;
    }

    private static String normalize(String value) {
        return value.trim().toLowerCase(Locale.ROOT);
    }
}
