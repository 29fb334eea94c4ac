package org.summoner.relay.server;

import org.summoner.relay.tck.ServerProcess;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;

/** A short command the end-to-end tests run ({@code tar}, the launcher's {@code --version}, {@code podman}): what it printed and its exit status. */
record Command(List<String> command, int status, String stdout, String stderr) {
    private static final Duration WAIT = Duration.ofSeconds(120);

    static Command run(String... command) throws Exception {
        return run(Path.of("").toAbsolutePath(), Map.of(), List.of(command));
    }

    /** Runs a command that ends by itself, with {@code environment} added to (a null value: removed from) this JVM's; fails after {@link #WAIT}. */
    static Command run(Path directory, Map<String, String> environment, List<String> command) throws Exception {
        final ProcessBuilder builder = ServerProcess.processBuilder(directory, environment, command);
        final Path out = Files.createTempFile("command-out", ".txt");
        final Path err = Files.createTempFile("command-err", ".txt");
        try {
            final Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly();
                fail(command + " did not end within " + WAIT);
            }
            return new Command(command, process.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** Whether the command could run at all and exited 0. */
    static boolean works(String... command) {
        try {
            return run(command).status == 0;
        } catch (Exception notThere) {
            return false;
        }
    }
}
