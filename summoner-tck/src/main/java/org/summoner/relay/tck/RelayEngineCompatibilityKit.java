package org.summoner.relay.tck;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;

import java.util.Map;

/**
 * The relay contract ({@code SPEC.md}), checked over real loopback sockets against one engine: one section per part
 * of the contract ({@link EnvelopeSection}, {@link FramingSection}, {@link DeliverySection}, {@link LifecycleSection},
 * {@link FairUseSection}, {@link BackpressureSection}, {@link DedicatedSection}, {@link DedicatedAbuseSection}, {@link HostedSection}, {@link HybridSection}, {@link PeerTrustSection},
 * {@link HandshakeSection}, {@link TlsSection}, {@link TlsRenegotiationSection}, {@link MonitoringSection}, {@link MonitoringListenerSection}, {@link FaultSection}, {@link LivenessSection}, {@link DrainSection}, {@link ReloadSection}), each a {@link KitHarness}, run here as {@code @Nested} tests. An engine's test subclasses it
 * and names the engine:
 *
 * <pre>{@code
 * class NioCompatibilityTest extends RelayEngineCompatibilityKit {
 *     protected String engineName() { return "nio"; }
 * }
 * }</pre>
 *
 * <p>Expected bytes are written out by hand in the sections, independent of the API's own encoder.
 */
public abstract class RelayEngineCompatibilityKit {
    /**
     * @return the engine under test, as the config's {@code "version"} names it (e.g. {@code nio}).
     */
    protected abstract String engineName();

    /** @return top-level sections added to every configuration of the kit (see {@link KitHarness#engineSections()}). */
    protected Map<String, ?> engineSections() {
        return Map.of();
    }

    @Nested
    @DisplayName("SPEC 3: the envelope")
    class Envelopes extends EnvelopeSection {
        @Override
        protected String engineName() {
            return RelayEngineCompatibilityKit.this.engineName();
        }

        @Override
        protected Map<String, ?> engineSections() {
            return RelayEngineCompatibilityKit.this.engineSections();
        }
    }

    @Nested
    @DisplayName("SPEC 2: transport and framing")
    class Framing extends FramingSection {
        @Override
        protected String engineName() {
            return RelayEngineCompatibilityKit.this.engineName();
        }

        @Override
        protected Map<String, ?> engineSections() {
            return RelayEngineCompatibilityKit.this.engineSections();
        }
    }

    @Nested
    @DisplayName("SPEC 4: delivery")
    class Delivery extends DeliverySection {
        @Override
        protected String engineName() {
            return RelayEngineCompatibilityKit.this.engineName();
        }

        @Override
        protected Map<String, ?> engineSections() {
            return RelayEngineCompatibilityKit.this.engineSections();
        }
    }

    @Nested
    @DisplayName("SPEC 5 and start-up: server lines and lifecycle")
    class Lifecycle extends LifecycleSection {
        @Override
        protected String engineName() {
            return RelayEngineCompatibilityKit.this.engineName();
        }

        @Override
        protected Map<String, ?> engineSections() {
            return RelayEngineCompatibilityKit.this.engineSections();
        }
    }

    @Nested
    @DisplayName("SPEC 6: fair use (hyper_parameters)")
    class FairUse extends FairUseSection {
        @Override
        protected String engineName() {
            return RelayEngineCompatibilityKit.this.engineName();
        }

        @Override
        protected Map<String, ?> engineSections() {
            return RelayEngineCompatibilityKit.this.engineSections();
        }
    }

    @Nested
    @DisplayName("SPEC 4 and 6: backpressure and slow consumers")
    class Backpressure extends BackpressureSection {
        @Override
        protected String engineName() {
            return RelayEngineCompatibilityKit.this.engineName();
        }

        @Override
        protected Map<String, ?> engineSections() {
            return RelayEngineCompatibilityKit.this.engineSections();
        }
    }

    @Nested
    @DisplayName("SPEC 7 and 8: dedicated routing, Aurora identities")
    class Dedicated extends DedicatedSection {
        @Override
        protected String engineName() {
            return RelayEngineCompatibilityKit.this.engineName();
        }

        @Override
        protected Map<String, ?> engineSections() {
            return RelayEngineCompatibilityKit.this.engineSections();
        }
    }

    @Nested
    @DisplayName("SPEC 8: invalid attempts, replays and floods")
    class DedicatedAbuse extends DedicatedAbuseSection {
        @Override
        protected String engineName() {
            return RelayEngineCompatibilityKit.this.engineName();
        }

