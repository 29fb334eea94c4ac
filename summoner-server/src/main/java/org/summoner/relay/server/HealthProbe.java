package org.summoner.relay.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * A health check to run inside the container image, which has no shell and no curl, only the JVM:
 *
 * <pre>java -cp /app/classes org.summoner.relay.server.HealthProbe [URL]</pre>
 *
 * <p>GETs {@code URL} (default {@value #DEFAULT_URL}, the image's monitoring port), prints the answer's status and
 * body, and exits 0 on 200, 1 on any other answer or none within {@value #TIMEOUT_MILLIS} ms: what podman's and
 * Docker Compose's health checks expect. Kubernetes needs none of this: its {@code httpGet} probe asks
 * {@code /healthz} itself.
 */
public final class HealthProbe {
    static final String DEFAULT_URL = "http://127.0.0.1:9090/healthz";
    static final int TIMEOUT_MILLIS = 5_000;

    private HealthProbe() {
    }

    public static void main(String[] args) {
        System.exit(probe(args.length == 0 ? DEFAULT_URL : args[0], System.out));
    }

    /** @return 0 when {@code url} answers 200, else 1; what it answered, or why none, goes to {@code out}. */
    static int probe(String url, PrintStream out) {
        try {
            final HttpURLConnection connection = (HttpURLConnection) URI.create(url).toURL().openConnection();
            connection.setConnectTimeout(TIMEOUT_MILLIS);
            connection.setReadTimeout(TIMEOUT_MILLIS);
            final int status = connection.getResponseCode();
            final InputStream body = status < 400 ? connection.getInputStream() : connection.getErrorStream();
            out.print(status + " " + (body == null ? "\n" : new String(body.readNBytes(1024), StandardCharsets.UTF_8)));
            connection.disconnect();
            return status == 200 ? 0 : 1;
        } catch (IOException | IllegalArgumentException e) {
            out.println("no answer from " + url + ": " + e);
            return 1;
        }
    }
}
