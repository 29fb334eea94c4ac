package org.summoner.relay.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

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
        assertEquals("summoner-server 1.2.3 (git commit unknown)", BuildInfo.of(properties("1.2.3", " ", "false")).versionLine());
    }

    @Test
    void the_build_wrote_this_builds_version_and_commit_into_the_class_path() {
        final BuildInfo current = BuildInfo.current();
        assertTrue(current.version().matches("\\d+\\.\\d+\\.\\d+.*"), current.versionLine());
        assertTrue(current.commit().matches("[0-9a-f]{12}|unknown"), current.versionLine());
    }

    /** Runs the build's src/build/build-info.sh on {@code root}: what it wrote. */
    private static BuildInfo script(Path root, Path dir) throws Exception {
        final Path out = dir.resolve("out/build.properties");
        final Command run = Command.run(dir, Map.of(), List.of("sh", Path.of("src/build/build-info.sh").toAbsolutePath().toString(),
                root.toString(), "1.2.3", out.toString()));
        assertEquals(0, run.status(), run.toString());
        final Properties properties = new Properties();
        properties.load(new StringReader(Files.readString(out)));
        return BuildInfo.of(properties);
    }

    private static void git(Path dir, String... args) throws Exception {
        final List<String> command = new java.util.ArrayList<>(List.of("git", "-c", "user.name=t", "-c", "user.email=t@example.org"));
        command.addAll(List.of(args));
        final Command run = Command.run(dir, Map.of(), command);
        assertEquals(0, run.status(), run.toString());
    }

    @Test
    void the_build_script_names_the_commit_of_a_checkout_and_unknown_for_a_tree_without_git_even_inside_another_repository(@TempDir Path dir) throws Exception {
        assumeTrue(Command.works("git", "--version"), "git is not installed");
        final Path plain = Files.createDirectories(dir.resolve("source archive"));
        assertEquals("summoner-server 1.2.3 (git commit unknown)", script(plain, dir).versionLine());

        final Path repository = Files.createDirectories(dir.resolve("checkout"));
        git(repository, "init", "-q");
        Files.writeString(repository.resolve("file"), "one");
        git(repository, "add", "file");
        git(repository, "commit", "-q", "-m", "one");
        final String head = Command.run(repository, Map.of(), List.of("git", "rev-parse", "--short=12", "HEAD")).stdout().strip();
        assertEquals("summoner-server 1.2.3 (git commit " + head + ")", script(repository, dir).versionLine());
        Files.writeString(repository.resolve("file"), "two");
        assertEquals("summoner-server 1.2.3 (git commit " + head + ", with uncommitted changes)", script(repository, dir).versionLine());

        final Path unpackedInside = Files.createDirectories(repository.resolve("unpacked source"));
        assertEquals("summoner-server 1.2.3 (git commit unknown)", script(unpackedInside, dir).versionLine());
    }
}
