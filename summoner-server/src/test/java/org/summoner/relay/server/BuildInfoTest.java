package org.summoner.relay.server;

import org.junit.jupiter.api.Test;

import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BuildInfoTest {
    private static Properties properties(String version, String commit, String dirty) {
        final Properties properties = new Properties();
        properties.setProperty("version", version);
        properties.setProperty("commit", commit);
        properties.setProperty("dirty", dirty);
        return properties;
    }

    @Test
    void the_version_line_names_the_version_and_the_commit() {
        assertEquals("summoner-server 1.2.3 (git commit 0123456789ab)", BuildInfo.of(properties("1.2.3", "0123456789ab", "false")).versionLine());
        assertEquals("summoner-server 1.2.3 (git commit 0123456789ab, with uncommitted changes)",
                BuildInfo.of(properties("1.2.3", "0123456789ab", "true")).versionLine());
    }

    @Test
    void what_the_build_could_not_know_reads_unknown_rather_than_failing() {
        assertEquals("summoner-server unknown (git commit unknown)", BuildInfo.of(new Properties()).versionLine());
        assertEquals("summoner-server unknown (git commit unknown)",
                BuildInfo.of(properties("${project.version}", "${git.commit.id.abbrev}", "${git.dirty}")).versionLine());
        assertEquals("summoner-server 1.2.3 (git commit unknown)", BuildInfo.of(properties("1.2.3", " ", "false")).versionLine());
    }

    @Test
    void the_build_wrote_this_builds_version_and_commit_into_the_class_path() {
        final BuildInfo current = BuildInfo.current();
        assertTrue(current.version().matches("\\d+\\.\\d+\\.\\d+.*"), current.versionLine());
        assertTrue(current.commit().matches("[0-9a-f]{12}|unknown"), current.versionLine());
    }
}
