#!/usr/bin/env bash
# Syscalls of one server under Probe3's load: strace -f -c (counts) or -ttt (a timeline of the I/O calls), attached
# after the server has started (JVM start-up is not traced). Server on core 0, probe on core 1.
#
#   bench/probe3/strace.sh TARGET MODE RATE DURATION_S [JAVA] [JVM_OPTS]
#   MODE: count (strace -f -c), timeline (strace -f -ttt of the I/O calls), perf (perf stat of syscall tracepoints: counts
#   at full speed), perfrec (perf record of the I/O calls' tracepoints, then perf script: a timeline at full speed;
#   strace's ptrace stops make every call ~50 us and change how lines batch)
set -euo pipefail
cd "$(dirname "$0")/../.."
nice=${NICE:--10}  # as run.sh --nice: ahead of a co-tenant build on the pinned cores
target=$1 mode=$2 rate=$3 duration=$4 java_bin=${5:-java} jvm_opts=${6:-}
. bench/lib.sh
mkdir -p target/strace target/probe3
[ -f target/probe3/Probe3.class ] || javac -d target/probe3 bench/probe3/Probe3.java
port=$(free_port 18700)
case "$target" in
  redis) protocol=redis; nice -n "$nice" taskset -c 0 redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no > /dev/null 2>&1 & ;;
  *) protocol=summoner; nice -n "$nice" taskset -c 0 "$java_bin" $jvm_opts -jar summoner-server/target/summoner-server.jar --engine "$target" --port "$port" \
       --config bench/server_config.bench.json --name "bench-$target" > "target/strace/$target.log" 2>&1 & ;;
esac
pid=$!
trap 'kill $pid 2>/dev/null; true' EXIT
wait_for_port "$port"
sleep 1
out=target/strace/$target-$mode-$rate
case "$mode" in
  count) strace -f -c -o "$out.txt" -p "$pid" & tracer=$! ;;
  timeline) strace -f -ttt -o "$out.txt" -e trace=write,writev,sendmsg,sendto,read,recvfrom,epoll_wait,epoll_pwait,epoll_pwait2,futex -p "$pid" & tracer=$! ;;
  perf) perf stat -x, -o "$out.txt" -e 'syscalls:sys_enter_write,syscalls:sys_enter_writev,syscalls:sys_enter_sendmsg,syscalls:sys_enter_sendto,syscalls:sys_enter_read,syscalls:sys_enter_recvfrom,syscalls:sys_enter_epoll_wait,syscalls:sys_enter_epoll_pwait,syscalls:sys_enter_futex,context-switches,task-clock' -p "$pid" & tracer=$! ;;
  perfrec) ev=""; for c in write writev sendto read recvfrom epoll_wait epoll_pwait epoll_pwait2; do ev="$ev,syscalls:sys_enter_$c,syscalls:sys_exit_$c"; done
    perf record -q -o "$out.data" -e "${ev#,}" -p "$pid" 2>/dev/null & tracer=$! ;;
esac
sleep 1
ps -L -o tid,comm,time -p "$pid" > "$out.threads-before" || true
nice -n "$nice" taskset -c 1 java -cp target/probe3 Probe3 --protocol "$protocol" --port "$port" --rate "$rate" --warmup 1 --duration "$duration" \
  --server-pid "$pid" --label "$target" > "$out.probe.json" || true
ps -L -o tid,comm,time -p "$pid" > "$out.threads-after" || true
kill -INT "$tracer"; wait "$tracer" 2>/dev/null || true
if [ "$mode" = perfrec ]; then perf script -i "$out.data" > "$out.script" 2>/dev/null; rm -f "$out.data"; fi
cat "$out.probe.json"
