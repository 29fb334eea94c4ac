package org.summoner.relay.config;

/**
 * A configuration that cannot be used. The message names the source (a file path, or {@code config map}), the
 * key, what was expected and what was found, e.g.
 * {@code server_config.json: key "port": expected an integer from 0 to 65535, found 70000}.
 */
public final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private static final int MAX_FOUND_CHARS = 80;

    private final String source;
    private final String key;

    public ConfigException(String source, String key, String message, Throwable cause) {
        super(message, cause);
        this.source = source;
        this.key = key;
    }

    /**
     * A key whose value has the wrong type or is out of range.
     */
    static ConfigException invalid(String source, String key, String expected, String found) {
        return new ConfigException(source, key,
                source + ": key \"" + key + "\": expected " + expected + ", found " + abbreviate(found), null);
    }

    /**
     * @return where the configuration came from: a file path as given, or {@code config map}.
     */
    public String source() {
        return source;
    }

    /**
     * @return the dotted key path at fault (e.g. {@code hyper_parameters.worker_threads}), or null when the
     *         whole document is (malformed JSON, unreadable file).
     */
    public String key() {
        return key;
    }

    static String abbreviate(String text) {
        return text.length() <= MAX_FOUND_CHARS ? text : text.substring(0, MAX_FOUND_CHARS - 3) + "...";
    }
}
