#!/usr/bin/env bash
# The signed flood of issue 24 (item 3) against each engine in routing: dedicated, and a bystander's directed lines
# meanwhile: 20 connections each write 300 envelopes to no one, either one pre-signed envelope again and again (the
# audit's flood, 2.6 MB) or 300 distinct ones each (no replay cache stops those); Alice sends Bob a signed directed
# line every 10 ms throughout, and its latency is measured from its intended send time. Server pinned to core 0, load
# to core 1. One JSON line per run in the result file, which also names the command, the machine and the jars.
#
#   bench/signed-flood.sh [server-jar] [out-file]
#     server-jar: default summoner-server/target/summoner-server.jar (give an older build's jar to compare)
#     out-file:   default docs/benchmarks/signed-flood.txt (appended)
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
ensure_jars
server_jar=${1:-$server_jar}
out=${2:-docs/benchmarks/signed-flood.txt}
config=$(mktemp -t summoner-flood.XXXXXX.json)
# Rate limit lifted (the flood is 300 lines a connection); everything else at its default, as the audit ran it.
echo '{"hyper_parameters": {"routing": "dedicated", "rate_limit_msgs_per_minute": 2000000000}}' > "$config"
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -f "$config"' EXIT
{
  echo "# bench/signed-flood.sh $server_jar ($(date -u +%Y-%m-%dT%H:%M:%SZ))"
  echo "# machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(java -version 2>&1 | head -1)"
  echo "# server: taskset -c 0 java -jar $server_jar --engine <engine> --config {routing: dedicated, rate limit lifted}; load: taskset -c 1 java -jar $load_jar signed-flood --distinct <false|true>"
} >> "$out"
port=$(free_port 18950)
for engine in nio netty agrona; do
  for distinct in false true; do
    port=$(free_port $((port + 1)))
    taskset -c 0 java -jar "$server_jar" --engine "$engine" --port "$port" --config "$config" > /dev/null 2>&1 &
    pid=$!
    wait_for_port "$port"
    result=$(taskset -c 1 java -jar "$load_jar" signed-flood --port "$port" --distinct "$distinct")
    echo "$engine $result" | tee -a "$out"
    kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
  done
done
