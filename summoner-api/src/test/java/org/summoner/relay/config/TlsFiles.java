package org.summoner.relay.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** The tests' server certificate and key (test resources), copied into a directory as a {@code tls} section names them. */
public final class TlsFiles {
    private TlsFiles() {
    }

    /** @return {@code {"cert": ..., "key": ...}} naming the copies made in {@code dir}. */
    public static Map<String, Object> section(Path dir) throws IOException {
        for (String name : new String[] {"server.crt", "server.key"}) {
            try (InputStream in = TlsFiles.class.getResourceAsStream("/org/summoner/relay/config/tls/" + name)) {
                Files.copy(in, dir.resolve(name));
            }
        }
        return Map.of("cert", dir.resolve("server.crt").toString(), "key", dir.resolve("server.key").toString());
    }
}
