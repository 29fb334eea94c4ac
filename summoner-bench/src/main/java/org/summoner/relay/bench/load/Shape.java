package org.summoner.relay.bench.load;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * How a Summoner sender wraps each payload, for the routing modes (SPEC section 7): as the line itself, inside a
 * JSON object as an SDK agent's dict message, or inside a host's directive naming every receiver. What a receiver
 * finds in its envelope's {@code content} around the payload follows from it.
 */
enum Shape {
    /** The payload is the line. */
    PLAIN,
    /** {@code {"m":"<payload>"}}: a JSON object line, which {@code hybrid} and {@code hosted} parse. */
    JSON,
    /** {@code {"to":[<every receiver>],"content":"<payload>"}}: a host's directive ({@code hosted}, {@code hybrid}). */
    DIRECTIVE;

    /** @param receivers the receivers as {@code remote_addr} shows them, which a directive names. */
    byte[] head(List<String> receivers) {
        return ascii(switch (this) {
            case PLAIN -> "";
            case JSON -> "{\"m\":\"";
            case DIRECTIVE -> "{\"to\":[\"" + String.join("\",\"", receivers) + "\"],\"content\":\"";
        });
    }

    byte[] tail() {
        return ascii(this == PLAIN ? "\n" : "\"}\n");
    }

    /** @return what precedes the payload in a delivery's {@code content}, as the envelope escapes it. */
    byte[] contentPrefix() {
        return ascii(this == JSON ? "{\\\"m\\\":\\\"" : "");
    }

    /** @return what follows the payload in a delivery's {@code content}, as the envelope escapes it. */
    byte[] contentSuffix() {
        return ascii(this == JSON ? "\\\"}" : "");
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
