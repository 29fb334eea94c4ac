package org.summoner.relay.testengines;

import java.net.URL;
import java.net.URLClassLoader;

/** A class loader that adds a services file naming a provider that throws and one that does not exist. */
public final class BrokenProviders {
    private BrokenProviders() {
    }

    public static ClassLoader classLoader() {
        final ClassLoader parent = BrokenProviders.class.getClassLoader();
        final URL root = parent.getResource("broken-providers/");
        return new URLClassLoader(new URL[]{root}, parent);
    }
}
