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
    CHALLENGE_MISMATCH;

    private final String code = name().toLowerCase(Locale.ROOT);

    /** @return the short code, e.g. {@code bad_envelope_signature}. */
    public String code() {
        return code;
    }
}