        @Override
        protected Map<String, ?> engineSections() {
            return RelayEngineCompatibilityKit.this.engineSections();
        }
    }

    @Nested
    @DisplayName("SPEC 7: hosted routing")
    class Hosted extends HostedSection {
        @Override
        protected String engineName() {
            return RelayEngineCompatibilityKit.this.engineName();
        }

        @Override
        protected Map<String, ?> engineSections() {
            return RelayEngineCompatibilityKit.this.engineSections();
        }
    }

    @Nested
    @DisplayName("SPEC 7: hybrid routing")
    class Hybrid extends HybridSection {
        @Override
        protected String engineName() {
            return RelayEngineCompatibilityKit.this.engineName();
        }

        @Override
        protected Map<String, ?> engineSections() {
            return RelayEngineCompatibilityKit.this.engineSections();
        }
    }

    @Nested
    @DisplayName("SPEC 9: peer trust")
    class PeerTrust extends PeerTrustSection {
        @Override
        protected String engineName() {
            return RelayEngineCompatibilityKit.this.engineName();
        }

        @Override
        protected Map<String, ?> engineSections() {
            return RelayEngineCompatibilityKit.this.engineSections();
        }
    }

    @Nested
    @DisplayName("SPEC 9: handshake enforcement")
    class Handshake extends HandshakeSection {
        @Override
        protected String engineName() {
            return RelayEngineCompatibilityKit.this.engineName();
        }

        @Override
        protected Map<String, ?> engineSections() {
            return RelayEngineCompatibilityKit.this.engineSections();
        }
    }

    @Nested
    @DisplayName("SPEC 10: TLS")
    class Tls extends TlsSection {
        @Override
        protected String engineName() {
            return RelayEngineCompatibilityKit.this.engineName();
        }

        @Override
        protected Map<String, ?> engineSections() {
            return RelayEngineCompatibilityKit.this.engineSections();
        }
    }

    @Nested
    @DisplayName("SPEC 10: TLS renegotiation")
    class TlsRenegotiation extends TlsRenegotiationSection {
        @Override
        protected String engineName() {
            return RelayEngineCompatibilityKit.this.engineName();
        }

        @Override
        protected Map<String, ?> engineSections() {
            return RelayEngineCompatibilityKit.this.engineSections();
        }
    }

    @Nested
    @DisplayName("SPEC 10: monitoring")
    class Monitoring extends MonitoringSection {
        @Override
        protected String engineName() {
            return RelayEngineCompatibilityKit.this.engineName();
        }

        @Override
        protected Map<String, ?> engineSections() {
            return RelayEngineCompatibilityKit.this.engineSections();
        }
    }

    @Nested
    @DisplayName("SPEC 10: attacks on the monitoring listener")
    class MonitoringListener extends MonitoringListenerSection {
        @Override
        protected String engineName() {
            return RelayEngineCompatibilityKit.this.engineName();
        }

        @Override
        protected Map<String, ?> engineSections() {
            return RelayEngineCompatibilityKit.this.engineSections();
        }
    }

    @Nested
    @DisplayName("SPEC 10: the fault barrier")
    class FaultBarrier extends FaultSection {
        @Override
        protected String engineName() {
            return RelayEngineCompatibilityKit.this.engineName();
        }

        @Override
        protected Map<String, ?> engineSections() {
            return RelayEngineCompatibilityKit.this.engineSections();
        }
    }

    @Nested
    @DisplayName("SPEC 6: silence and vanished peers")
    class Liveness extends LivenessSection {
        @Override
        protected String engineName() {
            return RelayEngineCompatibilityKit.this.engineName();
        }

        @Override
        protected Map<String, ?> engineSections() {
            return RelayEngineCompatibilityKit.this.engineSections();
        }
    }

    @Nested
    @DisplayName("Operating it: reload")
    class Reloading extends ReloadSection {
        @Override
        protected String engineName() {
            return RelayEngineCompatibilityKit.this.engineName();
        }

        @Override
        protected Map<String, ?> engineSections() {
            return RelayEngineCompatibilityKit.this.engineSections();
        }
    }

    @Nested
    @DisplayName("drain for rolling upgrades: stop accepting, tell and close the clients over a period")
    class Drain extends DrainSection {
        @Override
        protected String engineName() {
            return RelayEngineCompatibilityKit.this.engineName();
        }

        @Override
        protected Map<String, ?> engineSections() {
            return RelayEngineCompatibilityKit.this.engineSections();
        }
    }
}
