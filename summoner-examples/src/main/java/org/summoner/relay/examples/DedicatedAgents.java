package org.summoner.relay.examples;

import org.summoner.relay.RunningServer;
import org.summoner.relay.SummonerServer;
import org.summoner.relay.identity.AuroraSigner;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Two Java agents with Aurora-compatible identities talking through a relay in dedicated mode
 * ({@code "routing": "dedicated"}): each makes its identity (an Ed25519 signing key, an X25519 encryption key, a
 * self-signed record), binds its connection with a {@code to: null} envelope, and alice sends bob a signed envelope
 * with a plaintext payload. A third agent, carol, bound too, gets nothing: the relay delivers a line only to the
 * connections bound to its receiver.
 *
 * <pre>java -cp summoner-examples/target/summoner-examples.jar org.summoner.relay.examples.DedicatedAgents [host port]</pre>
 *
 * Without arguments it starts its own relay in dedicated mode on a free port of 127.0.0.1; with them it talks to that
 * relay, which must run with {@code "hyper_parameters": {"routing": "dedicated"}}.
 */
public final class DedicatedAgents {
    private DedicatedAgents() {
    }

    public static void main(String[] args) throws Exception {
        run(args, System.out);
    }

    static void run(String[] args, PrintStream out) throws Exception {
        RunningServer ownRelay = null;
        final InetSocketAddress relay;
        if (args.length >= 2) {
            relay = new InetSocketAddress(args[0], Integer.parseInt(args[1]));
        } else {
            ownRelay = new SummonerServer("dedicated_demo").start("127.0.0.1", 0,
                    Map.of("hyper_parameters", Map.of("routing", "dedicated")));
            relay = ownRelay.address();
        }
        final AuroraSigner alice = AuroraSigner.generate(Map.of("name", "alice"));
        final AuroraSigner bob = AuroraSigner.generate(Map.of("name", "bob"));
        final AuroraSigner carol = AuroraSigner.generate(Map.of("name", "carol"));
        try (Socket aliceSocket = new Socket(relay.getHostString(), relay.getPort());
             Socket bobSocket = new Socket(relay.getHostString(), relay.getPort());
             Socket carolSocket = new Socket(relay.getHostString(), relay.getPort())) {
            for (Socket socket : new Socket[]{aliceSocket, bobSocket, carolSocket}) {
                socket.setSoTimeout(10_000);
            }
            // Binding: the first valid signed envelope on a connection binds it to the sender's fingerprint.
            send(aliceSocket, alice.seal(Map.of("hello", "relay"), null));
            send(bobSocket, bob.seal(Map.of("hello", "relay"), null));
            send(carolSocket, carol.seal(Map.of("hello", "relay"), null));
            out.println("alice is " + alice.fingerprint() + ", bob is " + bob.fingerprint() + ", carol is " + carol.fingerprint());
            Thread.sleep(300); // let the relay bind the three before the directed line

            // A directed envelope: to bob's record. Aurora's agents put AES-GCM ciphertext in the payload; this one is plain.
            send(aliceSocket, alice.seal(Map.of("text", "hello bob, from alice"), bob.publicId()));

            final String received = new BufferedReader(new InputStreamReader(bobSocket.getInputStream(), StandardCharsets.UTF_8)).readLine();
            out.println("bob received: " + received);
            carolSocket.setSoTimeout(500);
            try {
                final int b = carolSocket.getInputStream().read();
                out.println(b < 0 ? "carol's connection was closed" : "carol received something: unexpected");
            } catch (SocketTimeoutException expected) {
                out.println("carol received nothing, as the relay routes to bob's connections only");
            }
        } finally {
            if (ownRelay != null) {
                ownRelay.close();
            }
        }
    }

    private static void send(Socket socket, String line) throws IOException {
        socket.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
        socket.getOutputStream().flush();
    }
}
