package org.summoner.relay.fuzz;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The lines of {@code aurora-v1.json} (the project's copy of {@code shared/vectors}), every {@code cases} and
 * {@code aurora_quirks} entry: lines Aurora agents send, valid and invalid, that the fuzz targets replay and mutate.
 *
 * <p>Public because the targets of three packages share it; immutable and thread-safe.
 */
public final class AuroraVectors {
    /** One vector line and the envelope root it is written for ({@code ""}: the line is the envelope). */
    public record Line(String name, byte[] bytes, String envelopeRoot) {
    }

    private static final JsonNode DOCUMENT = load();
    private static final List<Line> LINES = lines();

    private AuroraVectors() {
    }

    /** @return the vectors file, parsed. */
    public static JsonNode document() {
        return DOCUMENT;
    }

    /** @return every line of {@code cases} then {@code aurora_quirks}, in file order. */
    public static List<Line> lines() {
        if (LINES != null) {
            return LINES;
        }
        final List<Line> lines = new ArrayList<>();
        for (String section : new String[]{"cases", "aurora_quirks"}) {
            for (JsonNode entry : DOCUMENT.get(section)) {
                final JsonNode root = entry.get("envelope_root");
                lines.add(new Line(entry.get("name").textValue(), entry.get("line").textValue().getBytes(StandardCharsets.UTF_8),
                        root == null || root.isNull() ? "" : root.textValue()));
            }
        }
        return List.copyOf(lines);
    }

    private static JsonNode load() {
        try (InputStream in = AuroraVectors.class.getResourceAsStream("/aurora/aurora-v1.json")) {
            if (in == null) {
                throw new IllegalStateException("/aurora/aurora-v1.json is not on the test class path");
            }
            return new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the Aurora vectors: " + e.getMessage(), e);
        }
    }
}
