#!/usr/bin/env bash
# Signed lines a dedicated relay delivers a second, every line a signature check no cache answers
# (`summoner-load signed-rate`: 4 senders each write 4,000 distinct envelopes, signed beforehand, to their own receiver
# as fast as the relay reads them), for server jars side by side in one run, rounds interleaved so that they share the
# machine's conditions. The server may use every core (the question is what a relay does on this machine); the load
# generator only writes prepared bytes and counts lines. One JSON line per run in the result file, which names the
# command, the machine and the jars.
#
#   bench/signed-rate.sh [--repeats N] [--engines "nio netty agrona"] [--out FILE] JAR [JAR...]
#     JAR: a server jar (give an older build's jar to compare); default summoner-server/target/summoner-server.jar
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
ensure_jars
repeats=3 engines="nio netty agrona" out=docs/benchmarks/signed-rate.txt jars=()
args="$*"
while [ $# -gt 0 ]; do
  case "$1" in
    --repeats) repeats=$2; shift ;;
    --engines) engines=$2; shift ;;
    --out) out=$2; shift ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) jars+=("$1") ;;
  esac
  shift
done
[ ${#jars[@]} -gt 0 ] || jars=("$server_jar")
config=$(mktemp -t summoner-rate.XXXXXX.json)
# Rate limit lifted (each sender writes thousands of lines at once); everything else at its default.
echo '{"hyper_parameters": {"routing": "dedicated", "rate_limit_msgs_per_minute": 2000000000}}' > "$config"
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -f "$config"' EXIT
{
  echo "# bench/signed-rate.sh $args ($(date -u +%Y-%m-%dT%H:%M:%SZ)); load average $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "# machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), kernel $(uname -r), $(java -version 2>&1 | head -1)"
  echo "# server: java -jar <jar> --engine <engine> --config {routing: dedicated, rate limit lifted}; load: java -jar $load_jar signed-rate --server-pid <pid>"
} >> "$out"
port=$(free_port 19050)
for round in $(seq 1 "$repeats"); do
  for engine in $engines; do
    for jar in "${jars[@]}"; do
      port=$(free_port $((port + 1)))
      java -jar "$jar" --engine "$engine" --port "$port" --config "$config" > /dev/null 2>&1 &
      pid=$!
      wait_for_port "$port"
      result=$(java -jar "$load_jar" signed-rate --port "$port" --server-pid "$pid" || true)
      echo "round $round $engine $jar $result" | tee -a "$out"
      kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
    done
  done
done
