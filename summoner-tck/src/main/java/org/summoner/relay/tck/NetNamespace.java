package org.summoner.relay.tck;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A network namespace a test makes for itself, joined to this one by a veth pair on a /30 of its own: the test's
 * server binds {@link #hostAddress()}, a client runs inside ({@link #start}) from {@link #peerAddress()}, and the test
 * can make that client vanish from the network without a FIN ({@link #vanish}). Needs root and iproute2's {@code ip};
 * {@link #usable()} says whether this machine has them. {@link #close()} deletes the namespace, which takes its veth
 * end, its processes' sockets and the pair with it.
 */
public final class NetNamespace implements AutoCloseable {
    private final String name;
    private final String hostLink;
    private final String peerLink;
    private final InetAddress host;
    private final InetAddress peer;
    private final List<Process> processes = new ArrayList<>();

    /** @param subnet which /30 of 10.254.0.0/16: the host side is its first address, the peer its second. */
    private NetNamespace(String suffix, int subnet) throws IOException {
        this.name = "summoner-" + suffix;
        this.hostLink = "smh" + suffix;
        this.peerLink = "smp" + suffix;
        final int third = subnet >> 6;
        final int fourth = (subnet & 63) << 2;
        this.host = InetAddress.getByName("10.254." + third + "." + (fourth + 1));
        this.peer = InetAddress.getByName("10.254." + third + "." + (fourth + 2));
    }

    /** @return whether namespaces can be made here: root, and {@code ip netns} works. */
    public static boolean usable() {
        try {
            if (!run(List.of("id", "-u")).strip().equals("0")) {
                return false;
            }
            run(List.of("ip", "netns", "list"));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Makes a namespace with its veth pair up and addressed. */
    public static NetNamespace create() throws IOException {
        final ThreadLocalRandom random = ThreadLocalRandom.current();
        final String suffix = Long.toString(ProcessHandle.current().pid() % 10_000) + random.nextInt(100, 1_000);
        final NetNamespace ns = new NetNamespace(suffix, random.nextInt(0, 1 << 14)); // one of the 16,384 /30s of 10.254.0.0/16
        try {
            run(List.of("ip", "netns", "add", ns.name));
            run(List.of("ip", "link", "add", ns.hostLink, "type", "veth", "peer", "name", ns.peerLink));
            run(List.of("ip", "link", "set", ns.peerLink, "netns", ns.name));
            run(List.of("ip", "addr", "add", ns.host.getHostAddress() + "/30", "dev", ns.hostLink));
            run(List.of("ip", "link", "set", ns.hostLink, "up"));
            ns.inside("ip", "addr", "add", ns.peer.getHostAddress() + "/30", "dev", ns.peerLink);
            ns.inside("ip", "link", "set", ns.peerLink, "up");
            ns.inside("ip", "link", "set", "lo", "up");
        } catch (IOException | RuntimeException e) {
            ns.close();
            throw e;
        }
        return ns;
    }

    /** @return this side's address: a server the test starts binds it. */
    public InetAddress hostAddress() {
        return host;
    }

    /** @return the address of whatever runs inside. */
    public InetAddress peerAddress() {
        return peer;
    }

    /** Starts {@code command} inside the namespace; it is destroyed when the namespace is closed, or the JVM exits. */
    public Process start(String... command) throws IOException {
        final List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", name));
        full.addAll(List.of(command));
        final Process process = ChildProcesses.track(new ProcessBuilder(full).redirectErrorStream(true).start());
        processes.add(process);
        return process;
    }

    /**
     * The peer vanishes from the network as a machine that lost power does: its address is taken away, so what this
     * side sends it (data, keepalive probes) is dropped without an answer, no FIN and no reset. Its process lives on.
     */
    public void vanish() throws IOException {
        inside("ip", "addr", "del", peer.getHostAddress() + "/30", "dev", peerLink);
    }

    private void inside(String... command) throws IOException {
        final List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", name));
        full.addAll(List.of(command));
        run(full);
    }

    /** @return the command's output; throws naming the command when it fails. */
    private static String run(List<String> command) throws IOException {
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException(String.join(" ", command) + ": still running after 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(String.join(" ", command) + ": interrupted", e);
        }
        if (process.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " exited " + process.exitValue() + ": " + output.strip());
        }
        return output;
    }

    @Override
    public void close() {
        processes.forEach(Process::destroyForcibly);
        try {
            run(List.of("ip", "netns", "del", name));
        } catch (IOException ignored) {
            // never made, or gone
        }
        try {
            run(List.of("ip", "link", "del", hostLink));
        } catch (IOException ignored) {
            // gone with the namespace
        }
    }
}
