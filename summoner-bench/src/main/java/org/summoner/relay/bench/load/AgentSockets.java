package org.summoner.relay.bench.load;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** Blocking sockets of the signed-line commands' agents: one line's bytes, a connection, a whole write. */
final class AgentSockets {
    private AgentSockets() {
    }

    /** @return {@code text} and its {@code \n}, as UTF-8. */
    static byte[] line(String text) {
        return (text + "\n").getBytes(StandardCharsets.UTF_8);
    }

    /** @return a connection to {@code server}, without Nagle's delay, connected within 5 s. */
    static Socket connect(InetSocketAddress server) throws IOException {
        final Socket socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.connect(server, 5000);
        return socket;
    }

    /** Writes every byte, then flushes. */
    static void write(Socket socket, byte[] bytes) throws IOException {
        socket.getOutputStream().write(bytes);
        socket.getOutputStream().flush();
    }
}
