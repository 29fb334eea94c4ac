package org.summoner.relay.resilience;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * The suite's measurements (clients held, memory before and after, counts), printed and appended to the file in
 * {@code resilience.report}, which {@code docs/RELIABILITY.md} quotes.
 */
final class Figures {
    private Figures() {
    }

    static void record(String scenario, String text) {
        final String line = Instant.now() + " " + scenario + ": " + text;
        System.out.println("[resilience] " + line);
        final String report = System.getProperty("resilience.report");
        if (report == null) {
            return;
        }
        try {
            Files.writeString(Path.of(report), line + System.lineSeparator(), StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            System.out.println("[resilience] cannot write " + report + ": " + e);
        }
    }

    static int intProperty(String name) {
        return Integer.parseInt(System.getProperty(name));
    }

    static String mib(long kib) {
        return kib < 0 ? "unknown" : String.format("%.1f MiB", kib / 1024.0);
    }
}
