package org.summoner.relay.core;

import java.nio.charset.StandardCharsets;

/**
 * Where one relayed line goes: which sessions, other than its sender, get its envelope. A route is chosen once
 * per line by the {@link Router} on the sender's thread and evaluated per recipient, on whichever engine thread
 * owns it, by {@link #includes(Session)}. It is a kind and one {@code long} target, so an engine that moves lines
 * between threads as bytes (the Agrona engine's rings) carries it as two numbers and evaluates it with
 * {@link #includes(int, long, Session)}, the same rule.
 *
 * <p>Immutable and thread-safe. The routes a router returns are canonical instances (constants, or one per
 * session), so choosing one allocates nothing.
 */
public final class Route {
    /** Kind: nobody (the line binds or is consumed, and is not relayed). */
    public static final int KIND_NONE = 0;
    /** Kind: every session but the sender (SPEC section 4). */
    public static final int KIND_BROADCAST = 1;
    /** Kind: the one session whose {@link Session#id()} is the target. */
    public static final int KIND_SESSION = 2;
    /** Kind: every session bound to one identity, the target being the {@link Bindings.Binding#id()} of the binding. */
    public static final int KIND_BINDING = 3;
    /** Kind: every session bound as a host ({@code routing: hosted}, {@code hybrid}). */
    public static final int KIND_HOSTS = 4;
    /** Kind: every session that is not a host. */
    public static final int KIND_PARTICIPANTS = 5;

    /** Nobody. */
    public static final Route NONE = new Route(KIND_NONE, 0);
    /** Every other session. */
    public static final Route BROADCAST = new Route(KIND_BROADCAST, 0);
    /** Every host. */
    public static final Route HOSTS = new Route(KIND_HOSTS, 0);
    /** Every session but the hosts. */
    public static final Route PARTICIPANTS = new Route(KIND_PARTICIPANTS, 0);

    /** The target of a route to sessions on other nodes only: no local session or binding has it. */
    public static final long ELSEWHERE = -1;

    private final int kind;
    private final long target;
    private final String name;
    private final byte[] nameBytes;

    private Route(int kind, long target, String name) {
        this.kind = kind;
        this.target = target;
        this.name = name;
        this.nameBytes = name == null ? new byte[0] : name.getBytes(StandardCharsets.UTF_8);
    }

    private Route(int kind, long target) {
        this(kind, target, null);
    }

    /** @return a route to one session; {@link Session#route()} holds the canonical one. */
    static Route toSession(long sessionId, String remoteAddr) {
        return new Route(KIND_SESSION, sessionId, remoteAddr);
    }

    /** @return a route to the sessions of one binding; {@link Bindings.Binding#route()} holds the canonical one. */
    static Route toBinding(long bindingId, String fingerprint) {
        return new Route(KIND_BINDING, bindingId, fingerprint);
    }

    /**
     * @return a route to what {@code name} names on other nodes of a cluster only: the connections bound to an identity
     *         ({@link #KIND_BINDING}) or a participant by address ({@link #KIND_SESSION}); it includes no local session.
     *         The cluster's directory holds the canonical ones.
     */
    public static Route elsewhere(int kind, String name) {
        if (kind != KIND_BINDING && kind != KIND_SESSION) {
            throw new IllegalArgumentException("only identity and participant routes name a target elsewhere: " + kind);
        }
        return new Route(kind, ELSEWHERE, name);
    }

    public int kind() {
        return kind;
    }

    public long target() {
        return target;
    }

    /**
     * @return what the route names beyond this node: the identity's fingerprint ({@link #KIND_BINDING}), the
     *         participant's {@code remote_addr} ({@link #KIND_SESSION}); null for the other kinds.
     */
    public String name() {
        return name;
    }

    /** @return {@link #name()} as UTF-8, made once per route (empty when it names nothing); not to be modified. */
    public byte[] nameBytes() {
        return nameBytes;
    }

    /** @return whether it may include a session of this node (a route {@link #elsewhere} includes none). */
    public boolean isLocal() {
        return target != ELSEWHERE && kind != KIND_NONE;
    }

    public boolean isBroadcast() {
        return kind == KIND_BROADCAST;
    }

    /**
     * @return whether {@code recipient} gets the line: it receives ({@link Session#isReceiving()}) and the route
     *         includes it; the sender is excluded by the caller, who knows it.
     */
    public boolean includes(Session recipient) {
        return includes(kind, target, recipient);
    }

    /**
     * @return whether a broadcast reaches {@code recipient}, not its sender: whether it receives at all. The rule of
     *         an engine's shortcut for a batch of broadcasts only, so the shortcut and {@link #includes} agree.
     */
    public static boolean getsBroadcast(Session recipient) {
        return recipient.isReceiving();
    }

    /** The rule of {@link #includes(Session)} for a route carried as its kind and target. */
    public static boolean includes(int kind, long target, Session recipient) {
        return getsBroadcast(recipient) && switch (kind) {
            case KIND_BROADCAST -> true;
            case KIND_SESSION -> recipient.id() == target;
            case KIND_BINDING -> recipient.bindingId() == target;
            case KIND_HOSTS -> recipient.isHost();
            case KIND_PARTICIPANTS -> !recipient.isHost();
            default -> false;
        };
    }

    @Override
    public String toString() {
        return switch (kind) {
            case KIND_NONE -> "none";
            case KIND_BROADCAST -> "broadcast";
            case KIND_SESSION -> "session " + target;
            case KIND_BINDING -> "binding " + target;
            case KIND_HOSTS -> "hosts";
            case KIND_PARTICIPANTS -> "participants";
            default -> "kind " + kind + " target " + target;
        };
    }
}
