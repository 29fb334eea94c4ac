package org.summoner.relay.tck;

import java.io.IOException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

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

    /**
     * @return whether {@code command} runs and exits 0 within 10 s (its output read and dropped): whether a tool a test
     *         needs ({@code openssl}, {@code python3}) is installed.
     */
    public static boolean works(String... command) {
        try {
            final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            process.getInputStream().readAllBytes();
            return process.waitFor(10, TimeUnit.SECONDS) && process.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
