package org.summoner.relay.tck;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The wire contract over TLS: the kit's core sections ({@link EnvelopeSection}, {@link FramingSection},
 * {@link DeliverySection}, {@link LifecycleSection}), unchanged, against a server with {@code tls} (the kit's
 * certificate, {@link KitTls}) and clients that speak TLS to it. The same tests as {@link RelayEngineCompatibilityKit}'s
 * sections, with one more section in every configuration: {@link KitHarness#overTls()} follows it. An engine's test
 * subclasses it and names the engine:
 *
 * <pre>{@code
 * class NioTlsCompatibilityTest extends RelayEngineTlsKit {
 *     protected String engineName() { return "nio"; }
 * }
 * }</pre>
 */
public abstract class RelayEngineTlsKit {
    /** @return the engine under test, as the config's {@code "version"} names it (e.g. {@code nio}). */
    protected abstract String engineName();

    /** @return the engine's own sections, if any, to which the kit adds {@code tls}. */
    protected Map<String, ?> engineSections() {
        return Map.of();
    }

    private Map<String, ?> sectionsWithTls() {
        final Map<String, Object> sections = new LinkedHashMap<>(engineSections());
        sections.put("tls", KitTls.serverSection());
        return sections;
    }

    @Nested
    @DisplayName("SPEC 3 over TLS: the envelope")
    class Envelopes extends EnvelopeSection {
        @Override
        protected String engineName() {
            return RelayEngineTlsKit.this.engineName();
        }

        @Override
        protected Map<String, ?> engineSections() {
            return sectionsWithTls();
        }
    }

    @Nested
    @DisplayName("SPEC 2 over TLS: transport and framing")
    class Framing extends FramingSection {
        @Override
        protected String engineName() {
            return RelayEngineTlsKit.this.engineName();
        }

        @Override
        protected Map<String, ?> engineSections() {
            return sectionsWithTls();
        }
    }

    @Nested
    @DisplayName("SPEC 4 over TLS: delivery")
    class Delivery extends DeliverySection {
        @Override
        protected String engineName() {
            return RelayEngineTlsKit.this.engineName();
        }

        @Override
        protected Map<String, ?> engineSections() {
            return sectionsWithTls();
        }
    }

    @Nested
    @DisplayName("SPEC 5 over TLS: server lines and lifecycle")
    class Lifecycle extends LifecycleSection {
        @Override
        protected String engineName() {
            return RelayEngineTlsKit.this.engineName();
        }

        @Override
        protected Map<String, ?> engineSections() {
            return sectionsWithTls();
        }
    }
}
