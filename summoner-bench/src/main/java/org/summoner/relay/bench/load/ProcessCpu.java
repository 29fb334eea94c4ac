package org.summoner.relay.bench.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The CPU time a process has used (user plus system), read from Linux's {@code /proc/<pid>/stat}, so a run can
 * report the server's CPU per delivery and not only its rate (the load generator is often the limit).
 */
final class ProcessCpu {
    /** USER_HZ: the unit of {@code /proc/<pid>/stat} times, 100 on every Linux architecture the JDK runs on. */
    private static final double TICKS_PER_SECOND = 100;

    private final Path stat;

    ProcessCpu(long pid) {
        this.stat = Path.of("/proc", Long.toString(pid), "stat");
    }

    /** @return the CPU seconds used so far, or NaN when the process cannot be read. */
    double seconds() {
        try {
            final String text = Files.readString(stat);
            // Fields after the command name, which is in parentheses and may hold spaces: state is field 3,
            // utime field 14 and stime field 15.
            final String[] fields = text.substring(text.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / TICKS_PER_SECOND;
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }
}
