package org.summoner.relay.identity;

import java.util.Arrays;

/**
 * The last identity records a connection's envelopes carried that verified, one for the sender and one for the
 * receiver: an agent sends its own record, and usually the same receiver's, on every line, so each is checked
 * once, not once per line. What is remembered is the exact canonical text and signature the check covered, so a
 * record that differs in any byte is checked again. It also counts the signature checks computed for its connection,
 * which the connection's verification budget is measured in.
 *
 * <p>One per connection; not thread-safe.
 */
public final class IdentityMemo {
    private byte[] senderCore;
    private byte[] senderSignature;
    private byte[] receiverCore;
    private byte[] receiverSignature;
    private long computed;

    /** @return the signature checks computed for this connection so far (not answered by a memo or the cache). */
    public long checksComputed() {
        return computed;
    }

    void computed() {
        computed++;
    }

    boolean remembers(boolean sender, byte[] core, byte[] signature) {
        return sender ? Arrays.equals(core, senderCore) && Arrays.equals(signature, senderSignature)
                : Arrays.equals(core, receiverCore) && Arrays.equals(signature, receiverSignature);
    }

    void remember(boolean sender, byte[] core, byte[] signature) {
        if (sender) {
            senderCore = core;
            senderSignature = signature;
        } else {
            receiverCore = core;
            receiverSignature = signature;
        }
    }
}
