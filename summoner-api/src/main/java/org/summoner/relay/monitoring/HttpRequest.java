package org.summoner.relay.monitoring;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One request's head, parsed strictly (RFC 9112): a request line {@code method SP target SP HTTP/1.x}, header fields
 * {@code name: value}, lines ended by CRLF or LF. What the monitoring listener cannot take is not guessed at: a bare
 * CR, a line folded onto the one before, whitespace before a colon, a control character in a value, a request target
 * with a byte outside visible ASCII or a malformed {@code %} escape, {@code Content-Length} with anything but digits or
 * with values that differ, or {@code Content-Length} and {@code Transfer-Encoding} together (the request smuggling
 * pair) all make a {@link #malformed} request, answered {@code 400} and closed; an HTTP version other than 1.0 and 1.1
 * is answered {@code 505}.
 *
 * <p>A request that announces a body ({@code Content-Length} above 0, or any {@code Transfer-Encoding}) is parsed, and
 * {@link #hasBody()} says so: the listener never reads a body, so it answers such a request and closes the connection
 * rather than read the body as the next request.
 *
 * <p>Immutable once parsed; built on the listener's thread, read there and on a render thread.
 */
final class HttpRequest {
    private final int errorStatus;
    private final String error;
    private final String method;
    private final String path;
    private final String rawQuery;
    private final boolean http11;
    private final boolean keepAlive;
    private final boolean hasBody;
    private final List<String> headerNames;
    private final List<String> headerValues;

    private HttpRequest(int errorStatus, String error, String method, String path, String rawQuery, boolean http11,
                        boolean keepAlive, boolean hasBody, List<String> headerNames, List<String> headerValues) {
        this.errorStatus = errorStatus;
        this.error = error;
        this.method = method;
        this.path = path;
        this.rawQuery = rawQuery;
        this.http11 = http11;
        this.keepAlive = keepAlive;
        this.hasBody = hasBody;
        this.headerNames = headerNames;
        this.headerValues = headerValues;
    }

    private static HttpRequest malformed(int status, String error) {
        return new HttpRequest(status, error, "", "", null, true, false, false, List.of(), List.of());
    }

    /** @return 0 for a request that parsed, else the status that answers it ({@code 400} or {@code 505}). */
    int errorStatus() {
        return errorStatus;
    }

    /** @return why it did not parse, for the response's body, or null. */
    String error() {
        return error;
    }

    /** @return e.g. {@code GET}: a token, as sent (methods are case-sensitive). */
    String method() {
        return method;
    }

    boolean isHead() {
        return method.equals("HEAD");
    }

    /** @return the target's path, percent-decoded as UTF-8 (malformed sequences as U+FFFD), not normalised. */
    String path() {
        return path;
    }

    /** @return the target's query without {@code ?}, not decoded, or null when it has none. */
    String rawQuery() {
        return rawQuery;
    }

    /** @return whether the client asked to keep the connection: HTTP/1.1 unless {@code close}, HTTP/1.0 if {@code keep-alive}. */
    boolean keepAlive() {
        return keepAlive;
    }

    boolean http11() {
        return http11;
    }

    /** @return whether it announced a body, which this server never reads. */
    boolean hasBody() {
        return hasBody;
    }

    /** @return the values of the header fields named {@code name} (case-insensitive), in the order sent. */
    List<String> headers(String name) {
        List<String> values = null;
        for (int i = 0; i < headerNames.size(); i++) {
            if (headerNames.get(i).equalsIgnoreCase(name)) {
                if (values == null) {
                    values = new ArrayList<>(1);
                }
                values.add(headerValues.get(i));
            }
        }
        return values == null ? List.of() : Collections.unmodifiableList(values);
    }

    /**
     * @param bytes the input, holding a complete head in {@code [from, to)}: from the request line's first byte to the
     *              LF of the empty line that ends it ({@link HeadScanner}).
     */
    static HttpRequest parse(byte[] bytes, int from, int to) {
        int lineEnd = lineEnd(bytes, from, to);
        if (lineEnd < 0) {
            return malformed(400, "bad request: a bare CR in the request line");
        }
        final int sp1 = indexOf(bytes, from, lineEnd, (byte) ' ');
        final int sp2 = sp1 < 0 ? -1 : indexOf(bytes, sp1 + 1, lineEnd, (byte) ' ');
        if (sp1 <= from || sp2 < 0 || sp2 == sp1 + 1 || !isToken(bytes, from, sp1)) {
            return malformed(400, "bad request: expected METHOD SP TARGET SP HTTP/1.1 as the request line");
        }
        final String version = ascii(bytes, sp2 + 1, lineEnd);
        final boolean http11;
        if (version.equals("HTTP/1.1")) {
            http11 = true;
        } else if (version.equals("HTTP/1.0")) {
            http11 = false;
        } else if (version.length() == 8 && version.startsWith("HTTP/") && isDigit(version.charAt(5))
                && version.charAt(6) == '.' && isDigit(version.charAt(7))) {
            return malformed(505, "HTTP version not supported: this server speaks HTTP/1.1 and HTTP/1.0");
        } else {
            return malformed(400, "bad request: expected METHOD SP TARGET SP HTTP/1.1 as the request line");
        }
        for (int i = sp1 + 1; i < sp2; i++) {
            if (bytes[i] < 0x21 || bytes[i] > 0x7e || bytes[i] == '#') {
                return malformed(400, "bad request: the request target holds a byte outside visible ASCII, or a '#'");
            }
        }
        final String method = ascii(bytes, from, sp1);
        final String target = ascii(bytes, sp1 + 1, sp2);

        final List<String> names = new ArrayList<>();
        final List<String> values = new ArrayList<>();
        int line = nextLine(bytes, lineEnd);
        while (true) {
            lineEnd = lineEnd(bytes, line, to);
            if (lineEnd < 0) {
                return malformed(400, "bad request: a bare CR in a header field");
            }
            if (lineEnd == line) {
                break;
            }
            if (bytes[line] == ' ' || bytes[line] == '\t') {
                return malformed(400, "bad request: a header field folded onto the line before");
            }
            final int colon = indexOf(bytes, line, lineEnd, (byte) ':');
            if (colon <= line || !isToken(bytes, line, colon)) {
                return malformed(400, "bad request: expected NAME: VALUE as a header field");
            }
            int valueStart = colon + 1;
            int valueEnd = lineEnd;
            while (valueStart < valueEnd && (bytes[valueStart] == ' ' || bytes[valueStart] == '\t')) {
                valueStart++;
            }
            while (valueEnd > valueStart && (bytes[valueEnd - 1] == ' ' || bytes[valueEnd - 1] == '\t')) {
                valueEnd--;
            }
            for (int i = valueStart; i < valueEnd; i++) {
                final int b = bytes[i] & 0xff;
                if ((b < 0x20 && b != '\t') || b == 0x7f) {
                    return malformed(400, "bad request: a control character in a header field's value");
                }
            }
            names.add(ascii(bytes, line, colon));
            values.add(new String(bytes, valueStart, valueEnd - valueStart, StandardCharsets.ISO_8859_1));
            line = nextLine(bytes, lineEnd);
        }
        return of(method, target, http11, names, values);
    }

    private static HttpRequest of(String method, String target, boolean http11, List<String> names, List<String> values) {
        String contentLength = null;
        boolean transferEncoding = false;
        boolean close = false;
        boolean keepAliveAsked = false;
        for (int i = 0; i < names.size(); i++) {
            final String name = names.get(i);
            final String value = values.get(i);
            if (name.equalsIgnoreCase("Content-Length")) {
                for (String part : value.split(",", -1)) {
                    final String length = part.strip();
                    if (length.isEmpty() || !isDigits(length) || (contentLength != null && !contentLength.equals(length))) {
                        return malformed(400, "bad request: Content-Length is not one decimal number");
                    }
                    contentLength = length;
                }
            } else if (name.equalsIgnoreCase("Transfer-Encoding")) {
                transferEncoding = true;
            } else if (name.equalsIgnoreCase("Connection")) {
                for (String option : value.split(",")) {
                    close |= option.strip().equalsIgnoreCase("close");
                    keepAliveAsked |= option.strip().equalsIgnoreCase("keep-alive");
                }
            }
        }
        if (transferEncoding && contentLength != null) {
            return malformed(400, "bad request: both Content-Length and Transfer-Encoding");
        }
        final boolean hasBody = transferEncoding || (contentLength != null && !contentLength.chars().allMatch(c -> c == '0'));

        int pathStart = 0;
        if (startsWithIgnoreCase(target, "http://") || startsWithIgnoreCase(target, "https://")) {
            // absolute-form (RFC 9112 section 3.2.2): the authority is not ours to check; the path is what counts
            final int authority = target.indexOf("//") + 2;
            int end = authority;
            while (end < target.length() && target.charAt(end) != '/' && target.charAt(end) != '?') {
                end++;
            }
            pathStart = end;
        }
        final int question = target.indexOf('?', pathStart);
        final String rawPath = target.substring(pathStart, question < 0 ? target.length() : question);
        final String rawQuery = question < 0 ? null : target.substring(question + 1);
        final String path = percentDecode(rawPath.isEmpty() && pathStart > 0 ? "/" : rawPath);
        if (path == null || (rawQuery != null && percentDecode(rawQuery) == null)) {
            return malformed(400, "bad request: a '%' in the request target not followed by two hexadecimal digits");
        }
        final boolean keepAlive = http11 ? !close : keepAliveAsked && !close;
        return new HttpRequest(0, null, method, path, rawQuery, http11, keepAlive, hasBody, List.copyOf(names),
                List.copyOf(values));
    }

    /** @return {@code encoded} with its {@code %XX} escapes decoded as UTF-8, or null when an escape is malformed. */
    static String percentDecode(String encoded) {
        if (encoded.indexOf('%') < 0) {
            return encoded;
        }
        final ByteArrayOutputStream decoded = new ByteArrayOutputStream(encoded.length());
        for (int i = 0; i < encoded.length(); i++) {
            final char c = encoded.charAt(i);
            if (c != '%') {
                decoded.write(c);
                continue;
            }
            if (i + 2 >= encoded.length()) {
                return null;
            }
            final int high = Character.digit(encoded.charAt(i + 1), 16);
            final int low = Character.digit(encoded.charAt(i + 2), 16);
            if (high < 0 || low < 0) {
                return null;
            }
            decoded.write(high << 4 | low);
            i += 2;
        }
        return decoded.toString(StandardCharsets.UTF_8);
    }

    /** @return the end of the line starting at {@code from} (before its CR LF or LF), or -1 when it holds a bare CR. */
    private static int lineEnd(byte[] bytes, int from, int to) {
        for (int i = from; i < to; i++) {
            if (bytes[i] == '\n') {
                return i;
            }
            if (bytes[i] == '\r') {
                return i + 1 < to && bytes[i + 1] == '\n' ? i : -1;
            }
        }
        return -1; // not reached: the scanner found the head's end
    }

    private static int nextLine(byte[] bytes, int lineEnd) {
        return bytes[lineEnd] == '\r' ? lineEnd + 2 : lineEnd + 1;
    }

    private static int indexOf(byte[] bytes, int from, int to, byte b) {
        for (int i = from; i < to; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }

    /** @return whether {@code [from, to)} is an RFC 9110 token ({@code tchar}s), as a method and a field name must be. */
    private static boolean isToken(byte[] bytes, int from, int to) {
        for (int i = from; i < to; i++) {
            final int c = bytes[i] & 0xff;
            final boolean tchar = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!tchar) {
                return false;
            }
        }
        return to > from;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isDigits(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (!isDigit(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static boolean startsWithIgnoreCase(String s, String prefix) {
        return s.regionMatches(true, 0, prefix, 0, prefix.length());
    }

    private static String ascii(byte[] bytes, int from, int to) {
        return new String(bytes, from, to - from, StandardCharsets.ISO_8859_1);
    }
}
