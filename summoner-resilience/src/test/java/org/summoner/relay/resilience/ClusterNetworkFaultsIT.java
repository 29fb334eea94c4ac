package org.summoner.relay.resilience;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.summoner.relay.tck.ChildProcesses;
import org.summoner.relay.tck.NatsServers;
import org.summoner.relay.tck.ServerProcess;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Faults between machines, for real: three relay nodes, each a process of the server jar in a network namespace of
 * its own ({@link Netns}; on NATS a {@code nats-server} in a fourth), joined by veth pairs and a bridge; the clients of
 * each node a {@link ClientDriver} process in the node's namespace, sending numbered lines at a fixed rate. In the
 * middle of the run a fault ({@link Faults}) is put on the links and taken away, and {@link DeliveryChecker} reads
 * the whole history: each sender's order, no duplicate, no loss that no counter explains, relaying again within
 * {@link #BOUND_MILLIS} of the heal.
 *
 * <p>Scenarios are {@code backplane:fault}, from {@code -Dresilience.faults}, each {@code resilience.faults.seconds}
 * of sending with the fault from a fifth of the way for {@code resilience.faults.fault.seconds}: every build runs
 * {@code nats:partition} for 18 s with a 2 s partition (under the 3 s the NATS pings take to give up a link, so TCP
 * carries everything across it); {@code -Presilience} 40 s with 20 s faults, the matrix of {@code baseline}, {@code loss} (5% of the packets on every link,
 * both ways), {@code partition} (node b cut off both ways), {@code oneway} (what node b sends is dropped), {@code cap}
 * (node b's link capped at 256 kbit/s by htb), {@code delay} (netem: 50 ms and reordering; skipped where the kernel
 * has no netem) on both backplanes, {@code nats:nats-isolated} (the nats-server cut off from every node), and
 * {@code partition} and {@code loss} again with {@code :dedicated}: the nodes route by identity (SPEC section 8), each
 * client's lines are signed envelopes to the other clients in turn, and the checker adds that no line reaches a client
 * it was not addressed to (the default build runs {@code nats:partition:dedicated} too). Skipped
 * with the reason when namespaces or nftables cannot be used (not root, no {@code nft}).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ClusterNetworkFaultsIT {
    /** After the heal, every node relays every other node's lines again within this. */
    static final long BOUND_MILLIS = 10_000;
    private static final String[] NODES = {"a", "b", "c"};
    private static final int CLIENTS_PER_NODE = 2;
    private static final int LINES_PER_SECOND = 50;
    private static final int PAD_BYTES = 64;
    private static final long DRAIN_MILLIS = 3_000;

    @BeforeAll
    static void namespacesCanBeMade() throws IOException {
        final String missing = Netns.missing();
        assumeTrue(missing == null, () -> "cluster network faults skipped: " + missing);
        final List<String> stale = Netns.removeStale();
        if (!stale.isEmpty()) {
            System.out.println("[resilience] removed the namespaces of a run that is gone: " + stale);
        }
    }

    static Stream<String> scenarios() {
        return Arrays.stream(System.getProperty("resilience.faults", "nats:partition,nats:partition:dedicated").split(",")).map(String::strip).filter(s -> !s.isEmpty());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void every_line_is_delivered_once_in_order_or_counted_and_the_cluster_relays_again_after_the_heal(String scenario) throws Exception {
        final String[] parts = scenario.split(":");
        final String backplane = parts[0];
        final String fault = parts[1];
        final boolean dedicated = parts.length > 2 && parts[2].equals("dedicated");
        final long seconds = Long.parseLong(System.getProperty("resilience.faults.seconds", "18"));
        final long duration = seconds * 1000;
        final long faultAt = duration / 5;
        final long healAt = faultAt + (long) (Double.parseDouble(System.getProperty("resilience.faults.fault.seconds", "2")) * 1000);
        assumeTrue(duration - healAt >= BOUND_MILLIS + 2_000, "the run must last the bound and 2 s more after the heal");
        final boolean nats = backplane.equals("nats");
        final List<String> machines = new ArrayList<>(List.of(NODES));
        if (nats) {
            machines.add("nats");
        }
        final Path dir = Path.of(System.getProperty("resilience.faults.dir", "target/cluster-faults"), scenario.replace(':', '-'));
        deleteTree(dir);
        final Path out = Files.createDirectories(dir.resolve("out"));
        final String run = "f" + ProcessHandle.current().pid() % 100_000 + Integer.toString((int) (System.nanoTime() & 0xfff), 36);
        final List<ServerProcess> nodes = new ArrayList<>();
        final List<Process> others = new ArrayList<>();
        final Netns net = Netns.create(machines);
        try {
            final Faults faults = new Faults(net);
            if (fault.equals("delay")) {
                final String netem = faults.netemMissing();
                assumeTrue(netem == null, () -> scenario + " skipped: " + netem);
            }
            if (nats) {
                others.add(start(dir.resolve("nats-server.log"), net.exec(3), NatsServers.binary(), "-a", net.address(3), "-p", "4222"));
                awaitLog(dir.resolve("nats-server.log"), "Server is ready");
            }
            for (int i = 0; i < NODES.length; i++) {
                final Path config = dir.resolve("node-" + NODES[i] + ".json");
                Files.writeString(config, config(net, i, backplane, run, dedicated), StandardCharsets.UTF_8);
                nodes.add(ServerProcess.start(dir, net.exec(i), List.of("-Xmx256m", "-XX:+UseSerialGC"), "--config", config.toString()));
            }
            for (ServerProcess node : nodes) {
                node.awaitListeningPort();
            }
            for (int i = 0; i < NODES.length; i++) {
                for (int j = 0; j < NODES.length; j++) {
                    if (i != j) {
                        nodes.get(i).awaitOutput("cluster: node " + run + "-" + NODES[j] + " joined", 1);
                    }
                }
            }

            final long start = System.currentTimeMillis() + 5_000; // the drivers' JVMs start on a busy machine
            final List<Process> drivers = new ArrayList<>();
            final List<String> clientIds = new ArrayList<>();
            for (String node : NODES) {
                for (int k = 0; k < CLIENTS_PER_NODE; k++) {
                    clientIds.add(node + "c" + k);
                }
            }
            for (int i = 0; i < NODES.length; i++) {
                final List<String> command = new ArrayList<>(List.of(ServerProcess.javaTool("java"),
                        "-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), ClientDriver.class.getName(),
                        net.address(i), "8888", NODES[i], Integer.toString(CLIENTS_PER_NODE), Integer.toString(LINES_PER_SECOND),
                        Long.toString(start), Long.toString(duration), Long.toString(DRAIN_MILLIS), Integer.toString(PAD_BYTES),
                        "http://" + net.address(i) + ":9090/metrics", out.toString()));
                if (dedicated) {
                    command.addAll(List.of("dedicated", String.join(",", clientIds)));
                }
                drivers.add(start(dir.resolve("driver-" + NODES[i] + ".log"), net.exec(i), command.toArray(String[]::new)));
            }
            others.addAll(drivers);
            long healed = start;
            long injected = start;
            if (!fault.equals("baseline")) {
                sleepUntil(start + faultAt);
                inject(net, faults, fault, nats);
                injected = System.currentTimeMillis();
                sleepUntil(start + healAt);
                faults.heal();
                healed = System.currentTimeMillis();
                System.out.println("[resilience] " + scenario + ": fault from +" + (injected - start) + " ms to +" + (healed - start) + " ms");
            }
            for (int i = 0; i < drivers.size(); i++) {
                final Process driver = drivers.get(i);
                assertTrue(driver.waitFor(duration + DRAIN_MILLIS + 60_000, TimeUnit.MILLISECONDS), "driver of node " + NODES[i] + " did not exit");
                assertEquals(0, driver.exitValue(), () -> "driver failed: " + read(dir.resolve("driver-" + NODES[0] + ".log"))
                        + read(dir.resolve("driver-" + NODES[1] + ".log")) + read(dir.resolve("driver-" + NODES[2] + ".log")));
            }
            final DeliveryChecker.Verdict verdict = DeliveryChecker.check(out, List.of(NODES), injected, healed, start + duration, BOUND_MILLIS, 2_000,
                    !fault.equals("baseline"));
            Figures.record("cluster network faults " + scenario, verdict.describe());
            assertTrue(verdict.violations().isEmpty(), () -> scenario + ": " + verdict.violations().size() + " rules broken ("
                    + verdict.describe() + "):\n" + String.join("\n", verdict.violations().subList(0, Math.min(30, verdict.violations().size()))));
        } finally {
            for (int i = 0; i < nodes.size(); i++) {
                Files.write(dir.resolve("node-" + NODES[i] + ".log"), nodes.get(i).outputSoFar(), StandardCharsets.UTF_8);
            }
            others.forEach(Process::destroyForcibly);
            for (ServerProcess node : nodes) {
                node.terminate(); // SIGTERM: an embedded Aeron driver deletes its directory on the way out
            }
            for (ServerProcess node : nodes) {
                try {
                    node.awaitExit();
                } catch (AssertionError | InterruptedException e) {
                    node.close();
                }
            }
            net.close(); // after the nodes stopped by themselves: it kills whatever still runs in the namespaces
            for (String node : NODES) {
                deleteTree(Path.of("/dev/shm", "aeron-" + System.getProperty("user.name") + "-summoner-" + run + "-" + node));
            }
        }
    }

    private static void inject(Netns net, Faults faults, String fault, boolean nats) throws IOException {
        final List<Integer> everyone = IntStream.range(0, net.size()).boxed().toList();
        final List<Integer> othersThanB = everyone.stream().filter(i -> i != 1).toList();
        switch (fault) {
            case "loss" -> {
                for (int i : everyone) {
                    faults.loss(i, everyone.stream().filter(j -> j != i).toList(), 5);
                }
            }
            case "partition" -> faults.partition(1, othersThanB);
            case "oneway" -> faults.oneWay(1, othersThanB);
            case "cap" -> faults.cap(1, "256kbit");
            case "delay" -> {
                for (int i : everyone) {
                    faults.delayAndReorder(i, "50ms", 25);
                }
            }
            case "nats-isolated" -> {
                assumeTrue(nats, "nats-isolated is a NATS scenario");
                faults.partition(3, List.of(0, 1, 2));
            }
            default -> throw new IllegalArgumentException("unknown fault '" + fault + "'; known: baseline, loss, partition, oneway, cap, delay, nats-isolated");
        }
    }

    private static String config(Netns net, int i, String backplane, String run, boolean dedicated) {
        final String section;
        if (backplane.equals("nats")) {
            section = "\"nats\": {\"servers\": [\"nats://" + net.address(3) + ":4222\"], \"subject_prefix\": \"faults\"}";
        } else {
            final List<String> peers = new ArrayList<>();
            for (int j = 0; j < NODES.length; j++) {
                if (j != i) {
                    peers.add("\"" + net.address(j) + ":40001\"");
                }
            }
            section = "\"aeron\": {\"endpoint\": \"" + net.address(i) + ":40001\", \"peers\": [" + String.join(", ", peers) + "]}";
        }
        return "{\"host\": \"" + net.address(i) + "\", \"port\": 8888,\n"
                + " \"monitoring\": {\"host\": \"" + net.address(i) + "\", \"port\": 9090},\n"
                + " \"hyper_parameters\": {\"rate_limit_msgs_per_minute\": 1000000000, \"client_timeout_secs\": null"
                + (dedicated ? ", \"routing\": \"dedicated\"" : "") + "},\n"
                + " \"cluster\": {\"backplane\": \"" + backplane + "\", \"node\": \"" + run + "-" + NODES[i] + "\", " + section + "}}\n";
    }

    private static Process start(Path log, List<String> prefix, String... command) throws IOException {
        final List<String> full = new ArrayList<>(prefix);
        full.addAll(List.of(command));
        return ChildProcesses.track(new ProcessBuilder(full).redirectErrorStream(true).redirectOutput(log.toFile()).start());
    }

    private static void awaitLog(Path log, String fragment) throws IOException, InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!read(log).contains(fragment)) {
            assertTrue(System.nanoTime() < deadline, () -> log + " did not say \"" + fragment + "\" within 15 s: " + read(log));
            Thread.sleep(50);
        }
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "(cannot read " + file + ": " + e + ")";
        }
    }

    private static void sleepUntil(long epochMillis) throws InterruptedException {
        final long wait = epochMillis - System.currentTimeMillis();
        if (wait > 0) {
            Thread.sleep(wait);
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
