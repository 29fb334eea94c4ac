package org.summoner.relay.cluster;

/**
 * Two backplanes that both answer to {@code "twin"}, registered in the test resources' {@code META-INF/services}: a
 * class path holding two jars of one name must stop start-up naming both, never pick one by class-path order.
 */
public final class TwinBackplaneProviders {
    private TwinBackplaneProviders() {
    }

    /** One of the two; it is never asked to create a backplane. */
    public static final class First implements BackplaneProvider {
        @Override
        public String name() {
            return "twin";
        }

        @Override
        public Backplane create(BackplaneContext context) {
            throw new AssertionError("a backplane of an ambiguous name was made");
        }
    }

    /** The other one. */
    public static final class Second implements BackplaneProvider {
        @Override
        public String name() {
            return "twin";
        }

        @Override
        public Backplane create(BackplaneContext context) {
            throw new AssertionError("a backplane of an ambiguous name was made");
        }
    }
}
