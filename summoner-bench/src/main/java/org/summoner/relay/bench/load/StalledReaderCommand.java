package org.summoner.relay.bench.load;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The isolation scenario of SPEC section 4, as a user meets it: one sender writes {@code --lines} lines as fast as
 * its socket takes them, one healthy client reads everything, one client never reads. Reports how many lines the
 * healthy client got and when, whether the stalled client was cut off, and then whether {@code --newcomers} new
 * clients from the same address are served (a quarantine of 127.0.0.1 refuses them all).
 */
@Command(name = "stalled", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"One sender, one healthy reader and one reader that never reads, against a Summoner server.",
                "Prints one JSON line: healthy lines and seconds, stalled cut off, newcomers served and refused."})
final class StalledReaderCommand implements Callable<Integer> {
    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Server host (default ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", defaultValue = "8888", description = "Server port (default ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--lines", defaultValue = "20000", description = "Lines the sender sends (default ${DEFAULT-VALUE}).")
    int lines;

    @Option(names = "--line-bytes", defaultValue = "1024", description = "Bytes per line, newline included (default ${DEFAULT-VALUE}).")
    int lineBytes;

    @Option(names = "--seconds", defaultValue = "12", description = "How long the healthy reader waits (default ${DEFAULT-VALUE}).")
    int seconds;

    @Option(names = "--window", defaultValue = "0",
            description = "Lines the sender may be ahead of the healthy reader; 0 = as fast as it can (default ${DEFAULT-VALUE}).")
    int window;

    @Option(names = "--newcomers", defaultValue = "1000", description = "New clients connected afterwards (default ${DEFAULT-VALUE}).")
    int newcomers;

    @Override
    public Integer call() throws Exception {
        final InetSocketAddress server = new InetSocketAddress(host, port);
        final Socket sender = connect(server, 0);
        try (Socket healthy = connect(server, 0); Socket stalled = connect(server, 4096)) {
            Thread.sleep(300); // registered before the first line
            final AtomicInteger got = new AtomicInteger();
            final AtomicLong lastNanos = new AtomicLong();
            final long start = System.nanoTime();
            final long deadline = start + TimeUnit.SECONDS.toNanos(seconds);
            final Thread reader = new Thread(() -> readUntil(healthy, got, lastNanos, deadline), "healthy-reader");
            reader.start();
            final Thread writer = new Thread(() -> send(sender, got), "sender");
            writer.setDaemon(true);
            writer.start();
            reader.join();
            sender.close(); // the sender stops here, whatever it has not sent yet
            final boolean cutOff = closedWithin(stalled, 3_000);
            final int[] served = newcomers(server);
            System.out.printf(Locale.ROOT, "{\"window\":%d,\"lines\":%d,\"healthy_got\":%d,\"healthy_seconds\":%.2f,\"stalled_cut_off\":%b,"
                            + "\"newcomers\":%d,\"newcomers_served\":%d,\"newcomers_refused\":%d}%n",
                    window, lines, got.get(), (lastNanos.get() - start) / 1e9, cutOff, newcomers, served[0], served[1]);
            return 0;
        } finally {
            sender.close();
        }
    }

    private static Socket connect(InetSocketAddress server, int receiveBuffer) throws IOException {
        final Socket socket = new Socket();
        if (receiveBuffer > 0) {
            socket.setReceiveBufferSize(receiveBuffer);
        }
        socket.setTcpNoDelay(true);
        socket.connect(server, 10_000);
        return socket;
    }

    private void send(Socket sender, AtomicInteger healthyGot) {
        final byte[] padding = "p".repeat(Math.max(0, lineBytes - 8)).getBytes(StandardCharsets.US_ASCII);
        try {
            final OutputStream out = new BufferedOutputStream(sender.getOutputStream(), 64 * 1024);
            for (int seq = 0; seq < lines; seq++) {
                if (window > 0 && seq - healthyGot.get() >= window) {
                    out.flush();
                    while (seq - healthyGot.get() >= window && !sender.isClosed()) {
                        LockSupport.parkNanos(50_000);
                    }
                }
                out.write(String.format(Locale.ROOT, "%06d ", seq).getBytes(StandardCharsets.US_ASCII));
                out.write(padding);
                out.write('\n');
            }
            out.flush();
        } catch (IOException e) {
            // the run ends on the reader's deadline either way
        }
    }

    /** Counts the envelopes that reach {@code socket} until all have come or the deadline passes. */
    private void readUntil(Socket socket, AtomicInteger got, AtomicLong lastNanos, long deadline) {
        final byte[] buffer = new byte[64 * 1024];
        try {
            final InputStream in = socket.getInputStream();
            while (got.get() < lines) {
                final long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                socket.setSoTimeout((int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                final int n;
                try {
                    n = in.read(buffer);
                } catch (SocketTimeoutException e) {
                    return;
                }
                if (n < 0) {
                    return;
                }
                int lineEnds = 0;
                for (int i = 0; i < n; i++) {
                    if (buffer[i] == '\n') {
                        lineEnds++;
                    }
                }
                if (lineEnds > 0) {
                    got.addAndGet(lineEnds);
                    lastNanos.set(System.nanoTime());
                }
            }
        } catch (IOException e) {
            // closed: what was counted stands
        }
    }

    /** @return whether the server closed the socket (end of stream or reset) within the time, reading what waits. */
    private static boolean closedWithin(Socket socket, int millis) {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        final byte[] sink = new byte[64 * 1024];
        try {
            final InputStream in = socket.getInputStream();
            while (System.nanoTime() < deadline) {
                socket.setSoTimeout(200);
                try {
                    if (in.read(sink) < 0) {
                        return true;
                    }
                } catch (SocketTimeoutException e) {
                    // still open: keep reading until the deadline
                }
            }
            return false;
        } catch (SocketException reset) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * @return {served, refused}: newcomers that got a line from a new sender on the same address, and those told
     *         something else or closed (if the sender itself is refused, every newcomer counts as refused).
     */
    private int[] newcomers(InetSocketAddress server) throws Exception {
        final List<Socket> sockets = new ArrayList<>();
        try (Socket announcer = connect(server, 0)) {
            for (int i = 0; i < newcomers; i++) {
                sockets.add(connect(server, 0));
            }
            Thread.sleep(500);
            try {
                announcer.getOutputStream().write("welcome\n".getBytes(StandardCharsets.US_ASCII));
                announcer.getOutputStream().flush();
            } catch (IOException refused) {
                // closed by the server: the newcomers will not hear it
            }
            int served = 0;
            int refused = 0;
            for (Socket socket : sockets) {
                socket.setSoTimeout(5_000);
                final String line = readLine(socket);
                if (line != null && line.endsWith("\"content\":\"welcome\"}")) {
                    served++;
                } else {
                    refused++;
                }
            }
            return new int[]{served, refused};
        } finally {
            for (Socket socket : sockets) {
                socket.close();
            }
        }
    }

    private static String readLine(Socket socket) {
        final StringBuilder line = new StringBuilder();
        try {
            final InputStream in = socket.getInputStream();
            int b;
            while ((b = in.read()) >= 0 && b != '\n') {
                line.append((char) b);
            }
            return b < 0 ? null : line.toString();
        } catch (IOException e) {
            return null;
        }
    }
}
