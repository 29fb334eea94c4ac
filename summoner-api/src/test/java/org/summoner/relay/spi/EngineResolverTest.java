package org.summoner.relay.spi;

import org.junit.jupiter.api.Test;
import org.summoner.relay.config.ConfigException;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EngineResolverTest {

    private static class Provider implements RelayEngineProvider {
        private final String name;
        private final Set<String> aliases;
        private final int rank;

        Provider(String name, int rank, String... aliases) {
            this.name = name;
            this.rank = rank;
            this.aliases = Set.of(aliases);
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public Set<String> aliases() {
            return aliases;
        }

        @Override
        public int rank() {
            return rank;
        }

        @Override
        public String displayName() {
            return name.toUpperCase();
        }

        @Override
        public String description() {
            return name;
        }

        @Override
        public RelayEngine create(EngineContext context) {
            throw new UnsupportedOperationException();
        }
    }

    /** A second class, so a clash between two classes can be named. */
    private static final class OtherProvider extends Provider {
        OtherProvider(String name, int rank, String... aliases) {
            super(name, rank, aliases);
        }
    }

    private final Provider nio = new Provider("nio", 0, "python");
    private final Provider netty = new Provider("netty", 20, "rss_3");
    private final Provider agrona = new Provider("agrona", 10, "rss_3");
    private final List<RelayEngineProvider> all = List.of(agrona, nio, netty);

    private RelayEngineProvider resolve(String version) {
        return EngineResolver.resolve(version, all, List.of());
    }

    @Test
    void an_absent_version_means_the_default_engine() {
        assertSame(nio, resolve(null));
    }

    @Test
    void python_means_the_default_engine() {
        assertSame(nio, resolve("python"));
    }

    @Test
    void an_engine_is_chosen_by_its_own_name() {
        assertSame(nio, resolve("nio"));
        assertSame(agrona, resolve("agrona"));
    }

    @Test
    void rss_3_and_upstreams_rust_values_choose_the_highest_ranked_high_performance_engine() {
        for (String version : List.of("rss_3", "rust", "rust_v1.1.0", "rust_v1.0.0", " Rust_V1.1.0 ")) {
            assertSame(netty, resolve(version), version);
            assertSame(agrona, EngineResolver.resolve(version, List.of(nio, agrona), List.of()), version);
        }
    }

    @Test
    void a_rust_version_upstream_does_not_have_fails_naming_the_ones_it_has() {
        final ConfigException e = assertThrows(ConfigException.class, () -> resolve("rust_v2.0.0"));
        assertEquals("unknown Rust server version 'rust_v2.0.0' (config key \"version\"); Summoner's are rust, rust_v1.1.0, "
                + "rust_v1.0.0, each served here by the best high-performance engine, as 'rss_3' is; available: [agrona, netty, nio]",
                e.getMessage());
        assertEquals("version", e.key());
    }

    @Test
    void matching_ignores_case_and_surrounding_spaces() {
        assertSame(netty, resolve(" Netty "));
        assertSame(netty, resolve("RSS_3"));
    }

    @Test
    void a_control_character_is_not_white_space_and_names_no_engine() {
        final ConfigException e = assertThrows(ConfigException.class, () -> resolve("netty\u0000"));
        assertEquals("version", e.key());
        assertThrows(ConfigException.class, () -> resolve("rust_v1.1.0\u0000"));
    }

    @Test
    void a_name_wins_over_an_alias() {
        final Provider namedRust = new Provider("rust", 0);
        assertSame(namedRust, EngineResolver.resolve("rust", List.of(netty, namedRust), List.of()));
    }

    @Test
    void an_unknown_engine_fails_listing_the_engines_present() {
        final ConfigException e = assertThrows(ConfigException.class, () -> resolve("netyy"));
        assertEquals("unknown engine 'netyy' (config key \"version\"); available: [agrona, netty, nio]", e.getMessage());
        assertEquals("version", e.key());
    }

    @Test
    void rss_3_without_a_high_performance_engine_fails_listing_the_engines_present() {
        final ConfigException e = assertThrows(ConfigException.class, () -> EngineResolver.resolve("rss_3", List.of(nio), List.of()));
        assertEquals("unknown engine 'rss_3' (config key \"version\"); available: [nio]", e.getMessage());
    }

    @Test
    void an_absent_version_without_a_default_engine_fails_listing_the_engines_present() {
        final ConfigException e = assertThrows(ConfigException.class, () -> EngineResolver.resolve(null, List.of(netty), List.of()));
        assertEquals("no default engine (config key \"version\" is absent, which asks for 'python'); available: [netty]", e.getMessage());
    }

    @Test
    void providers_that_failed_to_load_are_quoted_when_nothing_matches() {
        final ConfigException e = assertThrows(ConfigException.class,
                () -> EngineResolver.resolve("fast", List.of(nio), List.of("Provider x.Fast could not be instantiated")));
        assertEquals("unknown engine 'fast' (config key \"version\"); available: [nio]; failed to load: [Provider x.Fast could not be instantiated]",
                e.getMessage());
    }

    @Test
    void two_providers_with_one_name_fail_naming_both_classes() {
        final IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> EngineResolver.resolve("nio", List.of(nio, new OtherProvider("NIO", 0)), List.of()));
        assertEquals("engine name 'nio' is provided by two classes: " + Provider.class.getName() + " and " + OtherProvider.class.getName(),
                e.getMessage());
    }

    @Test
    void a_tie_for_an_alias_fails_naming_both_classes() {
        final Provider fast = new OtherProvider("fast", 20, "rss_3");
        final IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> EngineResolver.resolve("rss_3", List.of(netty, fast), List.of()));
        assertEquals("engines 'netty' (" + Provider.class.getName() + ") and 'fast' (" + OtherProvider.class.getName()
                + ") both serve 'rss_3' with rank 20; name one of them in \"version\"", e.getMessage());
    }

    @Test
    void engines_serving_rss_3_are_high_performance() {
        assertTrue(EngineResolver.isHighPerformance(netty));
        assertFalse(EngineResolver.isHighPerformance(nio));
    }
}
