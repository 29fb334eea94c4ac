package org.summoner.relay.cluster;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the intake keeps of names other nodes send (their presence rates, their standing, their line streams): the
 * {@code most} used last, the least recently used forgotten first, so names made up by the thousand cost a bounded
 * map. Not thread-safe: the backplane's one receiving thread uses it.
 */
final class Recent<K, V> extends LinkedHashMap<K, V> {
    private final int most;

    Recent(int most) {
        super(16, 0.75f, true);
        this.most = most;
    }

    @Override
    protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
        return size() > most;
    }
}
