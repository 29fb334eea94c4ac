# Helpers the benchmark scripts share; sourced, not run.

# The servers handle SIGUSR2 (drain): move HotSpot's own use of it, as bin/summoner-server does, so JFR's method
# sampling works in the servers a benchmark profiles (docs/OPERATING.md, "Drain").
export _JAVA_SR_SIGNUM=${_JAVA_SR_SIGNUM:-39}

# free_port N: the first port from N up that nothing listens on, on 127.0.0.1.
free_port() {
  local port=$1
  while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
  echo "$port"
}

# wait_for_port N: until something listens on 127.0.0.1:N, at most 10 s.
wait_for_port() {
  for _ in $(seq 1 200); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.05
  done
  echo "nothing listens on 127.0.0.1:$1" >&2
  return 1
}

# build_c NAME: target/NAME from bench/ceiling/NAME.c with the system cc, unless it is up to date.
build_c() {
  if [ ! -x "target/$1" ] || [ "bench/ceiling/$1.c" -nt "target/$1" ]; then
    mkdir -p target && cc -O2 -Wall -o "target/$1" "bench/ceiling/$1.c"
  fi
}

# start_server TARGET PORT CONFIG LOG [COMMAND PREFIX...]: starts redis, nats, floor or one of this project's engines
# (by name, with CONFIG) on 127.0.0.1:PORT in the background, behind the prefix (e.g. taskset -c 0); sets pid and
# protocol. Uses nats_bin and server_jar; the floor needs build_c floor_relay first. ENGINE@JAR runs the engine from
# another server jar (an earlier build, for a before/after comparison in one run).
start_server() {
  local target=$1 port=$2 config=$3 log=$4
  shift 4
  case "$target" in
    redis) protocol=redis; "$@" redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no > "$log" 2>&1 & ;;
    nats) protocol=nats; "$@" "$nats_bin" -a 127.0.0.1 -p "$port" > "$log" 2>&1 & ;;
    floor) protocol=summoner; "$@" target/floor_relay 127.0.0.1 "$port" > "$log" 2>&1 & ;;
    *@*) protocol=summoner; "$@" java -jar "${target#*@}" --engine "${target%%@*}" --port "$port" --config "$config" \
         --name "bench-${target%%@*}" > "$log" 2>&1 & ;;
    *) protocol=summoner; "$@" java -jar "$server_jar" --engine "$target" --port "$port" --config "$config" \
         --name "bench-$target" > "$log" 2>&1 & ;;
  esac
  pid=$!
}

# ensure_peers: installs nats-server and redis-server from Debian when missing (apt's output on stderr), and sets
# nats_bin (Debian puts nats-server in /usr/sbin, which may not be on PATH).
ensure_peers() {
  local missing=()
  command -v nats-server >/dev/null 2>&1 || [ -x /usr/sbin/nats-server ] || missing+=(nats-server)
  command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
  if [ ${#missing[@]} -gt 0 ]; then
    apt-get update -qq >&2 && apt-get install -y -qq "${missing[@]}" >&2
  fi
  nats_bin=$(command -v nats-server || echo /usr/sbin/nats-server)
}

# ensure_jars: sets server_jar and load_jar, and builds them when either is missing.
ensure_jars() {
  server_jar=summoner-server/target/summoner-server.jar
  load_jar=summoner-bench/target/summoner-load.jar
  [ -f "$server_jar" ] && [ -f "$load_jar" ] || mvn -B -q package -DskipTests -pl summoner-server,summoner-bench -am
}
