#!/usr/bin/env python3
"""Import circles between packages, as the JVM sees them: jdeps (from the JDK) lists each package's dependencies in
compiled classes; a strongly connected component (Tarjan) of more than one package is a circle.

    tools/package-cycles.py summoner-api/target/classes [more class directories or jars]

Prints each circle and exits 1 when there is one, 0 when there is none."""
import collections
import re
import subprocess
import sys


def graph(paths):
    out = subprocess.run(['jdeps', '-verbose:package', '-filter:none', '-e', r'org\.summoner\..*'] + paths,
                         capture_output=True, text=True, check=True).stdout
    edges = collections.defaultdict(set)
    for line in out.splitlines():
        m = re.match(r'\s+(org\.summoner\.\S+)\s+->\s+(org\.summoner\.\S+)', line)
        if m and m.group(1) != m.group(2):
            edges[m.group(1)].add(m.group(2))
            edges[m.group(2)]
    return edges


def circles(edges):
    index, low, stack, on, found, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    sys.setrecursionlimit(10_000)
    for v in list(edges):
        if v not in index:
            visit(v)
    return found


if __name__ == '__main__':
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    found = circles(graph(sys.argv[1:]))
    for component in found:
        print(len(component), 'packages in a circle:', ', '.join(p.replace('org.summoner.relay.', '') for p in component))
    print('circles:', len(found))
    sys.exit(1 if found else 0)
