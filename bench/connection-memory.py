#!/usr/bin/env python3
"""What one connection costs the relay in memory (issue 24, item 8), per engine: N idle clients, then N clients each
parked on an unfinished line of 60,100 bytes. For each, the server's live heap after a full collection (jcmd GC.run,
then jstat) and its resident memory, before and after, divided by N. Appends its lines to the result file with the
command and the machine.

    bench/connection-memory.py [server-jar] [out-file] [idle-count] [parked-count]
      defaults: summoner-server/target/summoner-server.jar docs/benchmarks/connection-memory.txt 2000 3000
"""
import datetime, os, platform, re, socket, subprocess, sys, time

jar = sys.argv[1] if len(sys.argv) > 1 else "summoner-server/target/summoner-server.jar"
out = sys.argv[2] if len(sys.argv) > 2 else "docs/benchmarks/connection-memory.txt"
idle_count = int(sys.argv[3]) if len(sys.argv) > 3 else 2000
parked_count = int(sys.argv[4]) if len(sys.argv) > 4 else 3000
config = "/tmp/summoner-connection-memory.json"
with open(config, "w") as f:
    f.write('{"hyper_parameters": {"rate_limit_msgs_per_minute": 1000000000, "client_timeout_secs": null, "max_connections": 0}}')


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def measure(engine, count, parked):
    port = free_port()
    server = subprocess.Popen(["java", "-jar", jar, "--engine", engine, "--port", str(port), "--config", config],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        def live_kib():
            subprocess.run(["jcmd", str(server.pid), "GC.run"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(0.5)
            lines = subprocess.run(["jstat", "-gc", str(server.pid)], capture_output=True, text=True).stdout.split("\n")
            names, values = lines[0].split(), lines[1].split()
            return sum(float(values[names.index(k)]) for k in ("S0U", "S1U", "EU", "OU"))

        def rss_kib():
            with open(f"/proc/{server.pid}/status") as status:
                return next(int(re.sub("[^0-9]", "", l)) for l in status if l.startswith("VmRSS"))

        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.05)
        time.sleep(2)
        heap0, rss0 = live_kib(), rss_kib()
        clients = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(count)]
        time.sleep(2)
        if parked:
            line = b"x" * 60000
            for c in clients:
                c.sendall(line[:100])  # a line that spans reads, so the framer gathers it
            time.sleep(0.5)
            for c in clients:
                c.sendall(line)
            time.sleep(3)
        heap1, rss1 = live_kib(), rss_kib()
        for c in clients:
            c.close()
        return (f"{engine:6} {'parked' if parked else 'idle':6} {count} clients: live heap {heap0 / 1024:.1f} -> {heap1 / 1024:.1f} MiB "
                f"(+{(heap1 - heap0) / count:.2f} KiB each), resident {rss0 / 1024:.1f} -> {rss1 / 1024:.1f} MiB "
                f"(+{(rss1 - rss0) / count:.2f} KiB each)")
    finally:
        server.kill()
        server.wait()


with open(out, "a") as f:
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.machine())
    java = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.split("\n")[0]
    f.write(f"# bench/connection-memory.py {jar} ({datetime.datetime.now(datetime.timezone.utc).isoformat(timespec='seconds')})\n")
    f.write(f"# machine: {os.cpu_count()} cores, {cpu}, {java}; server default heap and flags\n")
    for engine in ("nio", "netty", "agrona"):
        for count, parked in ((idle_count, False), (parked_count, True)):
            line = measure(engine, count, parked)
            print(line, flush=True)
            f.write(line + "\n")
