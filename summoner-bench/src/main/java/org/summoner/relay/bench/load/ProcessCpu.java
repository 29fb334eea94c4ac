package org.summoner.relay.bench.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The CPU time processes have used (user plus system, summed over them), read from Linux's {@code /proc/<pid>/stat},
 * so a run can report the server's CPU per delivery and not only its rate (the load generator is often the limit);
 * a relay cluster's server is all its nodes.
 */
final class ProcessCpu {
    /** USER_HZ: the unit of {@code /proc/<pid>/stat} times, 100 on every Linux architecture the JDK runs on. */
    private static final double TICKS_PER_SECOND = 100;

    private final List<Path> stats;

    ProcessCpu(List<Long> pids) {
        this.stats = pids.stream().map(pid -> Path.of("/proc", Long.toString(pid), "stat")).toList();
    }

    /** @return the CPU seconds used so far, or NaN when a process cannot be read. */
    double seconds() {
        double seconds = 0;
        for (Path stat : stats) {
            seconds += seconds(stat);
        }
        return seconds;
    }

    private static double seconds(Path stat) {
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
