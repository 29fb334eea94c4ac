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
 *   <li>The values upstream Summoner reads as its Rust server ({@link #UPSTREAM_RUST_VERSIONS}: {@code rust}, the
 *       newest, and the pinned {@code rust_v1.1.0} and {@code rust_v1.0.0}) mean {@value #HIGH_PERFORMANCE_ALIAS}; any
 *       other value starting with {@code rust} fails, as upstream fails for a Rust server it does not have.</li>
 *   <li>Otherwise, among the providers that list the value as an {@link RelayEngineProvider#aliases() alias},
 *       the highest {@link RelayEngineProvider#rank() rank} is chosen; {@code rss_3} thus picks the best
 *       high-performance engine present.</li>
 *   <li>Otherwise start-up fails, listing the engines present. (Upstream runs its Python server for any value it
 *       does not know; here a misspelt engine name must not quietly run another engine.)</li>
 * </ol>
 * Matching ignores case and surrounding white space (not control characters, which name no engine). Two providers
 * with one name, or a tie for the highest rank,
 * fail start-up naming both classes: the choice never depends on class-path order.
 */
public final class EngineResolver {
    /** The alias of the default engine, and what an absent {@code "version"} means. */
    public static final String DEFAULT_ALIAS = "python";
    /** The alias that asks for the best high-performance engine, as the seed's {@code "version": "rss_3"}. */
    public static final String HIGH_PERFORMANCE_ALIAS = "rss_3";
    /**
     * The {@code "version"} values upstream Summoner (summoner-core {@code server.py}) reads as one of its Rust
     * servers, newest first; each is served here by the best high-performance engine.
     */
    public static final List<String> UPSTREAM_RUST_VERSIONS = List.of("rust", "rust_v1.1.0", "rust_v1.0.0");
    private static final String RUST_PREFIX = "rust";

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

        final String asked = version == null ? DEFAULT_ALIAS : normalize(version);
        final RelayEngineProvider named = byName.get(asked);
        if (named != null) {
            return named;
        }
        final String available = "available: " + new TreeSet<>(byName.keySet())
                + (loadFailures.isEmpty() ? "" : "; failed to load: " + loadFailures);
        final String wanted;
        if (UPSTREAM_RUST_VERSIONS.contains(asked)) {
            wanted = HIGH_PERFORMANCE_ALIAS;
        } else if (asked.startsWith(RUST_PREFIX)) {
            throw new ConfigException(null, "version", "unknown Rust server version '" + version
                    + "' (config key \"version\"); Summoner's are " + String.join(", ", UPSTREAM_RUST_VERSIONS)
                    + ", each served here by the best high-performance engine, as '" + HIGH_PERFORMANCE_ALIAS + "' is; "
                    + available, null);
        } else {
            wanted = asked;
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
        return value.strip().toLowerCase(Locale.ROOT); // Unicode white space only: a control character is no white space
    }
}
