package org.summoner.relay.monitoring;

import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

/**
 * A response, complete in memory before a byte of it is written: status, {@code Content-Type}, other header fields
 * and the body. The listener adds {@code Date}, {@code Content-Length} and {@code Connection} when it writes the head
 * ({@link #head}), and leaves the body out for {@code HEAD}.
 *
 * <p>Immutable; built on the listener's thread or a render thread, written by the listener's.
 *
 * @param headers     other header fields as name, value, name, value..., never {@code Content-Length} or
 *                    {@code Connection}; set by this server only, never copied from a request.
 * @param close       whether the connection is closed after it, whatever the client asked.
 */
record HttpResponse(int status, String contentType, List<String> headers, byte[] body, boolean close) {
    static final String TEXT = "text/plain; charset=utf-8";
    private static final DateTimeFormatter IMF_FIXDATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);

    /** @return {@code line} and a newline as a {@code text/plain} body. */
    static HttpResponse text(int status, String line) {
        return new HttpResponse(status, TEXT, List.of(), (line + "\n").getBytes(StandardCharsets.UTF_8), false);
    }

    /** @return {@code text(status, line)} with the connection closed after it. */
    static HttpResponse closing(int status, String line) {
        return new HttpResponse(status, TEXT, List.of(), (line + "\n").getBytes(StandardCharsets.UTF_8), true);
    }

    /** @return this response with the connection closed after it. */
    HttpResponse closingConnection() {
        return close ? this : new HttpResponse(status, contentType, headers, body, true);
    }

    /**
     * @param close     whether {@code Connection: close} is sent (the connection ends after this response).
     * @param keepAlive10 whether {@code Connection: keep-alive} is sent: an HTTP/1.0 client asked to keep it.
     * @return the status line and header fields, ending with the empty line, in US-ASCII.
     */
    byte[] head(boolean close, boolean keepAlive10) {
        final StringBuilder head = new StringBuilder(160);
        head.append("HTTP/1.1 ").append(status).append(' ').append(reason(status)).append("\r\n");
        head.append("Date: ").append(IMF_FIXDATE.format(ZonedDateTime.now(ZoneOffset.UTC))).append("\r\n");
        head.append("Content-Type: ").append(contentType).append("\r\n");
        for (int i = 0; i + 1 < headers.size(); i += 2) {
            head.append(headers.get(i)).append(": ").append(headers.get(i + 1)).append("\r\n");
        }
        head.append("Content-Length: ").append(body.length).append("\r\n");
        if (close) {
            head.append("Connection: close\r\n");
        } else if (keepAlive10) {
            head.append("Connection: keep-alive\r\n");
        }
        head.append("\r\n");
        return head.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    static String reason(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 400 -> "Bad Request";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 408 -> "Request Timeout";
            case 413 -> "Content Too Large";
            case 414 -> "URI Too Long";
            case 431 -> "Request Header Fields Too Large";
            case 500 -> "Internal Server Error";
            case 503 -> "Service Unavailable";
            case 505 -> "HTTP Version Not Supported";
            default -> "Status " + status;
        };
    }
}
