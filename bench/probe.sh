#!/usr/bin/env bash
# Tail latency at a fixed load, measured by the independent C probe (bench/ceiling/probe.c), every server pinned to
# core 0 and the probe to core 1: this project's engines, redis-server, nats-server and the floor
# (bench/ceiling/floor_relay.c). Prints a Markdown table of medians (p50, p99, p99.9 in microseconds) and writes
# every run's JSON to --out.
#
#   bench/probe.sh                        # 3 rounds: per server and point, 10 s after 2 s, after an unrecorded 16 s; about 24 minutes
#   bench/probe.sh --repeats 1 --duration 3 --targets "nio redis floor"
#   bench/probe.sh --targets "agrona agrona:bench/variants/agrona-shared.json"   # an engine with another config
#   bench/probe.sh --scenarios 1 --repeats 5   # only the first scenario (fan-out 10), in 5 rounds
set -euo pipefail
cd "$(dirname "$0")/.."
args="$*"
repeats=3 duration=10 warmup=2 warm_run=15 out=target/probe.jsonl targets="nio netty agrona redis nats floor" only=all
while [ $# -gt 0 ]; do
  case "$1" in
    --repeats) repeats=$2; shift ;;
    --duration) duration=$2; shift ;;
    --warmup) warmup=$2; shift ;;
    --warm-run) warm_run=$2; shift ;;
    --targets) targets=$2; shift ;;
    --out) out=$2; shift ;;
    --scenarios) only=$2; shift ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
  shift
done
server_jar=summoner-server/target/summoner-server.jar
[ -f "$server_jar" ] || mvn -B -q package -DskipTests -pl summoner-server -am
mkdir -p target
. bench/lib.sh
build_c probe
build_c floor_relay
ensure_peers
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; true' EXIT INT TERM
: > "$out"

# name | senders | receivers | rate
scenarios=("fan-out 10 at 5,000 lines/s|1|10|5000" "fan-out 100, 4 senders at 2,000 lines/s|4|100|2000")
if [ "$only" != all ]; then  # --scenarios "1 2": by number, in this order
  chosen=(); for n in $only; do chosen+=("${scenarios[$((n - 1))]}"); done; scenarios=("${chosen[@]}")
fi
port=18300
# Rounds, not blocks: every server runs each scenario once per round, so a noisy minute of the machine is shared out
# instead of falling on one server. Each server is started afresh every round and gets one unrecorded run of every
# scenario first (--warm-run seconds): pinned to one core, the JVM's JIT compiler shares that core with the relay,
# and it still recompiles (and deoptimises) hot selector code 15 s into a run (-XX:+PrintCompilation); the C
# servers have nothing to warm, but are treated alike.
for rep in $(seq 1 "$repeats"); do
  for target in $targets; do
    engine=${target%%:*} config=bench/server_config.bench.json label=$target
    if [ "$engine" != "$target" ]; then config=${target#*:} label=$(basename "$config" .json); fi
    port=$(free_port $((port + 1)))
    start_server "$engine" "$port" "$config" /dev/null taskset -c 0
    wait_for_port "$port"
    for scenario in "${scenarios[@]}"; do
      IFS='|' read -r name senders receivers rate <<< "$scenario"
      taskset -c 1 target/probe "$protocol" "$port" "$senders" "$receivers" "$rate" 1 "$warm_run" > /dev/null
    done
    for scenario in "${scenarios[@]}"; do
      IFS='|' read -r name senders receivers rate <<< "$scenario"
      taskset -c 1 target/probe "$protocol" "$port" "$senders" "$receivers" "$rate" "$warmup" "$duration" \
        | sed "s|^{|{\"target\":\"$label\",\"scenario\":\"$name\",|" >> "$out"
    done
    kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
  done
done

machine="$(date -u +%Y-%m-%d), $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), kernel $(uname -r), $(java -version 2>&1 | head -1), $(redis-server --version | cut -d' ' -f1-3), $($nats_bin --version), floor and probe built with $(cc --version | head -1)"
python3 - "$out" "bench/probe.sh${args:+ $args}" "$machine" <<'PY'
import json, statistics, sys
runs = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
print(f"Measured with `{sys.argv[2]}` on {sys.argv[3]}: server on core 0, probe on core 1 (taskset); "
      "servers run in rounds, each started afresh and warmed by one unrecorded run per round; medians of the runs; "
      "microseconds from intended send to receipt; lost must be 0.\n")
for scenario in dict.fromkeys(r["scenario"] for r in runs):
    print(f"**{scenario}**\n\n| server | runs | p50 | p99 | p99.9 | lost | probe send lag p99 |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for target in dict.fromkeys(r["target"] for r in runs):
        points = [r for r in runs if r["target"] == target and r["scenario"] == scenario]
        if points:
            m = lambda k: statistics.median(p[k] for p in points)
            print(f"| {target} | {len(points)} | {m('p50'):.0f} | {m('p99'):.0f} | {m('p999'):.0f} | {max(p['lost'] for p in points)} | {m('sendLagP99'):.0f} |")
    print()
PY
