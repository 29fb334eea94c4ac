#!/usr/bin/env bash
# issue 29 benchmark session, run on an otherwise idle machine; each step appends to its own result file
set -uo pipefail
cd /work/main
cp summoner-server/target/summoner-server.jar /tmp/server-now.jar
echo "start $(date -u +%FT%TZ) load $(cut -d' ' -f1-3 /proc/loadavg)"
# A) Ed25519 and the relay's verification, JMH, pinned to core 1
{
  echo "# taskset -c 1 java -jar summoner-bench/target/benchmarks.jar 'Ed25519Benchmark|VerificationBenchmark.verifyEveryLineAnew' -f 1 -wi 3 -w 3s -i 5 -r 3s"
  echo "# $(date -u +%FT%TZ); $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); kernel $(uname -r); $(java -version 2>&1 | head -1); load average $(cut -d' ' -f1-3 /proc/loadavg); main at $(git log -1 --format=%h)"
  taskset -c 1 java -jar summoner-bench/target/benchmarks.jar 'Ed25519Benchmark|VerificationBenchmark.verifyEveryLineAnew' -f 1 -wi 3 -w 3s -i 5 -r 3s 2>&1 | grep -E "^Benchmark|thrpt|avgt"
  echo "# the same on Temurin 25 ($(/usr/lib/jvm/temurin-25-jdk-amd64/bin/java -version 2>&1 | head -1)), load average $(cut -d' ' -f1-3 /proc/loadavg)"
  taskset -c 1 /usr/lib/jvm/temurin-25-jdk-amd64/bin/java -jar summoner-bench/target/benchmarks.jar 'Ed25519Benchmark|VerificationBenchmark.verifyEveryLineAnew' -f 1 -wi 3 -w 3s -i 5 -r 3s 2>&1 | grep -E "^Benchmark|thrpt|avgt"
} > /tmp/bench/jmh.txt 2>&1
echo "jmh done $(date -u +%FT%TZ)"
# B) signed lines a second, before (af3279e) and now
bench/signed-rate.sh --repeats 3 --out /tmp/bench/signed-rate.txt /tmp/server-af3279e.jar /tmp/server-now.jar > /dev/null 2>&1
echo "rate done $(date -u +%FT%TZ)"
# C) the signed flood and a bystander, before and now
bench/signed-flood.sh /tmp/server-af3279e.jar /tmp/bench/signed-flood.txt > /dev/null 2>&1
bench/signed-flood.sh /tmp/server-now.jar /tmp/bench/signed-flood.txt > /dev/null 2>&1
echo "flood done $(date -u +%FT%TZ)"
# D) tails: probe3, cold and warm
bench/probe3/run.sh --repeats 3 --targets "nio netty agrona redis nio:warm netty:warm agrona:warm redis:warm" --out /tmp/bench/probe3.jsonl > /dev/null 2>&1
echo "probe3 done $(date -u +%FT%TZ)"
# E) tails: the C probe, the 100-receiver scenario
bench/probe.sh --scenarios 2 --targets "nio netty agrona redis" --repeats 3 --out /tmp/bench/cprobe.jsonl > /tmp/bench/cprobe.md 2>&1
echo "cprobe done $(date -u +%FT%TZ)"
# F) tails: the load harness, the same scenario, rounds interleaved
. bench/lib.sh
port=19500
for rep in 1 2 3; do
  for t in nio netty agrona redis; do
    port=$(free_port $((port + 1)))
    if [ "$t" = redis ]; then taskset -c 0 redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no > /dev/null 2>&1 & proto=redis
    else taskset -c 0 java --add-exports java.base/jdk.internal.misc=ALL-UNNAMED -jar /tmp/server-now.jar --engine "$t" --port "$port" --config bench/server_config.bench.json > /dev/null 2>&1 & proto=summoner; fi
    pid=$!
    wait_for_port "$port"
    taskset -c 1 java -jar summoner-bench/target/summoner-load.jar run --protocol "$proto" --port "$port" --label "$t" --scenario "fan-out 100, 4 senders at 2,000 lines/s" \
      --server-pid "$pid" --senders 4 --receivers 100 --rate 2000 --line-bytes 128 --warmup 3 --duration 10 --quiet --json-out /tmp/bench/harness.jsonl > /dev/null 2>&1 || true
    kill "$pid"; wait "$pid" 2>/dev/null
  done
done
echo "harness done $(date -u +%FT%TZ) load $(cut -d' ' -f1-3 /proc/loadavg)"
