#!/usr/bin/env bash
# Runs Probe3 (bench/probe3/Probe3.java) against servers in rounds: server pinned to core 0, probe to core 1, each
# server started afresh every round, targets interleaved within a round. One JSON line per run to --out.
#
#   bench/probe3/run.sh --repeats 3 --targets "nio netty agrona redis" --out target/probe3.jsonl
#   bench/probe3/run.sh --java /usr/lib/jvm/temurin-25-jdk-amd64/bin/java --jvm-opts "-XX:+UseZGC" --targets nio
#   bench/probe3/run.sh --targets "nio nio:warm redis"   # :warm = an unrecorded --warm-run (default 20 s) of the same load
#                                                          # first, as bench/probe.sh does; plain = measured from a cold start
# Each JVM server logs GC pauses and JIT compilations (-Xlog, wall-clock stamps) to target/probe3-logs/LABEL-ROUND.jvm.log,
# to be matched against the measured window (measuredFromEpochMs/measuredToEpochMs in the JSON).
set -euo pipefail
cd "$(dirname "$0")/../.."
repeats=3 duration=15 warmup=5 warm_run=20 out=target/probe3.jsonl targets="nio netty agrona redis"
java_bin=java jvm_opts="" probe_opts="" suffix="" nice=0
while [ $# -gt 0 ]; do
  case "$1" in
    --repeats) repeats=$2; shift ;;
    --duration) duration=$2; shift ;;
    --warmup) warmup=$2; shift ;;
    --warm-run) warm_run=$2; shift ;;
    --targets) targets=$2; shift ;;
    --out) out=$2; shift ;;
    --java) java_bin=$2; shift ;;
    --jvm-opts) jvm_opts=$2; shift ;;
    --probe-opts) probe_opts=$2; shift ;;
    --suffix) suffix=$2; shift ;;
    --nice) nice=$2; shift ;;   # e.g. -10: server and probe ahead of a co-tenant's build on their cores (root only)
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
  shift
done
. bench/lib.sh
server_jar=summoner-server/target/summoner-server.jar
mkdir -p target
# the probe is compiled once (source launch would compile it on the probe's core in every run)
mkdir -p target/probe3 && javac -d target/probe3 bench/probe3/Probe3.java
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; true' EXIT INT TERM
port=18500
for rep in $(seq 1 "$repeats"); do
  for token in $targets; do
    target=${token%%:*} warm=0
    [ "$token" != "$target" ] && warm=$warm_run
    label=$token$suffix
    port=$(free_port $((port + 1)))
    mkdir -p target/probe3-logs
    log=target/probe3-logs/${label//:/-}-$rep.log jvmlog=target/probe3-logs/${label//:/-}-$rep.jvm.log
    case "$target" in
      redis) protocol=redis; nice -n "$nice" taskset -c 0 redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no > "$log" 2>&1 & ;;
      *) protocol=summoner; nice -n "$nice" taskset -c 0 "$java_bin" --add-exports java.base/jdk.internal.misc=ALL-UNNAMED \
           -Xlog:gc,safepoint,jit+compilation=debug:file="$jvmlog":time,uptime $jvm_opts -jar "$server_jar" --engine "$target" --port "$port" \
           --config bench/server_config.bench.json --name "bench-$target" > "$log" 2>&1 & ;;
    esac
    pid=$!
    wait_for_port "$port"
    if [ "$warm" -gt 0 ]; then
      nice -n "$nice" taskset -c 1 java -cp target/probe3 Probe3 --protocol "$protocol" --port "$port" --warmup 1 --duration "$warm" > /dev/null
    fi
    nice -n "$nice" taskset -c 1 java -cp target/probe3 Probe3 --protocol "$protocol" --port "$port" --warmup "$warmup" --duration "$duration" \
      --server-pid "$pid" --label "$label" $probe_opts | sed "s|^{|{\"round\":$rep,|" | tee -a "$out"
    kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
  done
done
