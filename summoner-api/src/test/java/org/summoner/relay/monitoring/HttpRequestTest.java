package org.summoner.relay.monitoring;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The head scanner and parser without sockets: input split at every byte, and what a parsed head means. */
class HttpRequestTest {
    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static HttpRequest parse(String head) {
        final byte[] bytes = ascii(head);
        final HeadScanner scanner = new HeadScanner();
        final int end = scanner.scan(bytes, bytes.length);
        assertEquals(bytes.length, end, "the head ends where the test says");
        return HttpRequest.parse(bytes, scanner.headStart(), end);
    }

    @Test
    void the_end_of_a_head_is_found_however_its_bytes_arrive() {
        final String[][] cases = {
                {"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", ""},
                {"GET /healthz HTTP/1.1\nHost: x\n\n", ""},
                {"\r\n\r\nGET /healthz HTTP/1.1\r\n\r\n", ""},
                {"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", "GET /metrics HTTP/1.1\r\n\r\n"},
        };
        for (String[] c : cases) {
            final byte[] bytes = ascii(c[0] + c[1]);
            final int expected = c[0].length();
            final HeadScanner scanner = new HeadScanner();
            for (int limit = 1; limit <= bytes.length; limit++) {
                final int end = scanner.scan(bytes, limit);
                if (limit < expected) {
                    assertEquals(-1, end, c[0] + " after " + limit + " bytes");
                } else {
                    assertEquals(expected, end, c[0] + " after " + limit + " bytes");
                    break;
                }
            }
            assertEquals(c[0].indexOf('G'), scanner.headStart(), "the request line starts after the empty lines");
        }
    }

    @Test
    void a_request_line_not_yet_ended_is_told_apart_from_headers_not_yet_ended() {
        final HeadScanner scanner = new HeadScanner();
        assertEquals(-1, scanner.scan(ascii("GET /aaaa"), 9));
        assertFalse(scanner.requestLineComplete());
        final byte[] more = ascii("GET /aaaa HTTP/1.1\r\nX: y");
        assertEquals(-1, scanner.scan(more, more.length));
        assertTrue(scanner.requestLineComplete());
    }

    @Test
    void a_parsed_head_tells_method_path_query_headers_and_what_the_client_wants_of_the_connection() {
        final HttpRequest request = parse("GET /connz?limit=1&offset=%32 HTTP/1.1\r\nhost: x\r\nACCEPT:  a/b \r\nAccept: c/d\r\n\r\n");
        assertEquals(0, request.errorStatus());
        assertEquals("GET", request.method());
        assertEquals("/connz", request.path());
        assertEquals("limit=1&offset=%32", request.rawQuery());
        assertEquals(List.of("a/b", "c/d"), request.headers("Accept"));
        assertEquals(List.of(), request.headers("Accept-Encoding"));
        assertTrue(request.keepAlive());
        assertFalse(request.hasBody());

        assertFalse(parse("GET / HTTP/1.1\r\nConnection: keep-alive, Close\r\n\r\n").keepAlive());
        assertFalse(parse("GET / HTTP/1.0\r\n\r\n").keepAlive());
        assertTrue(parse("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n").keepAlive());
        assertTrue(parse("GET / HTTP/1.1\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n\r\n").keepAlive());
    }

    @Test
    void a_body_is_announced_by_a_length_above_zero_or_any_transfer_encoding() {
        assertFalse(parse("GET / HTTP/1.1\r\nContent-Length: 0\r\n\r\n").hasBody());
        assertFalse(parse("GET / HTTP/1.1\r\nContent-Length: 000, 000\r\n\r\n").hasBody());
        assertTrue(parse("GET / HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n").hasBody());
        assertTrue(parse("GET / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n").hasBody());
        assertTrue(parse("GET / HTTP/1.1\r\nTransfer-Encoding:\r\n\r\n").hasBody());
        assertEquals(400, parse("GET / HTTP/1.1\r\nContent-Length: 1, 2\r\n\r\n").errorStatus());
        assertEquals(400, parse("GET / HTTP/1.1\r\nContent-Length: \r\n\r\n").errorStatus());
        assertEquals(400, parse("GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 0\r\n\r\n").errorStatus());
    }

    @Test
    void targets_in_absolute_form_keep_only_their_path_and_query() {
        assertEquals("/metrics", parse("GET http://h:1/metrics?x=1 HTTP/1.1\r\n\r\n").path());
        assertEquals("x=1", parse("GET HTTPS://h:1/metrics?x=1 HTTP/1.1\r\n\r\n").rawQuery());
        assertEquals("/", parse("GET http://h:1 HTTP/1.1\r\n\r\n").path());
        assertEquals("/", parse("GET http://h:1?x HTTP/1.1\r\n\r\n").path());
        assertEquals("h:443", parse("CONNECT h:443 HTTP/1.1\r\n\r\n").path());
        assertEquals("/\u00e9\u0000", parse("GET /%C3%A9%00 HTTP/1.1\r\n\r\n").path());
        assertEquals("/\ufffd", parse("GET /%ff HTTP/1.1\r\n\r\n").path());
        assertNull(HttpRequest.percentDecode("%4"));
        assertEquals(400, parse("GET /a#b HTTP/1.1\r\n\r\n").errorStatus());
    }
}
