package org.summoner.relay.core;

import java.util.Collections;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Which identities are bound to connections now (SPEC section 7, "Binding"): from a fingerprint to its binding, which
 * every connection bound to that fingerprint shares while at least one of them is open, and whose {@link Route} a
 * router uses to address them all, whatever engine thread owns each. Bounded by the connections: a binding is
 * removed with the last connection bound to it, and a later one gets a new id.
 *
 * <p>Thread-safe: sessions bind and leave on their own threads; routers look up on theirs.
 */
public final class Bindings {
    /** One identity's connections: how many are bound to it now, and the route to all of them. */
    public static final class Binding {
        private final String fingerprint;
        private final long id;
        private final Route route;
        private int connections;

        private Binding(String fingerprint, long id) {
            this.fingerprint = fingerprint;
            this.id = id;
            this.route = Route.toBinding(id, fingerprint);
        }

        public String fingerprint() {
            return fingerprint;
        }

        public long id() {
            return id;
        }

        public Route route() {
            return route;
        }
    }

    private final ConcurrentHashMap<String, Binding> byFingerprint = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();

    /** @return the binding of {@code fingerprint} now, or null when no connection is bound to it. */
    public Binding find(String fingerprint) {
        return byFingerprint.get(fingerprint);
    }

    /** @return the fingerprints bound now: a weakly consistent view (the cluster's presence reads it on its thread). */
    public Set<String> fingerprints() {
        return Collections.unmodifiableSet(byFingerprint.keySet());
    }

    /** @return the identities bound now. */
    public int size() {
        return byFingerprint.size();
    }

    /** A connection is bound to {@code fingerprint}. */
    Binding bind(String fingerprint) {
        return byFingerprint.compute(fingerprint, (fp, binding) -> {
            final Binding bound = binding != null ? binding : new Binding(fp, ids.incrementAndGet());
            bound.connections++;
            return bound;
        });
    }

    /** A connection bound to {@code binding} closed. */
    void release(Binding binding) {
        byFingerprint.computeIfPresent(binding.fingerprint, (fp, current) -> {
            if (current != binding) {
                return current;
            }
            current.connections--;
            return current.connections == 0 ? null : current;
        });
    }
}
