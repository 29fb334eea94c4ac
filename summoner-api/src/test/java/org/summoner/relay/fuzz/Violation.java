package org.summoner.relay.fuzz;

/**
 * A fuzz target's invariant broken: which rule (a short id the known findings match on) and what was seen. An
 * {@link AssertionError}, so a fuzz target that throws it fails with the message.
 *
 * <p>Public because the targets of three packages share it.
 */
public final class Violation extends AssertionError {
    private static final long serialVersionUID = 1L;

    private final String rule;

    public Violation(String rule, String message) {
        super("[" + rule + "] " + message);
        this.rule = rule;
    }

    public Violation(String rule, String message, Throwable cause) {
        super("[" + rule + "] " + message, cause);
        this.rule = rule;
    }

    /** @return the rule's id, e.g. {@code line-bound}. */
    public String rule() {
        return rule;
    }

    /** Throws a violation of {@code rule} unless {@code holds}; the message is built only then. */
    public static void check(boolean holds, String rule, java.util.function.Supplier<String> message) {
        if (!holds) {
            throw new Violation(rule, message.get());
        }
    }
}
