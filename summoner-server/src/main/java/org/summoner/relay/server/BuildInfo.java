package org.summoner.relay.server;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * What this build is: the project version and the git commit it was built from, as the build wrote them into
 * {@code build.properties} ({@code src/build/build-info.sh}; a resource, so it reads the same from the shaded jar,
 * the container image's exploded class path and {@code target/classes}). What the build could not know reads
 * {@code unknown}: the commit of a source tree without {@code .git}, anything in a class path the build never ran on.
 */
record BuildInfo(String version, String commit, boolean dirty) {
    static final String UNKNOWN = "unknown";
    private static final String RESOURCE = "build.properties";

    /** @return this build's information, read from the class path. */
    static BuildInfo current() {
        final Properties properties = new Properties();
        try (InputStream in = BuildInfo.class.getResourceAsStream(RESOURCE)) {
            if (in != null) {
                properties.load(in);
            }
        } catch (IOException unreadable) {
            // every value stays unknown
        }
        return of(properties);
    }

    static BuildInfo of(Properties properties) {
        return new BuildInfo(known(properties.getProperty("version")), known(properties.getProperty("commit")),
                "true".equals(properties.getProperty("dirty")));
    }

    private static String known(String value) {
        return value == null || value.isBlank() ? UNKNOWN : value.trim();
    }

    /** @return e.g. {@code summoner-server 0.1.0 (git commit 0123abcd4567)}, with uncommitted changes named. */
    String versionLine() {
        return "summoner-server " + version + " (git commit " + commit + (dirty ? ", with uncommitted changes" : "") + ")";
    }
}
