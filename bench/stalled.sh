#!/usr/bin/env bash
# The isolation scenario (SPEC section 4) against each engine, on defaults with only the rate limit lifted:
# one sender writing 20,000 lines of 1 KB, one healthy reader, one reader that never reads, then 1,000 new
# clients from the same address. The sender either writes as fast as it can (window 0) or stays at most 50
# lines ahead of the healthy reader (window 50, so that only the stalled client can fall behind, as in the kit's
# test). One JSON line per run; per engine, one server, two runs of each (the first on a cold JVM).
#
#   bench/stalled.sh [server-jar]      # default: summoner-server/target/summoner-server.jar
set -euo pipefail
cd "$(dirname "$0")/.."
server_jar=${1:-summoner-server/target/summoner-server.jar}
load_jar=summoner-bench/target/summoner-load.jar
config=$(mktemp -t summoner-stalled.XXXXXX.json)
echo '{"hyper_parameters": {"rate_limit_msgs_per_minute": 2000000000}}' > "$config"
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -f "$config"' EXIT
port=18888
for engine in nio netty agrona; do
  java -jar "$server_jar" --engine "$engine" --port "$port" --config "$config" > /dev/null 2>&1 &
  pid=$!
  for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.1; done
  for window in 50 0 50 0; do
    printf '%s %s\n' "$engine" "$(java -jar "$load_jar" stalled --port "$port" --window "$window")"
  done
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
  port=$((port + 1))
done
