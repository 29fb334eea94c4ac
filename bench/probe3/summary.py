#!/usr/bin/env python3
"""Medians of Probe3 runs (bench/probe3/run.sh's JSON lines) per label, in a Markdown table, and what each JVM run's
log (target/probe3-logs/LABEL-ROUND.jvm.log) shows inside the measured window: JIT compilations (C2 = tier 4),
GC pauses and safepoints.

    bench/probe3/summary.py target/probe3-main.jsonl [more.jsonl ...]
"""
import datetime
import json
import os
import re
import statistics
import sys

runs = [json.loads(l) for f in sys.argv[1:] for l in open(f) if l.strip().startswith("{")]
stamp = re.compile(r"^\[(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+)([+-]\d{4})\]\[[\d.]+s\]\s*(.*)$")


def jvm_window(run):
    """Counts in the run's JVM log inside its measured window: compilations (all, C2), GC pause ms, safepoint ms."""
    path = f"target/probe3-logs/{run['label'].replace(':', '-')}-{run.get('round', 1)}.jvm.log"
    if not os.path.exists(path) or "measuredFromEpochMs" not in run:
        return None
    lo, hi = run["measuredFromEpochMs"] / 1000.0, run["measuredToEpochMs"] / 1000.0
    comp = c2 = 0
    gc_ms, gc_n, sp_ms, sp_max = 0.0, 0, 0.0, 0.0
    for line in open(path, errors="replace"):
        m = stamp.match(line)
        if not m:
            continue
        t = datetime.datetime.strptime(m.group(1) + m.group(2), "%Y-%m-%dT%H:%M:%S.%f%z").timestamp()
        if not lo <= t <= hi:
            continue
        msg = m.group(3)
        if "Pause" in msg and msg.endswith("ms"):
            gc_n += 1
            gc_ms += float(msg.rsplit(" ", 1)[1][:-2])
        elif msg.startswith("Safepoint"):
            total = re.search(r"Total: (\d+) ns", msg)
            if total:
                ms = int(total.group(1)) / 1e6
                sp_ms += ms
                sp_max = max(sp_max, ms)
        elif re.match(r"^\d+\s+[%sbn! ]*\d\s", msg) or re.match(r"^\d+\s", msg):
            comp += 1
            if re.match(r"^\d+\s+[%sbn! ]*4\s", msg):
                c2 += 1
    # the worst 10-ms stretches of the run: JIT compilations started, safepoints and GC pauses from 200 ms before
    # each to its end (a compilation is logged when it starts and may run for tens of ms on the shared core)
    near = 0
    worst = run.get("worst10msWindows", [])[:5]
    events = []
    for line in open(path, errors="replace"):
        m = stamp.match(line)
        if m:
            events.append(datetime.datetime.strptime(m.group(1) + m.group(2), "%Y-%m-%dT%H:%M:%S.%f%z").timestamp() * 1000)
    for w in worst:
        if any(w["epochMs"] - 200 <= t <= w["epochMs"] + 10 + w["maxMs"] for t in events):
            near += 1
    return {"worstNearJvmEvent": f"{near}/{len(worst)}", "compilations": comp, "c2": c2, "gcPauses": gc_n, "gcMs": round(gc_ms, 1), "safepointMs": round(sp_ms, 1),
            "safepointMaxMs": round(sp_max, 2)}


labels = list(dict.fromkeys(r["label"] for r in runs))
print("| target | runs | p50 ms | p99 ms | p99.9 ms | server CPU | probe CPU | probe send lag p99 ms | deliveries per read | load avg | lost |")
print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
for label in labels:
    rs = [r for r in runs if r["label"] == label]
    med = lambda k: statistics.median(r[k] for r in rs)
    print(f"| {label} | {len(rs)} | {med('p50')/1000:.2f} | {med('p99')/1000:.2f} | {med('p999')/1000:.2f} | "
          f"{med('serverCpu'):.2f} | {med('probeCpu'):.2f} | {med('sendLagP99')/1000:.2f} | {med('deliveriesPerRead'):.2f} | "
          f"{statistics.median(float(r['loadAvg']) for r in rs):.2f} | {max(r['lost'] for r in rs)} |")
print()
print("Every run, in order (p99 ms; server CPU; load; inside the measured window: JIT compilations (C2), GC pauses, safepoint ms total/max; relay thread CPU):")
print()
print("| round | target | p99 ms | server CPU | load | compilations (C2) | GC pauses (ms) | safepoints ms (max) | worst 5 stretches near a JIT/GC/safepoint event | CPU by server thread |")
print("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
for r in runs:
    j = jvm_window(r)
    threads = ", ".join(f"{k} {v}" for k, v in sorted(r.get("serverThreadsCpu", {}).items(), key=lambda kv: -kv[1]) if v >= 0.01)
    jit = f"{j['compilations']} ({j['c2']})" if j else "-"
    gc = f"{j['gcPauses']} ({j['gcMs']})" if j else "-"
    sp = f"{j['safepointMs']} ({j['safepointMaxMs']})" if j else "-"
    print(f"| {r.get('round', '')} | {r['label']} | {r['p99']/1000:.2f} | {r['serverCpu']:.2f} | {r['loadAvg']} | {jit} | {gc} | {sp} | {j['worstNearJvmEvent'] if j else '-'} | {threads} |")
