#!/usr/bin/env bash
# What a relay cluster (SPEC section 11) costs next to one relay: the same load against one node, then against three
# nodes joined by NATS (one nats-server) and by Aeron (embedded drivers), the sender on node a and the receivers spread
# over a, b and c in turn. Every server process (the nodes, nats-server) on core 0, summoner-load on core 1, so the
# figure that counts is the cluster's CPU per delivery, all its processes summed (--server-pid takes them all); the
# deliveries/s of three JVMs sharing one core are not what three machines would do. Medians of --repeats. The
# fixed-rate point is measured again by the independent C probe (bench/ceiling/probe.c), which shares no code with
# summoner-load.
#
#   bench/cluster.sh                              # nio; single, nats, aeron; 3 runs per point; about 6 minutes
#   bench/cluster.sh --engine netty --repeats 1 --duration 3
#   bench/cluster.sh --modes "nats nats-sealed"    # what authenticated frames (cluster.secret_file) cost
#   bench/cluster.sh --modes "aeron aeron-mtu8k"   # Aeron with cluster.aeron.mtu 8192 (nodes on one machine)
set -euo pipefail
cd "$(dirname "$0")/.."
args="$*"
engine=nio modes="single nats aeron" repeats=3 duration=10 warmup=3 out=target/cluster-bench
while [ $# -gt 0 ]; do
  case "$1" in
    --engine) engine=$2; shift ;;
    --modes) modes=$2; shift ;;
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
ensure_peers
build_c probe
mkdir -p "$out"
secret=$out/cluster.secret # for the -sealed modes: one secret for every node, as an operator makes it
head -c 32 /dev/urandom > "$secret" && chmod 600 "$secret"
results=$out/results.jsonl probes=$out/probe.jsonl
: > "$results"
: > "$probes"
pids=()
stop_all() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done; pids=(); }
trap stop_all EXIT INT TERM

# node_config MODE I NATS_PORT UDP_BASE: the bench config plus node I's "cluster" section, on stdout.
node_config() {
  python3 - bench/server_config.bench.json "$@" "$secret" <<'PY'
import json, sys
config = json.load(open(sys.argv[1]))
mode, i, nats_port, udp, secret = sys.argv[2], int(sys.argv[3]), sys.argv[4], int(sys.argv[5]), sys.argv[6]
sealed = mode.endswith("-sealed")
mode = mode[:-len("-sealed")] if sealed else mode
mtu = mode.endswith("-mtu8k")
mode = mode[:-len("-mtu8k")] if mtu else mode
name = "node-" + "abc"[i]
if mode == "nats":
    config["cluster"] = {"backplane": "nats", "node": name,
                         "nats": {"servers": ["nats://127.0.0.1:" + nats_port], "subject_prefix": "bench"}}
elif mode == "aeron":
    config["cluster"] = {"backplane": "aeron", "node": name,
                         "aeron": {"endpoint": "127.0.0.1:%d" % (udp + i),
                                   "peers": ["127.0.0.1:%d" % (udp + j) for j in range(3) if j != i]}}
    if mtu:
        config["cluster"]["aeron"]["mtu"] = 8192
if sealed:
    config["cluster"]["secret_file"] = secret
print(json.dumps(config))
PY
}

