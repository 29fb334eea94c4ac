package org.summoner.relay.bench.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** What the results were measured on, read from this JVM and {@code /proc}. */
final class Machine {
    private Machine() {
    }

    static List<String> describe() {
        final List<String> lines = new ArrayList<>();
        lines.add("cores: " + Runtime.getRuntime().availableProcessors() + firstMatch(Path.of("/proc/cpuinfo"), "model name", " (", ")"));
        lines.add("memory: " + memory());
        lines.add("kernel: " + System.getProperty("os.name") + " " + System.getProperty("os.version"));
        lines.add("JDK: " + System.getProperty("java.vm.vendor") + " " + System.getProperty("java.vm.name") + " "
                + System.getProperty("java.runtime.version"));
        return lines;
    }

    private static String memory() {
        final String total = firstMatch(Path.of("/proc/meminfo"), "MemTotal", "", "");
        if (!total.endsWith(" kB")) {
            return total;
        }
        return Math.round(Long.parseLong(total.substring(0, total.length() - 3).trim()) / 1024.0 / 1024.0) + " GiB";
    }

    private static String firstMatch(Path file, String key, String before, String after) {
        try {
            for (String line : Files.readAllLines(file)) {
                if (line.startsWith(key)) {
                    return before + line.substring(line.indexOf(':') + 1).trim() + after;
                }
            }
        } catch (IOException e) {
            return "";
        }
        return "";
    }
}
