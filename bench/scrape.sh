#!/usr/bin/env bash
# What reading the metrics costs the relay: every engine with "monitoring" on, once left alone ("quiet") and once
# scraped 10 times a second ("scraped": GET /metrics then GET /connz every 100 ms, 150 times Prometheus's usual
# 15 s interval), the server pinned to core 0, the load generator (summoner-load) and the scraper on core 1. Reports
# deliveries/s, p99 and the server's CPU per million deliveries for each, and how long a scrape took.
#
#   bench/scrape.sh                                 # nio netty agrona, 2 runs per point; about 8 minutes
#   bench/scrape.sh --engines nio --repeats 1 --duration 3
set -euo pipefail
cd "$(dirname "$0")/.."
args="$*"
engines="nio netty agrona" repeats=2 duration=10 warmup=3 out=target/scrape-bench
while [ $# -gt 0 ]; do
  case "$1" in
    --engines) engines=$2; shift ;;
    --repeats) repeats=$2; shift ;;
    --duration) duration=$2; shift ;;
    --warmup) warmup=$2; shift ;;
    --out) out=$2; shift ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
  shift
done
. bench/lib.sh
ensure_jars
mkdir -p "$out"
results=$out/results.jsonl
scrapes=$out/scrapes.jsonl
: > "$results"
: > "$scrapes"
pid="" scraper=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; [ -n "$scraper" ] && kill "$scraper" 2>/dev/null; true' EXIT INT TERM

# name | senders | receivers | rate (0 = as fast as the window allows)
scenarios=("fan-out 10, max rate|1|10|0" "fan-out 10 at 5,000 lines/s|1|10|5000" "100 receivers, 4 senders, 2,000 lines/s|4|100|2000")
port=18600
for engine in $engines; do
  port=$(free_port $((port + 1)))
  http=$(free_port $((port + 1)))
  python3 - bench/server_config.bench.json "$out/config-$engine.json" "$http" <<'PY'
import json, sys
config = json.load(open(sys.argv[1]))
config["monitoring"] = {"port": int(sys.argv[3])}
json.dump(config, open(sys.argv[2], "w"), indent=2)
PY
  start_server "$engine" "$port" "$out/config-$engine.json" "$out/$engine.log" taskset -c 0
  wait_for_port "$port"
  wait_for_port "$http"
  for scenario in "${scenarios[@]}"; do
    IFS='|' read -r name senders receivers rate <<< "$scenario"
    for mode in quiet scraped; do
      for rep in $(seq 1 "$repeats"); do
        if [ "$mode" = scraped ]; then
          taskset -c 1 python3 - "$http" "$engine" "$name" "$scrapes" <<'PY' &
import json, statistics, sys, time, urllib.request
port, engine, scenario, out = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
times, sizes = [], []
def record(*_):
    with open(out, "a") as f:
        f.write(json.dumps({"engine": engine, "scenario": scenario, "scrapes": len(times),
                            "medianMillis": statistics.median(times) if times else None,
                            "maxMillis": max(times) if times else None,
                            "metricsBytes": statistics.median(sizes) if sizes else None}) + "\n")
    sys.exit(0)
import signal
signal.signal(signal.SIGTERM, record)
while True:
    start = time.perf_counter()
    body = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10).read()
    urllib.request.urlopen(f"http://127.0.0.1:{port}/connz", timeout=10).read()
    times.append((time.perf_counter() - start) * 1000)
    sizes.append(len(body))
    time.sleep(max(0.0, 0.1 - (time.perf_counter() - start)))
PY
          scraper=$!
        fi
        taskset -c 1 java -jar "$load_jar" run --protocol summoner --port "$port" --label "$engine $mode" --scenario "$name" \
          --server-pid "$pid" --senders "$senders" --receivers "$receivers" --rate "$rate" --line-bytes 128 \
          --warmup "$warmup" --duration "$duration" --quiet --json-out "$results" > /dev/null || true
        if [ -n "$scraper" ]; then kill "$scraper"; wait "$scraper" 2>/dev/null || true; scraper=""; fi
      done
    done
  done
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
done

machine="$(date -u +%Y-%m-%d), $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), kernel $(uname -r), $(java -version 2>&1 | head -1)"
python3 - "$results" "$scrapes" "bench/scrape.sh${args:+ $args}" "$machine" <<'PY'
import json, statistics, sys
runs = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
scrapes = [json.loads(line) for line in open(sys.argv[2]) if line.strip()]
print(f"Measured with `{sys.argv[3]}` on {sys.argv[4]}: server on core 0 (taskset), summoner-load and the scraper on core 1; "
      "monitoring on in both modes; scraped = GET /metrics and GET /connz every 100 ms; 128-byte lines; medians of the runs.\n")
print("| engine | scenario | quiet deliveries/s | scraped deliveries/s | quiet p99 us | scraped p99 us | quiet CPU s/M | scraped CPU s/M | scrape ms (median / max) | lost |")
print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
def med(points, f):
    values = [f(p) for p in points]
    return statistics.median(values) if values else float("nan")
def cpu(p):
    window = p["deliveriesPerSecond"] * p["durationSeconds"]
    return p["serverCpuSeconds"] / window * 1e6 if p.get("serverCpuSeconds") and window else float("nan")
for engine in dict.fromkeys(r["label"].split()[0] for r in runs):
    for scenario in dict.fromkeys(r["scenario"] for r in runs):
        quiet = [r for r in runs if r["label"] == engine + " quiet" and r["scenario"] == scenario and not r.get("failure")]
        scraped = [r for r in runs if r["label"] == engine + " scraped" and r["scenario"] == scenario and not r.get("failure")]
        taken = [s for s in scrapes if s["engine"] == engine and s["scenario"] == scenario and s["scrapes"]]
        timing = (f"{statistics.median(s['medianMillis'] for s in taken):.1f} / {max(s['maxMillis'] for s in taken):.1f}"
                  if taken else "n/a")
        lost = sum(r["lost"] for r in quiet + scraped)
        print(f"| {engine} | {scenario} | {med(quiet, lambda p: p['deliveriesPerSecond']):,.0f} | {med(scraped, lambda p: p['deliveriesPerSecond']):,.0f} "
              f"| {med(quiet, lambda p: p['latencyMicros']['p99']):,.0f} | {med(scraped, lambda p: p['latencyMicros']['p99']):,.0f} "
              f"| {med(quiet, cpu):.3f} | {med(scraped, cpu):.3f} | {timing} | {lost} |")
failed = [r for r in runs if r.get("failure")]
if failed:
    print(f"\n{len(failed)} runs failed: " + "; ".join(f"{r['label']} {r['scenario']}: {r['failure']}" for r in failed))
PY
