package org.summoner.relay.bench.load;

import java.nio.charset.StandardCharsets;

/**
 * The three wire protocols the harness speaks, each with the same shape of test: N subscribers of one topic and
 * M publishers to it. A publish is {@link #publishHead} + payload + {@link #publishTail}, so senders frame
 * without allocating. Summoner has no topics: every client gets every other client's lines, so Summoner
 * publishers also receive each other's lines (drained, not counted as deliveries).
 */
enum Protocol {
    /** One line per message; each delivery is {@code {"remote_addr":"...","content":"<payload>"}\n}. */
    SUMMONER(8888) {
        @Override
        byte[] publishHead(int payloadLength) {
            return new byte[0];
        }

        @Override
        byte[] publishTail() {
            return new byte[]{'\n'};
        }

        @Override
        InboundParser newParser(int payloadLength) {
            return new SummonerParser(payloadLength);
        }

        @Override
        InboundParser newParser(int payloadLength, Shape shape) {
            return new SummonerParser(payloadLength, shape);
        }
    },
    /** The NATS text protocol: {@code PUB subject n} / {@code MSG subject sid n}, with PING answered. */
    NATS(4222) {
        private static final String CONNECT = "CONNECT {\"verbose\":false,\"pedantic\":false,\"name\":\"summoner-load\"}\r\n";

        @Override
        byte[] subscriberHandshake() {
            return ascii(CONNECT + "SUB " + TOPIC + " 1\r\nPING\r\n");
        }

        @Override
        byte[] publisherHandshake() {
            return ascii(CONNECT + "PING\r\n");
        }

        @Override
        byte[] publishHead(int payloadLength) {
            return ascii("PUB " + TOPIC + " " + payloadLength + "\r\n");
        }

        @Override
        InboundParser newParser(int payloadLength) {
            return new NatsParser();
        }
    },
    /** Redis pub/sub over RESP2: {@code SUBSCRIBE topic}, {@code PUBLISH topic payload}. */
    REDIS(6379) {
        @Override
        byte[] subscriberHandshake() {
            return ascii("*2\r\n$9\r\nSUBSCRIBE\r\n$" + TOPIC.length() + "\r\n" + TOPIC + "\r\n");
        }

        @Override
        byte[] publishHead(int payloadLength) {
            return ascii("*3\r\n$7\r\nPUBLISH\r\n$" + TOPIC.length() + "\r\n" + TOPIC + "\r\n$" + payloadLength + "\r\n");
        }

        @Override
        InboundParser newParser(int payloadLength) {
            return new RespParser();
        }
    };

    static final String TOPIC = "bench";

    private final int defaultPort;

    Protocol(int defaultPort) {
        this.defaultPort = defaultPort;
    }

    int defaultPort() {
        return defaultPort;
    }

    /** @return what a subscriber sends once connected. */
    byte[] subscriberHandshake() {
        return new byte[0];
    }

    /** @return what a publisher sends once connected. */
    byte[] publisherHandshake() {
        return new byte[0];
    }

    /** @return the bytes before a payload of this length in one publish. */
    abstract byte[] publishHead(int payloadLength);

    /** @return the bytes after the payload in one publish. */
    byte[] publishTail() {
        return new byte[]{'\r', '\n'};
    }

    /** @param payloadLength the size of the payloads the harness sends, which a parser may use as a hint. */
    abstract InboundParser newParser(int payloadLength);

    /** @return a parser of deliveries whose payload the senders wrapped in {@code shape} (Summoner only). */
    InboundParser newParser(int payloadLength, Shape shape) {
        if (shape != Shape.PLAIN) {
            throw new IllegalArgumentException(this + " carries plain payloads only");
        }
        return newParser(payloadLength);
    }

    static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
