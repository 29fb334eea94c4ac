package org.summoner.relay.wire;

import java.util.Locale;

/**
 * Why a routing mode refused a line (SPEC sections 5, 7 to 9): the short code in
 * {@code Warning: Line rejected (<code>) and was not relayed.}, the same codes the Aurora vectors use.
 */
public enum Rejection {
    NOT_JSON,
    NOT_OBJECT,
    MISSING_FIELD,
    WRONG_TYPE,
    WRONG_VERSION,
    BAD_KEY_LENGTH,
    BAD_SIGNATURE_LENGTH,
    BAD_IDENTITY_SIGNATURE,
    BAD_ENVELOPE_SIGNATURE,
    SENDER_NOT_ALLOWED,
    RECEIVER_NOT_ALLOWED,
    EDGE_NOT_ALLOWED,
    RECEIVER_NOT_CONNECTED,
    IDENTITY_MISMATCH,
    CHALLENGE_MISMATCH,
    /** Ours: the envelope's {@code session_proof.ts} lies outside the replay window of the server's clock. */
    STALE,
    /** Ours: the same signed envelope was already seen within the replay window. */
    REPLAYED,
    /** Ours: a valid envelope to no one ({@code "to": null}) on a connection already bound to its sender: it does nothing. */
    ALREADY_BOUND;

    private final String code = name().toLowerCase(Locale.ROOT);

    /** @return the short code, e.g. {@code bad_envelope_signature}. */
    public String code() {
        return code;
    }
}
