package org.summoner.relay.tck;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Child processes a test started (servers, load generators), destroyed when the test JVM exits if they are still
 * running: a test that times out or fails before its clean-up must not leave a process behind. Thread-safe.
 */
public final class ChildProcesses {
    private static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(Process::destroyForcibly), "child-process-reaper"));
    }

    private ChildProcesses() {
    }

    /** @return the process, now destroyed at JVM exit unless it has ended by then. */
    public static Process track(Process process) {
        RUNNING.add(process);
        process.onExit().thenRun(() -> RUNNING.remove(process));
        return process;
    }
}
