package org.summoner.relay.resilience;

import org.summoner.relay.tck.ChildProcesses;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A small network of its own for one test: a namespace per machine ({@code sumf-<pid>-<tag>-<machine>}), each joined
 * by a veth pair to a bridge that lives in a further namespace ({@code sumf-<pid>-<tag>-br}), addresses
 * {@code 10.77.0.<machine + 1>/24}. Nothing is added to the namespace the test runs in: the veth pairs are made
 * there and moved out at once, so two runs at the same time (each its own bridge) can use the same addresses and
 * never collide. {@link #close()} deletes every namespace it made, which takes their links and sockets with them;
 * {@link #removeStale()} deletes those of a run whose JVM is gone (killed before its clean-up).
 * Not thread-safe: one test thread makes, faults and closes it.
 */
final class Netns implements AutoCloseable {
    private static final String PREFIX = "sumf-";

    private final String tag;
    private final String bridge;
    private final List<String> machines;
    private final List<String> made = new ArrayList<>();

    private Netns(List<String> machines) {
        this.tag = Long.toString(ProcessHandle.current().pid()) + "-" + Integer.toString(ThreadLocalRandom.current().nextInt(36 * 36 * 36 * 36), 36);
        this.bridge = PREFIX + tag + "-br";
        this.machines = List.copyOf(machines);
    }

    /**
     * @return null when namespaces, veth pairs and nftables can be used here, else what is missing (for a skip
     *         message): not root, no {@code ip netns}, no {@code nft}, or the kernel refused.
     */
    static String missing() {
        try {
            if (!run(List.of("id", "-u")).strip().equals("0")) {
                return "not root: network namespaces need root (CI runs as root)";
            }
        } catch (IOException e) {
            return "cannot run id -u: " + e.getMessage();
        }
        if (!onPath("nft")) {
            return "nft (nftables) is not installed: apt-get install nftables (.ci/run does)";
        }
        if (!onPath("tc")) {
            return "tc (iproute2) is not installed";
        }
        final String probe = PREFIX + ProcessHandle.current().pid() + "-probe";
        try {
            run(List.of("ip", "netns", "add", probe));
            run(List.of("ip", "netns", "exec", probe, "nft", "add", "table", "inet", "sumf"));
            return null;
        } catch (IOException e) {
            return "cannot make a network namespace with an nftables table: " + e.getMessage();
        } finally {
            quietly(List.of("ip", "netns", "del", probe));
        }
    }

    /** Makes the network: the bridge's namespace, then one namespace per machine, each up and addressed. */
    static Netns create(List<String> machines) throws IOException {
        final Netns net = new Netns(machines);
        try {
            net.add(net.bridge);
            net.inBridge("ip", "link", "add", "br0", "type", "bridge");
            net.inBridge("ip", "link", "set", "br0", "up");
            for (int i = 0; i < machines.size(); i++) {
                final String ns = net.namespace(i);
                net.add(ns);
                final String inside = net.link(i);
                final String outside = inside + "p";
                run(List.of("ip", "link", "add", inside, "type", "veth", "peer", "name", outside));
                try {
                    run(List.of("ip", "link", "set", inside, "netns", ns));
                    run(List.of("ip", "link", "set", outside, "netns", net.bridge));
                } catch (IOException e) {
                    quietly(List.of("ip", "link", "del", inside)); // still in this namespace: take it away
                    throw e;
                }
                net.inBridge("ip", "link", "set", outside, "master", "br0");
                net.inBridge("ip", "link", "set", outside, "up");
                net.run(i, "ip", "link", "set", "lo", "up");
                net.run(i, "ip", "addr", "add", net.address(i) + "/24", "dev", inside);
                net.run(i, "ip", "link", "set", inside, "up");
            }
        } catch (IOException | RuntimeException e) {
            net.close();
            throw e;
        }
        return net;
    }

    /**
     * Deletes the {@code sumf-} namespaces of runs whose JVM no longer runs (their pid is in the name), never one of
     * a run still going.
     */
    static List<String> removeStale() throws IOException {
        final List<String> removed = new ArrayList<>();
        for (String line : run(List.of("ip", "netns", "list")).lines().toList()) {
            final String name = line.split(" ")[0];
            if (!name.startsWith(PREFIX)) {
                continue;
            }
            final String[] parts = name.substring(PREFIX.length()).split("-");
            final long pid;
            try {
                pid = Long.parseLong(parts[0]);
            } catch (NumberFormatException e) {
                continue; // not one of ours
            }
            if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                continue;
            }
            for (long inside : pids(name)) {
                ProcessHandle.of(inside).ifPresent(ProcessHandle::destroyForcibly);
            }
            quietly(List.of("ip", "netns", "del", name));
            removed.add(name);
        }
        return removed;
    }

    /** @return the address of machine {@code i}, e.g. {@code 10.77.0.1}. */
    String address(int i) {
        return "10.77.0." + (i + 1);
    }

    int size() {
        return machines.size();
    }

    String machine(int i) {
        return machines.get(i);
    }

    String namespace(int i) {
        return PREFIX + tag + "-" + machines.get(i);
    }

    /** @return the name of machine {@code i}'s end of its veth pair (at most 15 characters, as Linux allows). */
    String link(int i) {
        return "sf" + tag.substring(tag.indexOf('-') + 1) + "x" + i;
    }

    /** @return the bridge's end of machine {@code i}'s veth pair. */
    String bridgeLink(int i) {
        return link(i) + "p";
    }

    /** @return the words that run a command in machine {@code i}'s namespace. */
    List<String> exec(int i) {
        return List.of("ip", "netns", "exec", namespace(i));
    }

    /** Runs a command in machine {@code i}'s namespace and waits for it; throws with its output when it fails. */
    String run(int i, String... command) throws IOException {
        final List<String> full = new ArrayList<>(exec(i));
        full.addAll(List.of(command));
        return run(full);
    }

    /** Runs a command in the bridge's namespace. */
    String inBridge(String... command) throws IOException {
        final List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", bridge));
        full.addAll(List.of(command));
        return run(full);
    }

    private void add(String ns) throws IOException {
        run(List.of("ip", "netns", "add", ns));
        made.add(ns);
    }

    /** @return the pids of the processes in namespace {@code ns}. */
    private static List<Long> pids(String ns) {
        try {
            return run(List.of("ip", "netns", "pids", ns)).lines().map(String::strip).filter(s -> !s.isEmpty()).map(Long::parseLong).toList();
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }

    static String run(List<String> command) throws IOException {
        final Process process = ChildProcesses.track(new ProcessBuilder(command).redirectErrorStream(true).start());
        try {
            // a command of ours prints little; read all of it, then wait (the pipe never fills)
            final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException(String.join(" ", command) + ": still running after 10 s");
            }
            if (process.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + " exited " + process.exitValue() + ": " + output.strip());
            }
            return output;
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException(String.join(" ", command) + ": interrupted", e);
        }
    }

    private static void quietly(List<String> command) {
        try {
            run(command);
        } catch (IOException ignored) {
            // gone already, or never made
        }
    }

    private static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return Files.isExecutable(Path.of("/usr/sbin", tool)) || Files.isExecutable(Path.of("/sbin", tool));
    }

    /** Kills whatever still runs in the namespaces (a process that would not exit), then deletes them. */
    @Override
    public void close() {
        for (String ns : made) {
            for (long pid : pids(ns)) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
        for (int i = made.size() - 1; i >= 0; i--) {
            quietly(List.of("ip", "netns", "del", made.get(i)));
        }
        made.clear();
    }
}
