package org.summoner.relay.fuzz;

import com.fasterxml.jackson.databind.JsonNode;
import org.summoner.relay.identity.AuroraSigner;
import org.summoner.relay.identity.Json;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The identities the fuzz targets sign with: a small fixed pool, so the fuzzer names them by index and can make
 * validly signed envelopes, and the identities of the Aurora vectors, whose lines it may replay but cannot forge.
 * {@link AuroraSigner} takes no seed, so the pool's keys are made once per JVM: an input names identity 2, not its
 * key, and replays the same way in every JVM.
 *
 * <p>Public because the targets of three packages share it; immutable and thread-safe.
 */
public final class IdentityPool {
    /** Four identities; their {@code meta} differ so canonical JSON of strings, lists, floats and {} is exercised. */
    public static final List<AuroraSigner> SIGNERS = List.of(
            AuroraSigner.generate(null),
            AuroraSigner.generate(Map.of("name", "host-one")),
            AuroraSigner.generate(Map.of()),
            AuroraSigner.generate(Map.of("tags", List.of("é", 2.5, true), "n", 12345678901234567890.0)));

    /** The vectors' public records (alice, bob, carol, dave, mallory), as parsed values; their keys are not ours. */
    public static final List<Map<String, Object>> VECTOR_RECORDS = vectorRecords();

    private static final Set<String> LEGITIMATE = legitimate();

    private IdentityPool() {
    }

    /** @return the fingerprint of the pool's identity {@code index}. */
    public static String fingerprint(int index) {
        return SIGNERS.get(index).fingerprint();
    }

    /**
     * @return every fingerprint a connection may legitimately be bound to in a fuzz run: the pool's and the vectors'.
     *         Any other needs a signature by a key the fuzzer does not have: a forgery.
     */
    public static Set<String> legitimateFingerprints() {
        return LEGITIMATE;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> vectorRecords() {
        final List<Map<String, Object>> records = new ArrayList<>();
        for (JsonNode identity : AuroraVectors.document().get("identities")) {
            try {
                final byte[] text = identity.get("public_id").toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
                records.add((Map<String, Object>) Json.parse(text, 0, text.length));
            } catch (Json.NotJson e) {
                throw new IllegalStateException("a vector identity is not JSON: " + e.getMessage(), e);
            }
        }
        return List.copyOf(records);
    }

    private static Set<String> legitimate() {
        final Set<String> fingerprints = new LinkedHashSet<>();
        for (AuroraSigner signer : SIGNERS) {
            fingerprints.add(signer.fingerprint());
        }
        for (JsonNode identity : AuroraVectors.document().get("identities")) {
            fingerprints.add(identity.get("fingerprint").textValue());
        }
        return Set.copyOf(fingerprints);
    }
}
