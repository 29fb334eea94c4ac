package org.summoner.relay.cluster;

import org.summoner.relay.config.ClusterSettings;
import org.summoner.relay.config.ConfigException;
import org.summoner.relay.config.ConfigSection;

/**
 * What a backplane is made from: the node's {@code cluster} settings, its own section {@code cluster.<backplane>}
 * to read as an engine reads its own, and where received frames go.
 */
public final class BackplaneContext {
    private final ClusterSettings settings;
    private final Backplane.Receiver receiver;
    private final ConfigSection section;

    /**
     * @param settings the {@code cluster} section.
     * @param receiver the core's side, for every frame another node published.
     * @throws ConfigException when {@code cluster.<backplane>} is not a JSON object.
     */
    public BackplaneContext(ClusterSettings settings, Backplane.Receiver receiver) {
        this.settings = settings;
        this.receiver = receiver;
        this.section = settings.section();
    }

    /** @return the {@code cluster} section. */
    public ClusterSettings settings() {
        return settings;
    }

    /** @return the core's side, for every frame another node published. */
    public Backplane.Receiver receiver() {
        return receiver;
    }

    /** @return this node's name. */
    public String node() {
        return settings.node();
    }

    /**
     * @return {@code cluster.<backplane>}, with the checks and error messages of every other key; the keys the backplane
     *         does not read ({@link ConfigSection#warnUnknown()}) are logged as warnings when the node is made.
     */
    public ConfigSection section() {
        return section;
    }
}
