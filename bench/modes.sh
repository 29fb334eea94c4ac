#!/usr/bin/env bash
# Throughput of the routing modes (SPEC section 7) side by side, on loopback, one engine at a time:
# broadcast and hybrid relaying plain lines and SDK-style JSON object lines, and a hosted relay's host directives
# (to one participant, the private reply, and naming ten). Server pinned to core 0, load generator to core 1.
#
#   bench/modes.sh                      # nio, netty and agrona; 3 repeats, 5 s measured after 2 s warm-up
#   bench/modes.sh --engines nio --repeats 1 --out target/bench-modes
#
# Writes RESULTS.md (deliveries/s, server CPU per million deliveries, latency) with `summoner-load report`.
set -euo pipefail
cd "$(dirname "$0")/.."

repeats=3 duration=5 warmup=2 out=docs/benchmarks/modes engines="nio netty agrona"
args="$*"
while [ $# -gt 0 ]; do
  case "$1" in
    --repeats) repeats=$2; shift ;;
    --duration) duration=$2; shift ;;
    --warmup) warmup=$2; shift ;;
    --engines) engines=$2; shift ;;
    --out) out=$2; shift ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
  shift
done

server_jar=summoner-server/target/summoner-server.jar
load_jar=summoner-bench/target/summoner-load.jar
if [ ! -f "$server_jar" ] || [ ! -f "$load_jar" ]; then
  mvn -B -q package -DskipTests -pl summoner-server,summoner-bench -am
fi
pin_server="" pin_load=""
if command -v taskset >/dev/null 2>&1 && [ "$(nproc)" -ge 2 ]; then
  pin_server="taskset -c 0" pin_load="taskset -c 1"
fi

work=$(mktemp -d -t summoner-modes.XXXXXX)
results="$work/results.jsonl"
pid=""
finished=0
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  if [ "$finished" = 1 ]; then rm -rf "$work"; else echo "stopped early; logs and partial results are in $work" >&2; fi
}
trap cleanup EXIT INT TERM

. bench/lib.sh

# The host of the hosted runs: its fingerprint goes in the server's config; each sender first sends a binding
# envelope it signs when it connects (the relay takes a signed envelope only while fresh and only once).
fingerprint=$(java -jar "$load_jar" identity --identity-out "$work/host.identity")
config() { # routing -> a config file: the benchmark's base config plus the routing mode
  python3 - "$1" "$fingerprint" > "$work/$1.json" <<'PY'
import json, sys
config = json.load(open("bench/server_config.bench.json"))
config["hyper_parameters"]["routing"] = sys.argv[1]
if sys.argv[1] == "hosted":
    config["hyper_parameters"]["hosted_relay"] = {"host_fingerprints": [sys.argv[2]]}
print(json.dumps(config))
PY
  echo "$work/$1.json"
}

# routing | shape | receivers | scenario name
runs=(
  "broadcast|plain|10|plain lines, fan-out 10"
  "hybrid|plain|10|plain lines, fan-out 10"
  "broadcast|json|10|JSON object lines, fan-out 10"
  "hybrid|json|10|JSON object lines, fan-out 10"
  "hosted|directive|1|host directives to 1 participant"
  "hosted|directive|10|host directives naming 10"
)

{
  echo "servers: \`${pin_server:+$pin_server }java -jar $server_jar --engine <engine> --config <bench/server_config.bench.json + routing>\`, one per engine and mode; load generator ${pin_load:-unpinned}"
  echo "harness: summoner-load run --shape plain|json|directive (closed loop, window 1000, 1 sender, 128-byte payloads; a JSON line is {\"m\":\"<payload>\"}, a directive {\"to\":[<receivers>],\"content\":\"<payload>\"} from a host bound by its signed envelope); each point repeated $repeats times, $duration s measured after $warmup s warm-up"
} > "$work/env.txt"

port=17900
for engine in $engines; do
  for run in "${runs[@]}"; do
    IFS='|' read -r routing shape receivers scenario <<< "$run"
    port=$(free_port $((port + 1)))
    $pin_server java -jar "$server_jar" --engine "$engine" --port "$port" --config "$(config "$routing")" \
      --name "modes-$engine-$routing" > "$work/$engine-$routing.log" 2>&1 &
    pid=$!
    wait_for_port "$port"
    echo "== $engine $routing: $scenario (pid $pid)"
    hello=()
    [ "$shape" = directive ] && hello=(--host-identity "$work/host.identity")
    for rep in $(seq 1 "$repeats"); do
      $pin_load java -jar "$load_jar" run --port "$port" --label "$engine $routing" --scenario "$scenario" --server-pid "$pid" \
        --senders 1 --receivers "$receivers" --shape "$shape" "${hello[@]}" --line-bytes 128 \
        --warmup "$warmup" --duration "$duration" --quiet --json-out "$results" > /dev/null || true
    done
    kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
  done
done

mkdir -p "$out"
java -jar "$load_jar" report --input "$results" --out "$out" --env "$work/env.txt" --command "bench/modes.sh${args:+ $args}"
cp "$results" "$out/results.jsonl"
finished=1
echo "results: $out/RESULTS.md"
