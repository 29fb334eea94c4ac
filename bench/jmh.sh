#!/usr/bin/env bash
# JMH fan-out latency of every engine in the build (summoner-bench/target/benchmarks.jar).
#
#   bench/jmh.sh quick   # 1 fork, 2 x 2 s warm-up, 3 x 2 s measured per point: a few minutes on 2 cores
#   bench/jmh.sh full    # the annotations: 2 forks, 5 x 5 s warm-up, 5 x 10 s measured per point
#   bench/jmh.sh quick -p receivers=10 -p engine=nio    # any further JMH arguments narrow or adjust the run
#   bench/jmh.sh turn    # one turn of the relay core without sockets (TurnBenchmark) with -prof gc: bytes per turn
#
# Writes docs/benchmarks/jmh-<profile>.txt (the machine, the command and JMH's summary) and target/jmh/jmh-<profile>.json.
set -euo pipefail
cd "$(dirname "$0")/.."
profile=${1:-quick}
[ $# -gt 0 ] && shift
benchmark=FanOutLatencyBenchmark
case "$profile" in
  quick) settings=(-f 1 -wi 2 -w 2s -i 3 -r 2s) ;;
  full) settings=() ;;
  turn) benchmark=TurnBenchmark settings=(-prof gc) ;;
  *) echo "usage: bench/jmh.sh quick|full|turn [JMH arguments]" >&2; exit 2 ;;
esac
jar=summoner-bench/target/benchmarks.jar
[ -f "$jar" ] || mvn -B -q package -DskipTests -pl summoner-bench -am
mkdir -p docs/benchmarks
out=docs/benchmarks/jmh-$profile
mkdir -p target/jmh
{
  echo "# bench/jmh.sh $profile $*"
  echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ); $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); kernel $(uname -r); $(java -version 2>&1 | head -1)"
} > "$out.txt"
java -jar "$jar" "$benchmark" "${settings[@]}" -rf json -rff "target/jmh/jmh-$profile.json" "$@" | tee -a "$out.txt"
