#!/usr/bin/env bash
# Side-by-side fan-out comparison of this project's engines with nats-server, redis-server and the floor (the
# smallest relay of the wire format, bench/ceiling/floor_relay.c), on loopback.
#
#   bench/compare.sh                 # full: 3 repeats, 10 s measured after 3 s warm-up, pinned; about 15 minutes
#   bench/compare.sh --quick         # 1 repeat, 3 s after 1 s; about 3 minutes; writes to target/bench-quick
#   bench/compare.sh --pinning both  # every server pinned (server on core 0, load on core 1) and unpinned
#   bench/compare.sh --targets "nio redis floor" --repeats 5 --duration 20
#   bench/compare.sh --targets "nio nio@/tmp/before.jar"   # an engine from another server jar, side by side
#
# Pinning (taskset) is the default on 2 cores or more: server and load generator then never compete for a core,
# which is what latency at a fixed rate needs; unpinned runs are labelled "(unpinned)".
# Installs nats-server and redis-server from Debian if missing, builds the jars and the floor (cc) if missing,
# starts each server, runs every scenario against it with the load harness, stops every process it started (by
# PID, also on Ctrl+C), then writes RESULTS.md and the plots (docs/benchmarks by default) with `summoner-load report`.
set -euo pipefail
cd "$(dirname "$0")/.."

repeats=3 duration=10 warmup=3 out=docs/benchmarks targets="" quick=0 pinning=pinned
args="$*"
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1 repeats=1 duration=3 warmup=1 out=target/bench-quick ;;
    --repeats) repeats=$2; shift ;;
    --duration) duration=$2; shift ;;
    --warmup) warmup=$2; shift ;;
    --targets) targets=$2; shift ;;
    --out) out=$2; shift ;;
    --pinning) pinning=$2; shift ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
  shift
done

server_jar=summoner-server/target/summoner-server.jar
load_jar=summoner-bench/target/summoner-load.jar
if [ ! -f "$server_jar" ] || [ ! -f "$load_jar" ]; then
  mvn -B -q package -DskipTests -pl summoner-server,summoner-bench -am
fi
. bench/lib.sh
ensure_peers
build_c floor_relay
case "$pinning" in
  pinned|unpinned|both) ;;
  *) echo "--pinning: expected pinned, unpinned or both, found $pinning" >&2; exit 2 ;;
esac
if ! command -v taskset >/dev/null 2>&1 || [ "$(nproc)" -lt 2 ]; then
  [ "$pinning" != unpinned ] && echo "no taskset or fewer than 2 cores: running unpinned" >&2
  pinning=unpinned
fi
modes=$([ "$pinning" = both ] && echo "pinned unpinned" || echo "$pinning")

if [ -z "$targets" ]; then
  # Every engine the server jar carries, then the peers.
  targets="$(java -jar "$server_jar" --list-engines | awk '{print $1}' | tr '\n' ' ')nats redis floor"
fi

work=$(mktemp -d -t summoner-bench.XXXXXX)
results="$work/results.jsonl"
pids=()
finished=0
cleanup() {
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  if [ "$finished" = 1 ]; then
    rm -rf "$work"
  else
    echo "stopped early; server logs and partial results are in $work" >&2
  fi
}
trap cleanup EXIT INT TERM

# name | senders | receivers | rate (0 = max) ; 128-byte lines
scenarios=(
  "fan-out 10, max rate|1|10|0"
  "fan-out 100, max rate|1|100|0"
  "fan-out 10 at 5,000 lines/s|1|10|5000"
  "fan-out 100, 4 senders at 2,000 lines/s|4|100|2000"
)

{
  echo "pinning: $modes (pinned: the server on core 0 with \`taskset -c 0\`, the load generator on core 1 with \`taskset -c 1\`)"
  echo "floor: bench/ceiling/floor_relay.c built with \`cc -O2\` ($(cc --version | head -1)): one thread on epoll, the envelope encoded once per line, one write per recipient per epoll round"
  echo "servers: this project's engines run by \`java -jar $server_jar --engine <name> --config bench/server_config.bench.json\` (a target ENGINE@JAR from that jar, labelled with its name) (rate limit lifted; throttle, flow control and quarantine off, as NATS and Redis have none; slow-consumer limit 32 MiB per client like Redis's pub/sub hard limit); $($nats_bin --version) with defaults; $(redis-server --version | cut -d' ' -f1-3) with persistence off"
  echo "harness: summoner-load (closed loop: window 1000 lines per sender; receivers read on 2 threads from 4 receivers up); each point repeated $repeats times, $duration s measured after $warmup s warm-up"
  echo "reference, not re-measured here (the Summoner SDK cannot be installed on this machine): the Summoner Python server about 0.1M deliveries/s and the Summoner Rust server about 0.4M at fan-out 10 and 100, as measured on this kind of machine for issue 3"
} > "$work/env.txt"

port=17800
for mode in $modes; do
  pin_server="" pin_load="" suffix=""
  if [ "$mode" = pinned ]; then pin_server="taskset -c 0" pin_load="taskset -c 1"; else suffix=" (unpinned)"; fi
  for target in $targets; do
    port=$(free_port $((port + 1)))
    case "$target" in
      nats) label=nats-server ;;
      redis) label=redis-server ;;
      *@*) jar=${target#*@}; label="${target%%@*} ($(basename "${jar%.jar}"))" ;;
      *) label="$target" ;;
    esac
    start_server "$target" "$port" bench/server_config.bench.json "$work/${target//[^A-Za-z0-9_.-]/_}.log" $pin_server
    pids+=("$pid")
    wait_for_port "$port"
    echo "== $label$suffix (pid $pid) on 127.0.0.1:$port"
    for scenario in "${scenarios[@]}"; do
      IFS='|' read -r name senders receivers rate <<< "$scenario"
      for rep in $(seq 1 "$repeats"); do
        $pin_load java -jar "$load_jar" run --protocol "$protocol" --port "$port" --label "$label$suffix" --scenario "$name" \
          --server-pid "$pid" --senders "$senders" --receivers "$receivers" --rate "$rate" --line-bytes 128 \
          --warmup "$warmup" --duration "$duration" --quiet --json-out "$results" > /dev/null || true
      done
    done
    kill "$pid"
    wait "$pid" 2>/dev/null || true
  done
done

java -jar "$load_jar" report --input "$results" --out "$out" --env "$work/env.txt" \
  --command "bench/compare.sh${args:+ $args}"
cp "$results" "$out/results.jsonl"
finished=1
echo "results: $out/RESULTS.md"
