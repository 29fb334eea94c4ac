package org.summoner.relay.tck;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * A NATS cluster of {@code n} Debian {@code nats-server} processes on 127.0.0.1, routed to each other, started and
 * stopped by PID: for the tests of the NATS backplane and of relay nodes as processes. The binary is found on the PATH or in /usr/sbin ({@code .ci/run} installs it).
 */
public final class NatsServers implements AutoCloseable {
    private final List<Process> processes = new ArrayList<>();
    private final int[] clientPorts;
    private final Path logs;

    private final List<ProcessBuilder> commands = new ArrayList<>();

    public NatsServers(int n) throws IOException, InterruptedException {
        this(n, true);
    }

    /** @param start false to start none yet: {@link #start(int)} starts one later. */
    public NatsServers(int n, boolean start) throws IOException, InterruptedException {
        this(n, start, new String[0]);
    }

    /**
     * @param start     false to start none yet: {@link #start(int)} starts one later.
     * @param extraArgs more arguments for every {@code nats-server}, e.g. {@code --user u --pass p} or {@code --auth t}.
     */
    public NatsServers(int n, boolean start, String... extraArgs) throws IOException, InterruptedException {
        clientPorts = new int[n];
        final int[] routePorts = new int[n];
        for (int i = 0; i < n; i++) {
            clientPorts[i] = FreePorts.tcp();
            routePorts[i] = FreePorts.tcp();
        }
        logs = Files.createTempDirectory("nats-cluster");
        for (int i = 0; i < n; i++) {
            final StringBuilder routes = new StringBuilder();
            for (int j = 0; j < n; j++) {
                if (j != i) {
                    routes.append(routes.length() == 0 ? "" : ",").append("nats://127.0.0.1:").append(routePorts[j]);
                }
            }
            final List<String> command = new ArrayList<>(List.of(binary(), "-a", "127.0.0.1", "-p", Integer.toString(clientPorts[i]),
                    "-n", "n" + i, "--cluster_name", "summoner-test", "--cluster", "nats://127.0.0.1:" + routePorts[i],
                    "--routes", routes.toString(), "--no_advertise"));
            command.addAll(List.of(extraArgs));
            final ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectErrorStream(true).redirectOutput(logs.resolve("n" + i + ".log").toFile());
            commands.add(builder);
            processes.add(null);
        }
        if (start) {
            try {
                for (int i = 0; i < n; i++) {
                    start(i);
                }
            } catch (IOException | InterruptedException | RuntimeException e) {
                close(); // the ones already started
                throw e;
            }
        }
    }

    /** Starts server {@code i} and waits until it listens. */
    public void start(int i) throws IOException, InterruptedException {
        processes.set(i, ChildProcesses.track(commands.get(i).start()));
        awaitListening(clientPorts[i]);
    }

    /** @return how many servers the cluster has, started or not. */
    public int size() {
        return clientPorts.length;
    }

    public static String binary() {
        for (String candidate : new String[]{"/usr/sbin/nats-server", "/usr/bin/nats-server", "/usr/local/bin/nats-server"}) {
            if (Files.isExecutable(Path.of(candidate))) {
                return candidate;
            }
        }
        return "nats-server";
    }

    /** @return {@code nats://127.0.0.1:<port>} of server {@code i}. */
    public String url(int i) {
        return "nats://127.0.0.1:" + clientPorts[i];
    }

    /** Stops server {@code i} (SIGKILL: a NATS server that dies, not one that says goodbye). */
    public void kill(int i) throws InterruptedException {
        final Process process = processes.get(i);
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    private static void awaitListening(int port) throws InterruptedException, IOException {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return;
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw new IOException("nats-server did not listen on " + port + " within 10 s", e);
                }
                Thread.sleep(20);
            }
        }
    }


    @Override
    public void close() {
        processes.removeIf(Objects::isNull); // never started
        for (Process process : processes) {
            process.destroy();
        }
        for (Process process : processes) {
            try {
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
