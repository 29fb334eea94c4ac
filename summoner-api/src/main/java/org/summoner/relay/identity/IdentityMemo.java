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
    /** While set, checks no cache answers are gathered there and taken as valid, not computed ({@link #deferTo}). */
    private DeferredChecks deferTo;
    /** The checks computed elsewhere for the line being verified again ({@link #answerWith}). */
    private DeferredChecks answers;

    /** @return the signature checks computed for this connection so far (not answered by a memo or the cache). */
    public long checksComputed() {
        return computed;
    }

    void computed() {
        computed++;
    }

    /**
     * From now until it is called with null, the checks of this connection's lines that no memo or cache answers are
     * gathered in {@code checks} instead of computed, and taken as valid so that the line's others are gathered too;
     * a verdict reached meanwhile is {@link AuroraVerifier#PENDING}, and no identity record is remembered on its
     * strength. The caller then has them computed and verifies the line again with {@link #answerWith}.
     */
    public void deferTo(DeferredChecks checks) {
        deferTo = checks;
    }

    /** From now until it is called with null, the results of {@code checks} answer the checks they hold. */
    public void answerWith(DeferredChecks checks) {
        answers = checks;
    }

    /** @return whether a check of the line under verification was deferred: its verdict is not known yet. */
    public boolean deferred() {
        return deferTo != null && deferTo.count() > 0;
    }

    int answer(long a, long b, long c, long d) {
        return answers == null ? -1 : answers.answer(a, b, c, d);
    }

    boolean defers(SignatureCache cache, byte[] key, byte[] message, byte[] signature, long a, long b, long c, long d) {
        if (deferTo == null) {
            return false;
        }
        deferTo.gather(cache, key, message, signature, a, b, c, d);
        return true;
    }

    boolean remembers(boolean sender, byte[] core, byte[] signature) {
        return sender ? Arrays.equals(core, senderCore) && Arrays.equals(signature, senderSignature)
                : Arrays.equals(core, receiverCore) && Arrays.equals(signature, receiverSignature);
    }

    void remember(boolean sender, byte[] core, byte[] signature) {
        if (deferred()) {
            return; // taken as valid while its checks wait: a record is remembered only once it is proved
        }
        if (sender) {
            senderCore = core;
            senderSignature = signature;
        } else {
            receiverCore = core;
            receiverSignature = signature;
        }
    }
}
