#!/usr/bin/env bash
set -uo pipefail
cd /work/main
echo "start $(date -u +%FT%TZ) load $(cut -d' ' -f1-3 /proc/loadavg)"
bench/probe3/run.sh --repeats 3 --targets "nio netty agrona redis nio:warm netty:warm agrona:warm redis:warm" --probe-opts "--rate 1000" --suffix "@1000" --out /tmp/bench/probe3-1000.jsonl > /dev/null 2>&1
echo "probe3 done $(date -u +%FT%TZ)"
. bench/lib.sh
server_jar=summoner-server/target/summoner-server.jar
port=19700
for rep in 1 2 3; do
  for t in nio netty agrona redis; do
    port=$(free_port $((port + 1)))
    start_server "$t" "$port" bench/server_config.bench.json /dev/null taskset -c 0
    wait_for_port "$port"
    taskset -c 1 target/probe "$protocol" "$port" 4 100 1000 1 15 > /dev/null
    taskset -c 1 target/probe "$protocol" "$port" 4 100 1000 2 10 | sed "s|^{|{\"target\":\"$t\",\"round\":$rep,|" >> /tmp/bench/cprobe-1000.jsonl
    kill "$pid"; wait "$pid" 2>/dev/null; pid=""
  done
done
echo "cprobe done $(date -u +%FT%TZ) load $(cut -d' ' -f1-3 /proc/loadavg)"
