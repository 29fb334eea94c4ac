package org.summoner.relay.server;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * No main source file of the project is over {@value #MAX_LINES} lines (issue 26): a class that grows past it is split
 * by what it does, not left to grow. Reads every {@code src/main/java} of the modules next to this one.
 */
class SourceSizeTest {
    static final int MAX_LINES = 400;

    @Test
    void no_main_source_file_is_over_400_lines() throws IOException {
        final Path root = Path.of("").toAbsolutePath().getParent(); // the module runs from summoner-server/
        final List<Path> sources;
        try (Stream<Path> files = Files.walk(root)) {
            sources = files.filter(f -> f.toString().endsWith(".java") && f.toString().contains("/src/main/java/")
                    && !f.toString().contains("/target/")).toList();
        }
        assertTrue(sources.size() > 100, "the project's main sources were found under " + root + ": " + sources.size());
        final StringBuilder over = new StringBuilder();
        for (Path source : sources) {
            final long lines;
            try (Stream<String> text = Files.lines(source)) {
                lines = text.count();
            }
            if (lines > MAX_LINES) {
                over.append(root.relativize(source)).append(": ").append(lines).append(" lines\n");
            }
        }
        assertEquals("", over.toString(), "main source files over " + MAX_LINES + " lines");
    }
}
