package org.summoner.relay.server;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.fail;

/** The built {@code summoner-server.jar} running as a child process, with its output collected line by line. */
final class ServerProcess implements AutoCloseable {
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

    static ServerProcess start(Path workingDirectory, String... args) throws IOException {
        final String jar = System.getProperty("summoner.server.jar");
        if (jar == null) {
            fail("system property summoner.server.jar is not set; run these tests with 'mvn verify'");
        }
        final List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", jar));
        command.addAll(List.of(args));
        return new ServerProcess(new ProcessBuilder(command).directory(workingDirectory.toFile()).start());
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
    String nextLine() throws InterruptedException {
        final String line = stdout.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        if (line == null) {
            fail("the server printed nothing more within " + WAIT + "; so far: " + stdoutSeen + "; stderr: " + stderr);
        }
        stdoutSeen.add(line);
        return line;
    }

    /** @return the port of the "server listening on host:port" line, reading up to it. */
    int awaitListeningPort() throws InterruptedException {
        while (true) {
            final Matcher matcher = LISTENING.matcher(nextLine());
            if (matcher.find()) {
                return Integer.parseInt(matcher.group(2));
            }
        }
    }

    /** @return every line printed on standard error, once the process has ended. */
    List<String> stderrLines() throws InterruptedException {
        awaitExit();
        Thread.sleep(100); // let the pump drain what the process wrote last
        return new ArrayList<>(stderr);
    }

    int awaitExit() throws InterruptedException {
        if (!process.waitFor(WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
            fail("the server did not exit within " + WAIT);
        }
        return process.exitValue();
    }

    /**
     * Sends SIGTERM, as an operator or a service manager would. Through the process handle: {@code
     * Process.destroy()} would also close our ends of the pipes and lose what the server prints while stopping.
     */
    void terminate() {
        process.toHandle().destroy();
    }

    /** @return every further line on standard output, once the process has ended. */
    List<String> remainingLines() throws InterruptedException {
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
    }
}
