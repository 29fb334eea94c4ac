package org.summoner.relay.core;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.summoner.relay.wire.ServerNotice;

import java.util.Set;

/**
 * Brings one engine thread's sessions in line with settings a reload published ({@link RelayCore#reload}), on that
 * thread, at its timed duties. A connection the new {@code peer_trust} no longer admits is told and closed as an idle
 * client is: its address now outside {@code allow_networks} or inside {@code deny_networks}
 * ({@link ServerNotice#NOT_ALLOWED}, what a new connection from there is told), or its bound identity no longer in
 * {@code allowed_fingerprints} ({@link ServerNotice#IDENTITY_NOT_ALLOWED}). The others stay: their trust is looked up
 * again, and when {@code handshake.required} was lifted, those still waiting to bind are released.
 *
 * <p>One per dispatcher, called on its thread only; allocates nothing.
 */
final class ReloadPass {
    private static final Logger log = LoggerFactory.getLogger(ReloadPass.class);

    private final RelayCore core;
    /** The generation of the settings this thread's sessions were last brought in line with. */
    private int applied;

    ReloadPass(RelayCore core) {
        this.core = core;
        this.applied = core.live().generation;
    }

    /** @return whether a reload published settings this thread has not applied: its timed duties are due now. */
    boolean due() {
        return core.live().generation != applied;
    }

    /**
     * @return when the idle sweep is next due: from now at the new {@code timeout_check_interval_secs} after a reload,
     *         else {@code nextIdleSweepNanos}. One volatile read when nothing changed.
     */
    long applyIfDue(Dispatcher dispatcher, long nextIdleSweepNanos) {
        final LiveSettings settings = core.live();
        if (settings.generation == applied) {
            return nextIdleSweepNanos;
        }
        applied = settings.generation;
        run(dispatcher, settings);
        return dispatcher.now() + settings.policy.idleCheckIntervalNanos();
    }

    private static void run(Dispatcher dispatcher, LiveSettings settings) {
        final long now = dispatcher.now();
        final Set<String> identities = settings.allowedFingerprints;
        int refused = 0;
        for (int i = dispatcher.sessionCount() - 1; i >= 0; i--) { // a session closed at once leaves; the last takes its place
            final Session session = dispatcher.session(i);
            if (session.state() != Session.State.OPEN) {
                continue;
            }
            try {
                final ServerNotice refusal = !settings.policy.admission().allows(session.address()) ? ServerNotice.NOT_ALLOWED
                        : identities != null && session.fingerprint() != null && !identities.contains(session.fingerprint())
                        ? ServerNotice.IDENTITY_NOT_ALLOWED : null;
                if (refusal != null) {
                    refused++;
                    log.debug("{} no longer admitted after a reload ({}); disconnecting", session.remoteAddr(), refusal);
                    session.sayGoodbye(refusal, now + Dispatcher.LINGER_NANOS);
                    continue;
                }
                session.lines().retrust();
                if (!settings.handshakeRequired && session.startedAtMillis() != 0 && session.identity().mustBind()) {
                    session.identity().handshakeLifted();
                }
            } catch (Throwable error) {
                session.fault(Faults.Where.TIMER, error);
            }
        }
        if (refused > 0) {
            log.info("{} connection(s) told and closed: the reloaded configuration no longer admits them", refused);
        }
    }
}
