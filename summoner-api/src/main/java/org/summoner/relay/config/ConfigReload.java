package org.summoner.relay.config;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a reload does with a configuration read again while the server runs: which keys changed, which of those apply
 * live ({@link #LIVE}) and which need a restart, and the configuration the server goes on with (the new file's live
 * keys, the running values of every other key).
 *
 * <p>Keys are named as in the file, dotted ({@code hyper_parameters.peer_trust.deny_networks}). A key applies live when
 * it or a section above it is in {@link #LIVE}; anything else that changed (host, port, version, the routing mode,
 * the limits engines size their buffers by, {@code monitoring}, {@code cluster}, an engine's own section, turning
 * {@code tls} on or off) is left as it was.
 *
 * <p>Pure and immutable: comparing allocates, so it runs on the reloading thread, never on a relay thread.
 */
public final class ConfigReload {
    /** The keys (and sections) a running server applies live. */
    public static final List<String> LIVE = List.of(
            "logger",
            "hyper_parameters.client_timeout_secs",
            "hyper_parameters.timeout_check_interval_secs",
            "hyper_parameters.rate_limit_msgs_per_minute",
            "hyper_parameters.throttle_delay_ms",
            "hyper_parameters.flow_control_delay_ms",
            "hyper_parameters.backpressure_policy",
            "hyper_parameters.quarantine_cooldown_secs",
            "hyper_parameters.max_connections",
            "hyper_parameters.peer_trust",
            "hyper_parameters.dedicated_relay.allowed_fingerprints",
            "hyper_parameters.dedicated_relay.communication_graph",
            "hyper_parameters.dedicated_relay.policy",
            "hyper_parameters.handshake",
            "tls.cert",
            "tls.key",
            "tls.client_ca",
            "tls.handshake_timeout_secs",
            "drain.period_secs");

    /**
     * The live keys every node of a cluster must agree on (its {@code Agreement}, sent in each presence): in a cluster
     * they need a restart of every node, since a node whose settings differ is refused by the others.
     */
    public static final List<String> CLUSTER_AGREED = List.of(
            "hyper_parameters.peer_trust.allowed_fingerprints",
            "hyper_parameters.dedicated_relay.allowed_fingerprints",
            "hyper_parameters.dedicated_relay.communication_graph",
            "hyper_parameters.handshake.required",
            "hyper_parameters.handshake.challenge");

    /** Record components whose key in the file is not their name in snake case. */
    private static final Map<String, String> KEYS = Map.of(
            "hyper_parameters.routing.mode", "hyper_parameters.routing",
            "hyper_parameters.routing.dedicated", "hyper_parameters.dedicated_relay",
            "hyper_parameters.routing.host_fingerprints", "hyper_parameters.hosted_relay.host_fingerprints");

    private final ServerConfig effective;
    private final List<String> applied;
    private final List<String> restart;

    private ConfigReload(ServerConfig effective, List<String> applied, List<String> restart) {
        this.effective = effective;
        this.applied = applied;
        this.restart = restart;
    }

    /**
     * @param running the configuration the server runs with (after any command-line flags).
     * @param next    the configuration read again, the same flags applied.
     */
    public static ConfigReload compare(ServerConfig running, ServerConfig next) {
        final TreeSet<String> applied = new TreeSet<>();
        final TreeSet<String> restart = new TreeSet<>();
        final Changes changes = new Changes(applied, restart, running.cluster().isPresent());
        changes.leaf("host", running.host().orElse(null), next.host().orElse(null));
        changes.leaf("port", running.port().isPresent() ? running.port().getAsInt() : null,
                next.port().isPresent() ? next.port().getAsInt() : null);
        changes.leaf("version", running.version().orElse(null), next.version().orElse(null));
        final LoggerSettings logger = (LoggerSettings) changes.merge("logger", running.logger(), next.logger());
        final HyperParameters hyper = (HyperParameters) changes.merge("hyper_parameters", running.hyperParameters(), next.hyperParameters());
        changes.leaf("monitoring", running.monitoring(), next.monitoring());
        final TlsSettings tls = changes.tls(running.tls().orElse(null), next.tls().orElse(null));
        final DrainSettings drain = (DrainSettings) changes.merge("drain", running.drain(), next.drain()); // reuse_port: at bind
        changes.leaf("verification", running.verification(), next.verification()); // its threads are made at start
        changes.leaf("cluster", running.cluster().map(ConfigReload::clusterKey).orElse(null),
                next.cluster().map(ConfigReload::clusterKey).orElse(null));
        for (String name : union(running.others().keySet(), next.others().keySet())) {
            changes.leaf(name, running.others().get(name), next.others().get(name)); // an engine's own section
        }
        final ServerConfig effective = new ServerConfig(next.source(), running.host().orElse(null),
                running.port().isPresent() ? running.port().getAsInt() : null, running.version().orElse(null), logger,
                hyper, running.monitoring(), tls, running.cluster().orElse(null), drain, running.verification(), next.warnings(), running.others());
        return new ConfigReload(effective, List.copyOf(applied), List.copyOf(restart));
    }

    /** @return whether {@code key} (dotted, as in the file) applies live on a relay alone. */
    public static boolean isLive(String key) {
        return within(key, LIVE);
    }

    /** @return whether {@code key} applies live on a relay that is a node of a cluster ({@code clustered}) or not. */
    public static boolean isLive(String key, boolean clustered) {
        return within(key, LIVE) && !(clustered && within(key, CLUSTER_AGREED));
    }

    private static boolean within(String key, List<String> sections) {
        for (String section : sections) {
            if (key.equals(section) || key.startsWith(section + ".")) {
                return true;
            }
        }
        return false;
    }

    /** @return the configuration to run with: the new live keys, the running value of every other key. */
    public ServerConfig effective() {
        return effective;
    }

    /** @return the keys whose new values apply now, sorted. */
    public List<String> applied() {
        return applied;
    }

    /** @return the keys that changed but need a restart: left as they were, sorted. */
    public List<String> needRestart() {
        return restart;
    }

    private static List<Object> clusterKey(ClusterSettings cluster) {
        return Arrays.asList(cluster.backplane(), cluster.node(), cluster.settings(), cluster.secret() != null);
    }

    private static TreeSet<String> union(Set<String> a, Set<String> b) {
        final TreeSet<String> all = new TreeSet<>(a);
        all.addAll(b);
        return all;
    }

    /** Walks two values of one key, recording what changed, and returns the value to run with. */
    private record Changes(TreeSet<String> applied, TreeSet<String> restart, boolean clustered) {
        void leaf(String key, Object running, Object next) {
            if (!same(running, next)) {
                (isLive(key, clustered) ? applied : restart).add(key);
            }
        }

        /** @return {@code next} where live, {@code running} elsewhere, rebuilt record by record. */
        Object merge(String key, Object running, Object next) {
            if (running == null || next == null || !running.getClass().isRecord() || running.getClass() != next.getClass()) {
                leaf(key, running, next);
                return isLive(key, clustered) ? next : running;
            }
            final RecordComponent[] components = running.getClass().getRecordComponents();
            final Object[] values = new Object[components.length];
            final Class<?>[] types = new Class<?>[components.length];
            try {
                for (int i = 0; i < components.length; i++) {
                    final String child = KEYS.getOrDefault(key + "." + snake(components[i].getName()), key + "." + snake(components[i].getName()));
                    values[i] = merge(child, components[i].getAccessor().invoke(running), components[i].getAccessor().invoke(next));
                    types[i] = components[i].getType();
                }
                final Constructor<?> canonical = running.getClass().getDeclaredConstructor(types);
                return canonical.newInstance(values);
            } catch (NoSuchMethodException | InstantiationException | IllegalAccessException | InvocationTargetException e) {
                throw new IllegalStateException("cannot rebuild " + running.getClass().getSimpleName() + " for a reload: " + e, e);
            }
        }

        /** {@code tls}: on or off needs a restart (engines decide it at start); its material and timeout apply live. */
        TlsSettings tls(TlsSettings running, TlsSettings next) {
            if (running == null || next == null) {
                leaf("tls", running == null ? null : "on", next == null ? null : "on");
                return running;
            }
            leaf("tls.cert", List.of(running.cert(), running.chain()), List.of(next.cert(), next.chain()));
            leaf("tls.key", List.of(running.key(), running.privateKey()), List.of(next.key(), next.privateKey()));
            leaf("tls.client_ca", Arrays.asList(running.clientCa(), running.clientIssuers()),
                    Arrays.asList(next.clientCa(), next.clientIssuers()));
            leaf("tls.handshake_timeout_secs", running.handshakeTimeoutSecs(), next.handshakeTimeoutSecs());
            return next;
        }
    }

    /** Values that define no {@code equals} of their own are compared by what they were read from. */
    private static boolean same(Object a, Object b) {
        if (a instanceof NetworkSet x && b instanceof NetworkSet y) {
            return x.texts().equals(y.texts());
        }
        return Objects.equals(a, b);
    }

    private static String snake(String name) {
        final StringBuilder out = new StringBuilder(name.length() + 4);
        for (int i = 0; i < name.length(); i++) {
            final char c = name.charAt(i);
            if (Character.isUpperCase(c)) {
                out.append('_').append(Character.toLowerCase(c));
            } else {
                out.append(c);
            }
        }
        return out.toString().toLowerCase(Locale.ROOT);
    }
}