# name | senders | receivers | rate (0 = as fast as the window allows)
scenarios=("fan-out 10, max rate|1|10|0" "fan-out 10 at 5,000 lines/s|1|10|5000")
port=18700
for mode in $modes; do
  nodes=3
  [ "$mode" = single ] && nodes=1
  nats_port=0
  if [ "${mode%-sealed}" = nats ]; then
    nats_port=$(free_port $((port + 1)))
    taskset -c 0 "$nats_bin" -a 127.0.0.1 -p "$nats_port" > "$out/nats-server.log" 2>&1 &
    pids+=($!)
    wait_for_port "$nats_port"
    port=$nats_port
  fi
  ports=()
  for i in $(seq 0 $((nodes - 1))); do
    port=$(free_port $((port + 1)))
    node_config "$mode" "$i" "$nats_port" 40100 > "$out/$mode-$i.json"
    start_server "$engine" "$port" "$out/$mode-$i.json" "$out/$mode-$i.log" taskset -c 0
    pids+=("$pid")
    ports+=("$port")
  done
  for p in "${ports[@]}"; do wait_for_port "$p"; done
  if [ "$nodes" = 3 ]; then # every node hears the two others
    for i in 0 1 2; do
      for _ in $(seq 1 100); do [ "$(grep -c 'cluster: node .* joined' "$out/$mode-$i.log")" -ge 2 ] && break; sleep 0.1; done
    done
  fi
  receiver_ports=$(IFS=,; echo "${ports[*]}")
  server_pids=$(IFS=,; echo "${pids[*]}")
  for scenario in "${scenarios[@]}"; do
    IFS='|' read -r name senders receivers rate <<< "$scenario"
    for rep in $(seq 1 "$repeats"); do
      taskset -c 1 java -jar "$load_jar" run --protocol summoner --port "${ports[0]}" --receiver-ports "$receiver_ports" \
        --label "$engine $mode" --scenario "$name" --server-pid "$server_pids" --senders "$senders" \
        --receivers "$receivers" --rate "$rate" --line-bytes 128 --warmup "$warmup" --duration "$duration" --quiet \
        --json-out "$results" > /dev/null || true
    done
  done
  for rep in $(seq 1 "$repeats"); do # the same fixed-rate point, by the C probe
    taskset -c 1 target/probe summoner "$receiver_ports" 1 10 5000 "$warmup" "$duration" \
      | sed "s|^{|{\"label\":\"$engine $mode\",|" >> "$probes" || true # | : an ENGINE@JAR path has slashes
  done
  stop_all
done

machine="$(date -u +%Y-%m-%d), $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), kernel $(uname -r), $(java -version 2>&1 | head -1), $("$nats_bin" --version 2>&1 | head -1)"
python3 - "$results" "bench/cluster.sh${args:+ $args}" "$machine" "$probes" <<'PY'
import json, statistics, sys
runs = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
probes = [json.loads(line) for line in open(sys.argv[4]) if line.strip()]
print(f"Measured with `{sys.argv[2]}` on {sys.argv[3]}: every server process on core 0 (taskset), summoner-load on "
      f"core 1; one sender on node a, 10 receivers over the nodes in turn (a 4, b 3, c 3); 128-byte lines; medians of "
      f"the runs. CPU s/M: the CPU seconds of all server processes (the nodes, and nats-server) per million "
      f"deliveries.\n")
print("| mode | scenario | deliveries/s | p50 us | p99 us | p99.9 us | CPU s/M | lost | runs |")
print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
def med(points, f):
    values = [f(p) for p in points]
    return statistics.median(values) if values else float("nan")
def cpu(p):
    window = p["deliveriesPerSecond"] * p["durationSeconds"]
    return p["serverCpuSeconds"] / window * 1e6 if p.get("serverCpuSeconds") and window else float("nan")
for label in dict.fromkeys(r["label"] for r in runs):
    for scenario in dict.fromkeys(r["scenario"] for r in runs):
        points = [r for r in runs if r["label"] == label and r["scenario"] == scenario and not r.get("failure")]
        if not points:
            continue
        print(f"| {label} | {scenario} | {med(points, lambda p: p['deliveriesPerSecond']):,.0f} "
              f"| {med(points, lambda p: p['latencyMicros']['p50']):,.0f} | {med(points, lambda p: p['latencyMicros']['p99']):,.0f} "
              f"| {med(points, lambda p: p['latencyMicros']['p999']):,.0f} | {med(points, cpu):.3f} "
              f"| {sum(r['lost'] for r in points)} | {len(points)} |")
print("\nThe fixed-rate point again (fan-out 10 at 5,000 lines/s, the same receivers), measured by the C probe:\n")
print("| mode | p50 us | p99 us | p99.9 us | lost | probe send lag p99 us | runs |")
print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
for label in dict.fromkeys(p["label"] for p in probes):
    points = [p for p in probes if p["label"] == label]
    print(f"| {label} | {med(points, lambda p: p['p50']):,.0f} | {med(points, lambda p: p['p99']):,.0f} "
          f"| {med(points, lambda p: p['p999']):,.0f} | {sum(p['lost'] for p in points)} "
          f"| {med(points, lambda p: p['sendLagP99']):,.0f} | {len(points)} |")
failed = [r for r in runs if r.get("failure")]
if failed:
    print(f"\n{len(failed)} runs failed: " + "; ".join(f"{r['label']} {r['scenario']}: {r['failure']}" for r in failed))
PY
