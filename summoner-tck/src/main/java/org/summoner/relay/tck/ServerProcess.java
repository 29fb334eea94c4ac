package org.summoner.relay.tck;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * The built {@code summoner-server.jar} running as a child process, with its output collected line by line and
 * its memory readable from {@code /proc} and {@code jstat}: for tests that must see the server from outside
 * (exit status, signals, resident memory, file-descriptor limits). The jar's path comes from the system property
 * {@code summoner.server.jar}.
 */
public final class ServerProcess implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("server listening on (.+):(\\d+)$");
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final Process process;
    private final BlockingQueue<String> stdout = new LinkedBlockingQueue<>();
    private final List<String> stdoutSeen = new ArrayList<>();
    private final BlockingQueue<String> stderr = new LinkedBlockingQueue<>();

    private ServerProcess(Process process) {
        this.process = process;
        pump(process.getInputStream(), stdout);
        pump(process.getErrorStream(), stderr);
    }

    /** Runs {@code java -jar summoner-server.jar args...} in {@code workingDirectory}. */
    public static ServerProcess start(Path workingDirectory, String... args) throws IOException {
        return start(workingDirectory, List.of(), List.of(), args);
    }

    /**
     * @param prefix  words before {@code java} (e.g. {@code prlimit --nofile=256:256 --}).
     * @param jvmArgs options for the server's JVM (e.g. {@code -Xmx512m}).
     */
    public static ServerProcess start(Path workingDirectory, List<String> prefix, List<String> jvmArgs, String... args) throws IOException {
        final String jar = System.getProperty("summoner.server.jar");
        if (jar == null) {
            fail("system property summoner.server.jar is not set; run these tests with 'mvn verify'");
        }
        final List<String> command = new ArrayList<>(prefix);
        command.add(javaTool("java"));
        command.addAll(jvmArgs);
        command.add("-jar");
        command.add(jar);
        command.addAll(List.of(args));
        return new ServerProcess(ChildProcesses.track(new ProcessBuilder(command).directory(workingDirectory.toFile()).start()));
    }

    /**
     * Runs any command that starts the server, e.g. the release archive's {@code bin/summoner-server} launcher
     * ({@link #processBuilder} says how).
     */
    public static ServerProcess command(Path workingDirectory, Map<String, String> environment, List<String> command) throws IOException {
        return new ServerProcess(ChildProcesses.track(processBuilder(workingDirectory, environment, command).start()));
    }

    /** @return {@code command} to run in {@code workingDirectory} with {@code environment} added to (a null value: removed from) this JVM's. */
    public static ProcessBuilder processBuilder(Path workingDirectory, Map<String, String> environment, List<String> command) {
        final ProcessBuilder builder = new ProcessBuilder(command).directory(workingDirectory.toFile());
        environment.forEach((name, value) -> {
            if (value == null) {
                builder.environment().remove(name);
            } else {
                builder.environment().put(name, value);
            }
        });
        return builder;
    }

    /** @return the path of a JDK tool ({@code java}, {@code jstat}) of the JDK running the tests. */
    public static String javaTool(String name) {
        return Path.of(System.getProperty("java.home"), "bin", name).toString();
    }

    public long pid() {
        return process.pid();
    }

    /** @return the server's resident memory in KiB ({@code VmRSS}), or -1 once it has exited. */
    public long residentKib() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException e) {
            return -1;
        }
        return -1;
    }

    /**
     * @return the server's old generation after a full collection ({@code jcmd GC.run}), in KiB: what is live,
     *         not garbage waiting for the next cycle; -1 if unknown.
     */
    public long liveOldGenerationKib() {
        try {
            final Process jcmd = new ProcessBuilder(javaTool("jcmd"), Long.toString(process.pid()), "GC.run")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            jcmd.waitFor(30, TimeUnit.SECONDS);
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
        return oldGenerationKib();
    }

    /** @return the server's old-generation heap in use, in KiB ({@code jstat -gc}'s OU), or -1 if unknown. */
    public long oldGenerationKib() {
        try {
            final Process jstat = new ProcessBuilder(javaTool("jstat"), "-gc", Long.toString(process.pid())).start();
            final List<String> lines = new String(jstat.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
            jstat.waitFor(10, TimeUnit.SECONDS);
            if (lines.size() < 2) {
                return -1;
            }
            final List<String> names = List.of(lines.get(0).trim().split("\\s+"));
            final String[] values = lines.get(1).trim().split("\\s+");
            return (long) Double.parseDouble(values[names.indexOf("OU")]);
        } catch (IOException | RuntimeException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** @return every line the server printed on standard output so far (consumed or not), for searching. */
    public List<String> outputSoFar() {
        final List<String> all = new ArrayList<>(stdoutSeen);
        all.addAll(stdout);
        return all;
    }

    private static void pump(InputStream stream, BlockingQueue<String> lines) {
        final Thread pump = new Thread(() -> {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                for (String line; (line = reader.readLine()) != null; ) {
                    lines.add(line);
                }
            } catch (IOException ignored) {
                // the process ended
            }
        }, "output-pump");
        pump.setDaemon(true);
        pump.start();
    }

    /** @return the next line the server printed on standard output. */
    public String nextLine() throws InterruptedException {
        final String line = stdout.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        if (line == null) {
            fail("the server printed nothing more within " + WAIT + "; so far: " + stdoutSeen + "; stderr: " + stderr);
        }
        stdoutSeen.add(line);
        return line;
    }

    /** @return the port of the "server listening on host:port" line, reading up to it. */
    public int awaitListeningPort() throws InterruptedException {
        while (true) {
            final Matcher matcher = LISTENING.matcher(nextLine());
            if (matcher.find()) {
                return Integer.parseInt(matcher.group(2));
            }
        }
    }

    /**
     * Reads standard output until {@code count} lines so far (read before or now) contain {@code fragment}, e.g. a
     * log line; fails after {@link #WAIT} without them.
     */
    public void awaitOutput(String fragment, int count) throws InterruptedException {
        final long deadline = System.nanoTime() + WAIT.toNanos();
        while (stdoutSeen.stream().filter(line -> line.contains(fragment)).count() < count) {
            final long left = deadline - System.nanoTime();
            final String line = left > 0 ? stdout.poll(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)), TimeUnit.MILLISECONDS) : null;
            if (line == null) {
                fail("the server did not print \"" + fragment + "\" " + count + " time(s) within " + WAIT + "; so far: " + stdoutSeen);
            }
            stdoutSeen.add(line);
        }
    }

    /** @return every line printed on standard error, once the process has ended. */
    public List<String> stderrLines() throws InterruptedException {
        awaitExit();
        Thread.sleep(100); // let the pump drain what the process wrote last
        return new ArrayList<>(stderr);
    }

    public int awaitExit() throws InterruptedException {
        if (!process.waitFor(WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
            fail("the server did not exit within " + WAIT);
        }
        return process.exitValue();
    }

    /**
     * Sends SIGTERM, as an operator or a service manager would. Through the process handle: {@code
     * Process.destroy()} would also close our ends of the pipes and lose what the server prints while stopping.
     */
    public void terminate() {
        process.toHandle().destroy();
    }

    /** Sends a signal by name ({@code USR2}, {@code HUP}) with {@code kill}, as an operator would. */
    public void signal(String name) throws IOException, InterruptedException {
        final Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            fail("kill -" + name + " " + process.pid() + " failed");
        }
    }

    /** @return every further line on standard output, once the process has ended. */
    public List<String> remainingLines() throws InterruptedException {
        awaitExit();
        Thread.sleep(100);
        final List<String> rest = new ArrayList<>();
        stdout.drainTo(rest);
        stdoutSeen.addAll(rest);
        return rest;
    }

    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
