package org.summoner.relay.monitoring;

import io.prometheus.metrics.exporter.common.PrometheusHttpExchange;
import io.prometheus.metrics.exporter.common.PrometheusHttpRequest;
import io.prometheus.metrics.exporter.common.PrometheusHttpResponse;
import io.prometheus.metrics.exporter.common.PrometheusScrapeHandler;
import io.prometheus.metrics.expositionformats.PrometheusProtobufWriter;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;

/**
 * One {@code /metrics} request as the Prometheus Java client's {@link PrometheusScrapeHandler} sees an exchange, so
 * that what the library decides stays the library's: the format from the {@code Accept} header (OpenMetrics when the
 * scraper asks for it, else the text format; a protobuf media range is hidden from it, see {@link #withoutProtobuf}),
 * gzip on {@code Accept-Encoding: gzip}, {@code name[]} filters and {@code debug}. The handler writes into memory; {@link #response()} is what the listener then writes.
 *
 * <p>A {@code HEAD} request is shown to the handler as a {@code GET}, so the body is rendered and the listener can
 * send its true {@code Content-Length} without it. Used by one render thread, once.
 */
final class ScrapeExchange implements PrometheusHttpExchange, PrometheusHttpRequest, PrometheusHttpResponse {
    /** Whether the library's protobuf writer is on the class path (it is not, unless someone adds it). */
    private static final boolean PROTOBUF = new PrometheusProtobufWriter().isAvailable();
    private final HttpRequest request;
    private final List<String> headers = new ArrayList<>(4);
    private final ByteArrayOutputStream body = new ByteArrayOutputStream(16 * 1024);
    private String contentType = HttpResponse.TEXT;
    private int status;
    private Exception failure;

    ScrapeExchange(HttpRequest request) {
        this.request = request;
    }

    /** @return the response the handler wrote, or a {@code 500} when it failed (null failure: it did not). */
    HttpResponse response() {
        if (failure != null || status == 0) {
            return HttpResponse.text(500, "metrics could not be collected (the server's log says why)");
        }
        return new HttpResponse(status, contentType, List.copyOf(headers), body.toByteArray(), false);
    }

    /** @return what made the handler fail, or null. */
    Exception failure() {
        return failure;
    }

    @Override
    public PrometheusHttpRequest getRequest() {
        return this;
    }

    @Override
    public PrometheusHttpResponse getResponse() {
        return this;
    }

    @Override
    public void handleException(IOException e) {
        failure = e;
    }

    @Override
    public void handleException(RuntimeException e) {
        failure = e;
    }

    @Override
    public void close() {
    }

    @Override
    public String getQueryString() {
        return request.rawQuery();
    }

    @Override
    public Enumeration<String> getHeaders(String name) {
        final List<String> values = request.headers(name);
        return Collections.enumeration(name.equalsIgnoreCase("Accept") && !PROTOBUF ? withoutProtobuf(values) : values);
    }

    /**
     * @return the {@code Accept} values without their protobuf media ranges. The library chooses the protobuf writer
     *         whenever a scraper lists it (whatever the q-values), and fails when that writer is not on the class
     *         path, as here (summoner-api's pom leaves it out): a Prometheus that offers protobuf first, as it does
     *         with {@code scrape_protocols: [PrometheusProto, ...]} or native histograms, would get a 500 instead of
     *         the text formats it also offers.
     */
    static List<String> withoutProtobuf(List<String> accept) {
        final List<String> kept = new ArrayList<>(accept.size());
        for (String value : accept) {
            final StringBuilder ranges = new StringBuilder(value.length());
            for (String range : value.split(",")) {
                if (!range.contains("application/vnd.google.protobuf")) {
                    ranges.append(ranges.length() == 0 ? "" : ",").append(range);
                }
            }
            kept.add(ranges.toString());
        }
        return kept;
    }

    @Override
    public String getMethod() {
        return "GET";
    }

    @Override
    public String getRequestPath() {
        return request.path();
    }

    @Override
    public void setHeader(String name, String value) {
        if (name.equalsIgnoreCase("Content-Type")) {
            contentType = value;
        } else if (!name.equalsIgnoreCase("Content-Length")) {
            headers.add(name);
            headers.add(value);
        }
    }

    /** The length is the listener's to write: what the handler wrote, whatever it announced (-1, 0 or the size). */
    @Override
    public OutputStream sendHeadersAndGetBody(int statusCode, int contentLength) {
        status = statusCode;
        return body;
    }
}
