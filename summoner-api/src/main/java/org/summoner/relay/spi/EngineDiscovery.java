package org.summoner.relay.spi;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * Finds the {@link RelayEngineProvider}s on a class path with {@link ServiceLoader}. A provider that fails to
 * load (missing class, failing constructor) is reported in {@link Result#failures()} and skipped; it does not
 * hide the others.
 */
public final class EngineDiscovery {
    /** Stops a broken services file from producing errors forever. */
    private static final int MAX_FAILURES = 64;

    private EngineDiscovery() {
    }

    /**
     * @param providers the providers that loaded, in class-path order.
     * @param failures  one message per provider that did not load.
     */
    public record Result(List<RelayEngineProvider> providers, List<String> failures) {
        public Result {
            providers = List.copyOf(providers);
            failures = List.copyOf(failures);
        }
    }

    public static Result discover(ClassLoader classLoader) {
        final Loaded<RelayEngineProvider> loaded = load(RelayEngineProvider.class, classLoader);
        return new Result(loaded.providers(), loaded.failures());
    }

    /** What {@link #load} found: the providers that loaded, and a message for each that did not. */
    public record Loaded<T>(List<T> providers, List<String> failures) {
    }

    /**
     * Runs {@link ServiceLoader} for {@code type} (engines, backplanes), keeping the providers that load and a message
     * for each that does not (at most {@code MAX_FAILURES}), so one broken jar names itself instead of hiding the rest.
     */
    public static <T> Loaded<T> load(Class<T> type, ClassLoader classLoader) {
        final List<T> providers = new ArrayList<>();
        final List<String> failures = new ArrayList<>();
        final Iterator<T> iterator = ServiceLoader.load(type, classLoader).iterator();
        while (failures.size() < MAX_FAILURES) {
            try {
                if (!iterator.hasNext()) {
                    break;
                }
                providers.add(iterator.next());
            } catch (ServiceConfigurationError e) {
                failures.add(describe(e));
            }
        }
        return new Loaded<>(List.copyOf(providers), List.copyOf(failures));
    }

    private static String describe(Throwable error) {
        final StringBuilder text = new StringBuilder(String.valueOf(error.getMessage()));
        for (Throwable cause = error.getCause(); cause != null; cause = cause.getCause()) {
            text.append(": ").append(cause);
        }
        return text.toString();
    }
}
