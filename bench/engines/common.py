"""Shared by the engine comparison scripts: start the runnable jar with a config, read /metrics, count a process's
threads, descriptors and resident memory from /proc. Loopback only."""
import json, os, socket, subprocess, sys, time, urllib.request, signal
HERE = os.path.dirname(os.path.abspath(__file__))
JAR = os.environ.get("SUMMONER_JAR", os.path.join(HERE, "..", "..", "summoner-server", "target", "summoner-server.jar"))
WORK = os.environ.get("WORK_DIR", "/tmp/summoner-engines-bench")
os.makedirs(WORK, exist_ok=True)
def start(engine, port, mport, hp=None, extra=None, tag=None, jvm=None):
    cfg = {"host": "127.0.0.1", "port": port, "version": engine,
           "monitoring": {"host": "127.0.0.1", "port": mport},
           "hyper_parameters": hp or {}}
    if extra: cfg.update(extra)
    tag = tag or f"{engine}_{port}"
    path = f"{WORK}/cfg_{tag}.json"
    json.dump(cfg, open(path, "w"))
    log = open(f"{WORK}/log_{tag}.txt", "w")
    p = subprocess.Popen(["java"] + (jvm or []) + ["-jar", JAR, "--config", path], stdout=log, stderr=subprocess.STDOUT)
    for _ in range(200):
        try:
            s = socket.create_connection(("127.0.0.1", mport), timeout=0.2); s.close()
            if healthz(mport).startswith("ok"): break
        except Exception: time.sleep(0.1)
    time.sleep(0.3)
    return p
def healthz(mport):
    try:
        return urllib.request.urlopen(f"http://127.0.0.1:{mport}/healthz", timeout=3).read().decode().strip()
    except urllib.error.HTTPError as e:
        return f"{e.code} {e.read().decode().strip()}"
def metrics(mport, names=None):
    t = urllib.request.urlopen(f"http://127.0.0.1:{mport}/metrics", timeout=5).read().decode()
    out = {}
    for l in t.splitlines():
        if l.startswith("#"): continue
        k, _, v = l.rpartition(" ")
        if names is None or any(k.startswith(n) for n in names):
            try: out[k] = float(v)
            except: pass
    return out
def proc(p):
    pid = p.pid
    return {"threads": len(os.listdir(f"/proc/{pid}/task")), "fds": len(os.listdir(f"/proc/{pid}/fd")),
            "rss_kb": int([l for l in open(f"/proc/{pid}/status") if l.startswith("VmRSS")][0].split()[1])}
def stop(p, timeout=10):
    t0 = time.time()
    p.send_signal(signal.SIGTERM)
    try:
        rc = p.wait(timeout); return rc, time.time() - t0
    except subprocess.TimeoutExpired:
        return None, time.time() - t0
def conn(port, timeout=5):
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s
def readlines(s, n=None, timeout=2.0, until=None):
    s.settimeout(timeout); buf = b""; lines = []
    end = time.time() + timeout
    while time.time() < end:
        try:
            d = s.recv(65536)
        except socket.timeout: break
        except OSError: break
        if not d: lines.append(None); break
        buf += d
        while b"\n" in buf:
            l, buf = buf.split(b"\n", 1); lines.append(l)
        if n is not None and len([x for x in lines if x is not None]) >= n: break
    if buf: lines.append(b"<partial>" + buf)
    return lines
