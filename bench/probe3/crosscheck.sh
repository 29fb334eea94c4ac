#!/usr/bin/env bash
# The C probe (bench/ceiling/probe.c) and Probe3 against the same running server, alternately, each run measured
# from a cold start and after warming: whether the two tools disagree about one server, and whether a cold JVM is
# what one of them sees. Server on core 0, probes on core 1.
#
#   bench/probe3/crosscheck.sh "nio redis" 10      # targets, seconds per measured run (after 2 s of warm-up)
set -euo pipefail
cd "$(dirname "$0")/../.."
targets=${1:-"nio redis"} duration=${2:-10} out=${3:-target/crosscheck.jsonl}
. bench/lib.sh
build_c probe
mkdir -p target/probe3 && javac -d target/probe3 bench/probe3/Probe3.java
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; true' EXIT
port=18800
for target in $targets; do
  port=$(free_port $((port + 1)))
  start_server "$target" "$port" bench/server_config.bench.json /dev/null taskset -c 0
  wait_for_port "$port"
  # run 1 and 2 on the cold server (the C probe first, then Probe3), then 4 more alternating after the first two
  for i in 1 2 3 4 5 6; do
    if [ $((i % 2)) -eq 1 ]; then
      taskset -c 1 target/probe "$protocol" "$port" 4 100 2000 2 "$duration" | sed "s|^{|{\"tool\":\"c-probe\",\"target\":\"$target\",\"seq\":$i,\"loadAvg\":\"$(cut -d' ' -f1 /proc/loadavg)\",|" | tee -a "$out"
    else
      taskset -c 1 java -cp target/probe3 Probe3 --protocol "$protocol" --port "$port" --warmup 2 --duration "$duration" --server-pid "$pid" \
        --label "$target" | sed "s|^{|{\"tool\":\"probe3\",\"target\":\"$target\",\"seq\":$i,|" | tee -a "$out"
    fi
  done
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
done
