package org.summoner.relay.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

import java.io.IOException;
import java.lang.reflect.Method;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The list of {@link KnownFindings} stays honest: every input kept as {@code finding-<id>-...} under a fuzz target's
 * inputs directory still makes that target hit finding {@code <id>}. The fuzz targets tolerate a listed finding, so
 * their own regression run stays green while it is unfixed; this test fails once the core is fixed, with what to do:
 * delete the finding from {@link KnownFindings} and rename its inputs to {@code regression-<id>-...}, which the
 * targets then replay as plain regression cases that must pass.
 *
 * <p>Each target runs here as Jazzer runs it in regression mode (a JUnit launcher inside this test, so its inputs
 * are read and decoded by Jazzer itself), and the findings tolerated during each input are collected per input.
 */
final class KnownFindingsTest {
    private static final List<String> TARGETS = List.of("org.summoner.relay.core.LinePathFuzzTarget",
            "org.summoner.relay.identity.AuroraVerifierFuzzTarget", "org.summoner.relay.core.ClusterIntakeFuzzTarget");
    private static final Pattern KEPT = Pattern.compile("finding-(F[0-9]+)-.*");

    @TestFactory
    List<DynamicTest> every_kept_finding_input_still_hits_its_listed_finding_until_the_core_is_fixed() throws Exception {
        final List<DynamicTest> tests = new ArrayList<>();
        for (String name : TARGETS) {
            final Class<?> target = Class.forName(name);
            final Method method = fuzzTest(target);
            Map<String, Set<KnownFindings.Finding>> hitsByInput = null;
            for (Path input : inputs(target, method)) {
                final Matcher kept = KEPT.matcher(input.getFileName().toString());
                if (!kept.matches()) {
                    continue;
                }
                if (hitsByInput == null) {
                    hitsByInput = runInRegressionMode(target, method);
                }
                final Set<KnownFindings.Finding> hits = hitsByInput.getOrDefault(input.getFileName().toString(), Set.of());
                final KnownFindings.Finding finding = KnownFindings.Finding.valueOf(kept.group(1));
                tests.add(DynamicTest.dynamicTest(target.getSimpleName() + " " + input.getFileName(), () ->
                        assertTrue(hits.contains(finding), () -> input.getFileName() + " no longer hits " + finding + " ("
                                + finding.summary() + "); hits: " + hits + ". If the core was fixed: delete " + finding
                                + " from KnownFindings and rename its inputs to regression-" + finding + "-..., which must then"
                                + " pass as they are.")));
            }
        }
        assertFalse(tests.isEmpty() && KnownFindings.Finding.values().length > 0,
                "findings are listed but no finding-* inputs were found under the fuzz targets' inputs directories");
        return tests;
    }

    /** @return the findings each input of the target hit, by input file name, the target run as Jazzer's regression mode runs it. */
    private static Map<String, Set<KnownFindings.Finding>> runInRegressionMode(Class<?> target, Method method) {
        final Map<String, Set<KnownFindings.Finding>> hits = new HashMap<>();
        LauncherFactory.create().execute(LauncherDiscoveryRequestBuilder.request()
                .selectors(DiscoverySelectors.selectMethod(target, method)).build(), new TestExecutionListener() {
            @Override
            public void executionStarted(TestIdentifier test) {
                if (test.isTest()) {
                    KnownFindings.takeHits();
                }
            }

            @Override
            public void executionFinished(TestIdentifier test, TestExecutionResult result) {
                if (test.isTest()) {
                    hits.put(test.getDisplayName(), KnownFindings.takeHits());
                }
            }
        });
        return hits;
    }

    private static Method fuzzTest(Class<?> target) {
        for (Method method : target.getDeclaredMethods()) {
            if (method.isAnnotationPresent(FuzzTest.class) && method.getParameterCount() == 1
                    && method.getParameterTypes()[0] == FuzzedDataProvider.class) {
                return method;
            }
        }
        throw new IllegalStateException(target + " has no @FuzzTest(FuzzedDataProvider) method");
    }

    /** @return the files of the target's inputs directory for the method, as Jazzer's regression mode finds them. */
    private static List<Path> inputs(Class<?> target, Method method) throws IOException, URISyntaxException {
        final URL url = target.getResource(target.getSimpleName() + "Inputs/" + method.getName());
        if (url == null) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(Path.of(url.toURI()))) {
            return files.filter(Files::isRegularFile).sorted().toList();
        }
    }
}
