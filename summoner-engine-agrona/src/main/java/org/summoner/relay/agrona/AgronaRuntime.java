package org.summoner.relay.agrona;

/**
 * Agrona 2 reads and writes memory through {@code jdk.internal.misc.Unsafe}, which the JVM exports only when told
 * to. This checks it once, before anything of Agrona is touched, so a missing option is one clear start-up error
 * instead of a {@code NoClassDefFoundError} on some thread.
 */
final class AgronaRuntime {
    static final String JVM_OPTION = "--add-exports java.base/jdk.internal.misc=ALL-UNNAMED";

    private AgronaRuntime() {
    }

    /** @throws IllegalStateException naming the JVM option when Agrona cannot run in this JVM. */
    static void check() {
        final Module javaBase = Object.class.getModule();
        if (!javaBase.isExported("jdk.internal.misc", AgronaRuntime.class.getModule())) {
            throw new IllegalStateException("the agrona engine needs the JVM option " + JVM_OPTION
                    + " (java -jar summoner-server.jar sets it from its manifest; an application that embeds the"
                    + " server adds it to its own command line)");
        }
    }
}
