#!/usr/bin/env python3
"""A bystander pair's ping latency with 2,000 idle clients connected, and while all of them leave at once, per engine.

    bench/engines/mass_close.py blocking 18203 nio 18204
"""
import os, sys, threading; sys.path.insert(0, os.path.dirname(os.path.abspath(__file__))); from common import *
def run(eng, port, N=2000):
    p = start(eng, port, port + 1000, hp={"rate_limit_msgs_per_minute": 10000000}, tag=f"mass_{eng}")
    mp = port + 1000; base = proc(p)
    X = conn(port); Y = conn(port)
    socks = [conn(port) for _ in range(N)]
    for _ in range(60):
        if metrics(mp, ["summoner_connections"])["summoner_connections"] >= N + 2: break
        time.sleep(0.3)
    lat = []; ev = threading.Event()
    def rd():
        buf = b""; Y.settimeout(0.2)
        while not ev.is_set():
            try: d = Y.recv(65536)
            except socket.timeout: continue
            buf += d; *ls, buf = buf.split(b"\n")
            for l in ls:
                if b"ping " in l: lat.append(time.time() - float(l.split(b"ping ")[1].split(b'"')[0]))
    t = threading.Thread(target=rd); t.start()
    def pings(d):
        e = time.time() + d
        while time.time() < e: X.sendall(f"ping {time.time()}\n".encode()); time.sleep(0.005)
    for s in socks: s.setblocking(False)
    pings(1.0); before = sorted(lat); lat.clear()
    t0 = time.time()
    for s in socks: s.close()
    pings(3.0); during = sorted(lat)
    back = None
    for _ in range(100):
        pr = proc(p)
        if pr["threads"] <= base["threads"] + 3 and pr["fds"] <= base["fds"] + 4: back = round(time.time() - t0, 2); break
        time.sleep(0.2)
    ev.set(); t.join()
    q = lambda l, f: round(l[min(len(l)-1, int(len(l)*f))]*1000, 1) if l else None
    print(f"{eng}: ping latency before p50 {q(before,.5)}ms max {q(before,1)}ms; during exodus n={len(during)} p50 {q(during,.5)}ms p99 {q(during,.99)}ms max {q(during,1)}ms; threads/fds back to baseline after {back}s {proc(p)}", flush=True)
    X.close(); Y.close(); print(eng, "stop", stop(p))
for eng, port in [(a, int(b)) for a, b in zip(sys.argv[1::2], sys.argv[2::2])] or (("nio", 18201), ("blocking", 18202)): run(eng, port)
