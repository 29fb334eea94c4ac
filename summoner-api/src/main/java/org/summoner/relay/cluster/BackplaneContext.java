package org.summoner.relay.cluster;

import org.summoner.relay.config.ClusterSettings;

/**
 * What a backplane is made from: the node's {@code cluster} settings (its own section among them, checked by the
 * config reader) and where received frames go.
 *
 * @param settings the {@code cluster} section.
 * @param receiver the core's side, for every frame another node published.
 */
public record BackplaneContext(ClusterSettings settings, Backplane.Receiver receiver) {
    /** @return this node's name. */
    public String node() {
        return settings.node();
    }
}
