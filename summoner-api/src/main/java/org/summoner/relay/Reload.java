package org.summoner.relay;

import java.util.List;
import java.util.Objects;

/**
 * What a reload of the configuration did ({@link RunningServer#reload()}): applied, with the keys whose new values
 * now apply and those that changed but need a restart (left as they were); or refused, with the message a start
 * would have printed for the same file, the running configuration unchanged.
 *
 * @param applied     whether the new configuration applies now.
 * @param changed     the keys (dotted, as in the file) whose new values apply now, sorted; empty when refused.
 * @param needRestart the keys that changed but need a restart, left as they were, sorted; empty when refused.
 * @param error       why it was refused (a {@code ConfigException}'s message, as a start prints it after
 *                    {@code error: }), or null when applied.
 */
public record Reload(boolean applied, List<String> changed, List<String> needRestart, String error) {
    public Reload {
        changed = List.copyOf(changed);
        needRestart = List.copyOf(needRestart);
        if (applied == (error != null)) {
            throw new IllegalArgumentException("a reload is applied or has an error, not both: " + error);
        }
    }

    static Reload applied(List<String> changed, List<String> needRestart) {
        return new Reload(true, changed, needRestart, null);
    }

    static Reload refused(String error) {
        return new Reload(false, List.of(), List.of(), Objects.requireNonNull(error, "error"));
    }
}
