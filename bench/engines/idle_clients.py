#!/usr/bin/env python3
"""What an idle client costs each engine: threads, descriptors, heap (after a full GC) and resident memory with N idle
clients, a broadcast to all of them, and how long until everything is back after they leave.

    bench/engines/idle_clients.py 4000
"""
import os, sys, gc; sys.path.insert(0, os.path.dirname(os.path.abspath(__file__))); from common import *
N = int(sys.argv[1]) if len(sys.argv) > 1 else 4000
def run(eng, port):
    p = start(eng, port, port + 1000, hp={"max_connections": 20000})
    mp = port + 1000; time.sleep(0.5)
    b = proc(p); hb = metrics(mp, ['jvm_memory_bytes_used{area="heap"}', 'jvm_memory_used_bytes{area="heap"}'])
    print(eng, "base", b, hb, flush=True)
    socks = []
    t0 = time.time()
    for i in range(N):
        try: socks.append(conn(port))
        except OSError as e: print("connect err", i, e); break
    for _ in range(120):
        if metrics(mp, ['summoner_connections'])['summoner_connections'] >= len(socks): break
        time.sleep(0.5)
    print(eng, f'all {len(socks)} accepted after {time.time()-t0:.1f}s', flush=True)
    a = proc(p); ha = metrics(mp, ['jvm_memory_bytes_used{area="heap"}', 'jvm_memory_used_bytes{area="heap"}', "summoner_connections", "summoner_blocking_threads"])
    print(eng, f"{len(socks)} idle after {time.time()-t0:.1f}s", a, ha, flush=True)
    # a line through all of them
    t1 = time.time(); socks[0].sendall(b"ping\n")
    got = 0
    for s in socks[1:]:
        s.settimeout(max(0.01, 10 - (time.time() - t1)))
        try:
            d = s.recv(1000); got += d.startswith(b'{"remote_addr"')
        except OSError: pass
    print(eng, f"broadcast to {got}/{len(socks)-1} in {time.time()-t1:.2f}s", flush=True)
    os.system(f"jcmd {p.pid} GC.run >/dev/null 2>&1"); time.sleep(1)
    print(eng, "after GC", metrics(mp, ['jvm_memory_bytes_used{area="heap"}', 'jvm_memory_used_bytes{area="heap"}']), flush=True)
    t2 = time.time()
    for s in socks: s.close()
    for _ in range(40):
        time.sleep(0.25)
        if proc(p)["fds"] <= b["fds"] + 4: break
    print(eng, f"closed all; back in {time.time()-t2:.1f}s", proc(p), metrics(mp, ["summoner_connections", "summoner_blocking_threads"]))
    print(eng, "stop", stop(p))
for eng, port in (("nio", 18121), ("blocking", 18122)): run(eng, port)
