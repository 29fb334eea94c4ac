package org.summoner.relay.server;

import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * No package of the project's main code is in an import circle (issue 26), as the JVM sees it: the JDK's
 * {@code jdeps} lists each package's dependencies in the compiled classes of every module the server jar holds (the
 * API and core, the selector loop, every engine and backplane), and a strongly connected component (Tarjan) of more
 * than one package is a circle. {@code tools/package-cycles.py} is the same check from a shell.
 */
class PackageCyclesTest {
    private static final Pattern EDGE = Pattern.compile("^\\s+(org\\.summoner\\.\\S+)\\s+->\\s+(org\\.summoner\\.\\S+)");

    @Test
    void no_package_is_in_an_import_circle() {
        final List<String> modules = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (entry.contains("summoner-") && !entry.contains("test-classes") && !entry.contains("summoner-tck")) {
                modules.add(entry); // target/classes in the reactor, the installed jar otherwise
            }
        }
        assertTrue(modules.size() >= 8, "the API, the selector, 4 engines, 2 backplanes on the class path: " + modules);
        final Map<String, Set<String>> edges = dependencies(modules);
        assertTrue(edges.containsKey("org.summoner.relay.core"), "jdeps saw the core: " + edges.keySet());
        assertEquals(List.of(), circles(edges), "packages in an import circle");
    }

    private static Map<String, Set<String>> dependencies(List<String> modules) {
        final ToolProvider jdeps = ToolProvider.findFirst("jdeps").orElseThrow(() -> new AssertionError("no jdeps in this JDK"));
        final List<String> args = new ArrayList<>(List.of("-verbose:package", "-filter:none", "-e", "org\\.summoner\\..*"));
        args.addAll(modules);
        final StringWriter out = new StringWriter();
        final int status = jdeps.run(new PrintWriter(out), new PrintWriter(out), args.toArray(String[]::new));
        assertEquals(0, status, out.toString());
        final Map<String, Set<String>> edges = new TreeMap<>();
        for (String line : out.toString().split("\n")) {
            final Matcher edge = EDGE.matcher(line);
            if (edge.find() && !edge.group(1).equals(edge.group(2))) {
                edges.computeIfAbsent(edge.group(1), k -> new TreeSet<>()).add(edge.group(2));
                edges.computeIfAbsent(edge.group(2), k -> new TreeSet<>());
            }
        }
        return edges;
    }

    /** Tarjan's strongly connected components; those of more than one package, each sorted. */
    private static List<Set<String>> circles(Map<String, Set<String>> edges) {
        final Map<String, Integer> index = new HashMap<>();
        final Map<String, Integer> low = new HashMap<>();
        final Deque<String> stack = new ArrayDeque<>();
        final Set<String> onStack = new TreeSet<>();
        final List<Set<String>> found = new ArrayList<>();
        final int[] counter = {0};
        for (String start : edges.keySet()) {
            if (!index.containsKey(start)) {
                visit(start, edges, index, low, stack, onStack, found, counter);
            }
        }
        return found;
    }

    private static void visit(String v, Map<String, Set<String>> edges, Map<String, Integer> index, Map<String, Integer> low,
                              Deque<String> stack, Set<String> onStack, List<Set<String>> found, int[] counter) {
        index.put(v, counter[0]);
        low.put(v, counter[0]);
        counter[0]++;
        stack.push(v);
        onStack.add(v);
        for (String w : edges.get(v)) {
            if (!index.containsKey(w)) {
                visit(w, edges, index, low, stack, onStack, found, counter);
                low.put(v, Math.min(low.get(v), low.get(w)));
            } else if (onStack.contains(w)) {
                low.put(v, Math.min(low.get(v), index.get(w)));
            }
        }
        if (low.get(v).equals(index.get(v))) {
            final Set<String> component = new TreeSet<>();
            String w;
            do {
                w = stack.pop();
                onStack.remove(w);
                component.add(w);
            } while (!w.equals(v));
            if (component.size() > 1) {
                found.add(component);
            }
        }
    }
}
