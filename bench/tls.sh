#!/usr/bin/env bash
# What TLS costs the relay: every engine plain and with "tls" (an EC P-256 certificate made here with openssl), the
# server pinned to core 0; the load generator (summoner-load) and, for TLS, stunnel on core 1. stunnel (client mode)
# turns each of the harness's plaintext connections into one TLS connection to the relay, so the relay does all the
# TLS work it does for real clients, and the harness stays the same tool for both. The figure that counts is the
# server's CPU per million deliveries (deliveries/s through stunnel are also stunnel's limit). Medians of --repeats.
#
#   bench/tls.sh                                   # nio netty agrona, 3 runs per point; about 9 minutes
#   bench/tls.sh --engines nio --repeats 1 --duration 3
set -euo pipefail
cd "$(dirname "$0")/.."
args="$*"
engines="nio netty agrona" repeats=3 duration=10 warmup=3 out=target/tls-bench
while [ $# -gt 0 ]; do
  case "$1" in
    --engines) engines=$2; shift ;;
    --repeats) repeats=$2; shift ;;
    --duration) duration=$2; shift ;;
    --warmup) warmup=$2; shift ;;
    --out) out=$2; shift ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
  shift
done
. bench/lib.sh
ensure_jars
command -v stunnel >/dev/null 2>&1 || { apt-get update -qq >&2 && apt-get install -y -qq stunnel4 >&2; }
mkdir -p "$out"
results=$out/results.jsonl
: > "$results"
pid="" tunnel=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; [ -n "$tunnel" ] && kill "$tunnel" 2>/dev/null; true' EXIT INT TERM

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$out/server.key" -out "$out/server.crt" \
  -days 30 -subj "/CN=localhost" -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" 2>/dev/null
python3 - bench/server_config.bench.json "$out" <<'PY'
import json, sys
config = json.load(open(sys.argv[1]))
config["tls"] = {"cert": sys.argv[2] + "/server.crt", "key": sys.argv[2] + "/server.key"}
json.dump(config, open(sys.argv[2] + "/config-tls.json", "w"), indent=2)
PY

# name | senders | receivers | rate (0 = as fast as the window allows)
scenarios=("fan-out 10, max rate|1|10|0" "fan-out 10 at 5,000 lines/s|1|10|5000")
port=18500
negotiated=""
for engine in $engines; do
  for mode in plain tls; do
    port=$(free_port $((port + 1)))
    config=bench/server_config.bench.json
    [ "$mode" = tls ] && config=$out/config-tls.json
    start_server "$engine" "$port" "$config" "$out/$engine-$mode.log" taskset -c 0
    wait_for_port "$port"
    target=$port
    if [ "$mode" = tls ]; then
      target=$(free_port $((port + 1)))
      printf 'foreground = yes\npid =\ndebug = 3\n[relay]\nclient = yes\naccept = 127.0.0.1:%s\nconnect = 127.0.0.1:%s\nCAfile = %s\nverifyChain = yes\ncheckHost = localhost\n' \
        "$target" "$port" "$out/server.crt" > "$out/stunnel.conf"
      taskset -c 1 stunnel "$out/stunnel.conf" > "$out/stunnel.log" 2>&1 &
      tunnel=$!
      wait_for_port "$target"
      [ -n "$negotiated" ] || negotiated=$(echo | openssl s_client -connect "127.0.0.1:$port" -CAfile "$out/server.crt" 2>/dev/null \
        | grep -m1 -E '^(New|Protocol|.*Cipher is)' || true)
    fi
    for scenario in "${scenarios[@]}"; do
      IFS='|' read -r name senders receivers rate <<< "$scenario"
      for rep in $(seq 1 "$repeats"); do
        taskset -c 1 java -jar "$load_jar" run --protocol summoner --port "$target" --label "$engine $mode" --scenario "$name" \
          --server-pid "$pid" --senders "$senders" --receivers "$receivers" --rate "$rate" --line-bytes 128 \
          --warmup "$warmup" --duration "$duration" --quiet --json-out "$results" > /dev/null || true
      done
    done
    if [ -n "$tunnel" ]; then kill "$tunnel"; wait "$tunnel" 2>/dev/null || true; tunnel=""; fi
    kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
  done
done

machine="$(date -u +%Y-%m-%d), $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), kernel $(uname -r), $(java -version 2>&1 | head -1), $(stunnel -version 2>&1 | grep -m1 -i '^stunnel' || echo stunnel)"
python3 - "$results" "bench/tls.sh${args:+ $args}" "$machine" "$negotiated" <<'PY'
import json, statistics, sys
runs = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
print(f"Measured with `{sys.argv[2]}` on {sys.argv[3]}: server on core 0 (taskset), summoner-load and stunnel on core 1; "
      f"128-byte lines; medians of the runs. TLS: {sys.argv[4].strip() or 'see stunnel.log'}, EC P-256 certificate.\n")
print("| engine | scenario | plain deliveries/s | TLS deliveries/s | plain p99 us | TLS p99 us | plain CPU s/M | TLS CPU s/M | TLS / plain CPU | lost |")
print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
def med(points, f):
    values = [f(p) for p in points]
    return statistics.median(values) if values else float("nan")
def cpu(p):
    # as summoner-load computes it: CPU in the measured window over the deliveries of that window
    window = p["deliveriesPerSecond"] * p["durationSeconds"]
    return p["serverCpuSeconds"] / window * 1e6 if p.get("serverCpuSeconds") and window else float("nan")
engines = list(dict.fromkeys(r["label"].split()[0] for r in runs))
for engine in engines:
    for scenario in dict.fromkeys(r["scenario"] for r in runs):
        plain = [r for r in runs if r["label"] == engine + " plain" and r["scenario"] == scenario and not r.get("failure")]
        tls = [r for r in runs if r["label"] == engine + " tls" and r["scenario"] == scenario and not r.get("failure")]
        cp, ct = med(plain, cpu), med(tls, cpu)
        lost = sum(r["lost"] for r in plain + tls)
        print(f"| {engine} | {scenario} | {med(plain, lambda p: p['deliveriesPerSecond']):,.0f} | {med(tls, lambda p: p['deliveriesPerSecond']):,.0f} "
              f"| {med(plain, lambda p: p['latencyMicros']['p99']):,.0f} | {med(tls, lambda p: p['latencyMicros']['p99']):,.0f} "
              f"| {cp:.3f} | {ct:.3f} | {ct / cp:.2f}x | {lost} |")
failed = [r for r in runs if r.get("failure")]
if failed:
    print(f"\n{len(failed)} runs failed: " + "; ".join(f"{r['label']} {r['scenario']}: {r['failure']}" for r in failed))
PY
