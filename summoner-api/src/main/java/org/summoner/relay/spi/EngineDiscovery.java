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
        final List<RelayEngineProvider> providers = new ArrayList<>();
        final List<String> failures = new ArrayList<>();
        final Iterator<RelayEngineProvider> iterator = ServiceLoader.load(RelayEngineProvider.class, classLoader).iterator();
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
        return new Result(providers, failures);
    }

    private static String describe(Throwable error) {
        final StringBuilder text = new StringBuilder(String.valueOf(error.getMessage()));
        for (Throwable cause = error.getCause(); cause != null; cause = cause.getCause()) {
            text.append(": ").append(cause);
        }
        return text.toString();
    }
}
