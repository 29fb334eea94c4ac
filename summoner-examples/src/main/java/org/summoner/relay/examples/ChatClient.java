package org.summoner.relay.examples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A chat client that shows the whole wire protocol: it sends each line typed on standard input, terminated by
 * {@code \n}, and prints each line the server sends. A relayed line arrives as one JSON object,
 * {@code {"remote_addr":"127.0.0.1:54321","content":"hi"}}; a line from the server itself (a {@code Warning:})
 * is plain text.
 *
 * <pre>java -cp summoner-examples/target/summoner-examples.jar org.summoner.relay.examples.ChatClient [host] [port]</pre>
 *
 * Run two of them against one server and type in either. End with Ctrl+D (end of input) or Ctrl+C.
 */
public final class ChatClient {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ChatClient() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        final String host = args.length > 0 ? args[0] : "127.0.0.1";
        final int port = args.length > 1 ? Integer.parseInt(args[1]) : 8888;
        try (Socket socket = new Socket(host, port)) {
            System.out.println("connected to " + host + ":" + port + " as " + socket.getLocalAddress().getHostAddress()
                    + ":" + socket.getLocalPort() + "; type a line and press Enter");
            final Thread listener = new Thread(() -> listen(socket), "listener");
            listener.start();

            final OutputStream out = socket.getOutputStream();
            final BufferedReader keyboard = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String line; (line = keyboard.readLine()) != null; ) {
                out.write((line + "\n").getBytes(StandardCharsets.UTF_8)); // one message = one line of UTF-8
                out.flush();
            }
            socket.shutdownOutput(); // the server relays any unfinished line, then sees the end
            listener.join(1000);
        }
    }

    private static void listen(Socket socket) {
        try (BufferedReader server = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = server.readLine()) != null; ) {
                System.out.println(describe(line));
            }
            System.out.println("the server closed the connection");
        } catch (IOException e) {
            System.out.println("connection lost: " + e.getMessage());
        }
    }

    /** @return "[ip:port] content" for an envelope, or the line itself for a server notice. */
    static String describe(String line) {
        if (!line.startsWith("{")) {
            return "server: " + line;
        }
        try {
            final JsonNode envelope = JSON.readTree(line);
            return "[" + envelope.get("remote_addr").asText() + "] " + envelope.get("content").asText();
        } catch (IOException e) {
            return "unreadable: " + line;
        }
    }
}
