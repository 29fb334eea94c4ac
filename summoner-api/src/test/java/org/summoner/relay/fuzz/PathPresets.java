package org.summoner.relay.fuzz;

import java.util.List;

/**
 * {@code dedicated_relay.paths} the fuzz targets choose from: Summoner's defaults, the SDK wrapper's
 * {@code envelope_root: "_payload"}, and the non-default paths a deployment may name ({@code sender_identity:
 * "sender"}, another receiver or signature key, a nested identity, a signing key outside the identity).
 *
 * <p>Public because the targets of two packages share it; immutable.
 */
public final class PathPresets {
    /** Each: envelope_root, sender_identity, receiver_identity, envelope_signature, sender_signing_key, sender_identity_signature. */
    public static final List<String[]> PRESETS = List.of(
            new String[]{"", "from", "to", "sig", "from.pub_sig_b64", "from.sig"},
            new String[]{"_payload", "from", "to", "sig", "from.pub_sig_b64", "from.sig"},
            new String[]{"", "sender", "to", "sig", "sender.pub_sig_b64", "sender.sig"},
            new String[]{"", "from", "recipient", "sig", "from.pub_sig_b64", "from.sig"},
            new String[]{"", "from", "to", "signature", "from.pub_sig_b64", "from.sig"},
            new String[]{"_payload", "sender", "to", "sig", "sender.pub_sig_b64", "sender.sig"},
            new String[]{"", "meta.from", "to", "sig", "meta.from.pub_sig_b64", "meta.from.sig"},
            new String[]{"", "from", "to", "sig", "key", "from.sig"});

    private PathPresets() {
    }

    /** @return a dot path's names ({@code ""}: none, the line itself). */
    public static List<String> split(String path) {
        return path.isEmpty() ? List.of() : List.of(path.split("\\.", -1));
    }
}
