#!/usr/bin/env python3
"""Reads a server's I/O timeline (strace -f -ttt, or perf script of syscall tracepoints) and prints, per server, what
one loop turn does: reads of lines, writes to clients (calls, bytes, envelopes per call), the order of the fan-out,
and how long after a turn's first read its first and last writes to receivers start.

    bench/probe3/turns.py strace target/strace/nio-timeline-200.txt [ENVELOPE_BYTES]
    bench/probe3/turns.py perf   target/strace/nio-perf-2000.script [ENVELOPE_BYTES]

A turn is everything one thread does between two returns of its poll call (epoll_wait/epoll_pwait/epoll_pwait2).
Sender connections are those the server reads lines from; every other connection written to is a receiver.
ENVELOPE_BYTES (175 for a 128-byte line to a Summoner relay on 127.0.0.1, 160 for redis's message push) turns bytes into
envelopes.
"""
import collections
import json
import re
import statistics
import sys

POLL = ("epoll_wait", "epoll_pwait", "epoll_pwait2")
WRITES = ("write", "writev", "sendto", "sendmsg")
READS = ("read", "recvfrom", "readv", "recvmsg")


def parse_strace(path):
    """Yields (tid, t_start, name, fd, result) for each completed call, t_start being when it was entered."""
    pending = {}
    line_re = re.compile(r"^(\d+)\s+(\d+\.\d+)\s+(.*)$")
    for line in open(path, errors="replace"):
        m = line_re.match(line)
        if not m:
            continue
        tid, ts, rest = int(m.group(1)), float(m.group(2)), m.group(3)
        if rest.startswith("<..."):
            m2 = re.match(r"<\.\.\. (\w+) resumed>.*\)\s+=\s+(-?\d+)", rest)
            if m2 and tid in pending:
                name, fd, t0 = pending.pop(tid)
                yield tid, t0, name, fd, int(m2.group(2))
            continue
        m2 = re.match(r"(\w+)\((\d+)?", rest)
        if not m2:
            continue
        name, fd = m2.group(1), int(m2.group(2)) if m2.group(2) else -1
        if rest.endswith("<unfinished ...>"):
            pending[tid] = (name, fd, ts)
            continue
        m3 = re.search(r"\)\s+=\s+(-?\d+)", rest)
        if m3:
            yield tid, ts, name, fd, int(m3.group(1))


def parse_perf(path):
    """perf script of syscalls:sys_enter_* and sys_exit_*: pairs them per thread."""
    pending = {}
    rx = re.compile(r"^\s*\S+\s+(\d+)\s+(?:\[\d+\]\s+)?(\d+\.\d+):\s+syscalls:sys_(enter|exit)_(\w+):\s*(.*)$")
    for line in open(path, errors="replace"):
        m = rx.match(line)
        if not m:
            continue
        tid, ts, kind, name, args = int(m.group(1)), float(m.group(2)), m.group(3), m.group(4), m.group(5)
        if kind == "enter":
            fd = re.search(r"\bfd: (0x[0-9a-f]+)", args) or re.search(r"\bepfd: (0x[0-9a-f]+)", args)
            pending[tid] = (name, int(fd.group(1), 16) if fd else -1, ts)
        else:
            if tid in pending and pending[tid][0] == name:
                n, fd, t0 = pending.pop(tid)
                ret = re.search(r"0x([0-9a-f]+)", args)
                r = int(ret.group(1), 16) if ret else 0
                if r >= 1 << 63:
                    r -= 1 << 64
                yield tid, t0, name, fd, r


def main():
    mode, path = sys.argv[1], sys.argv[2]
    env = int(sys.argv[3]) if len(sys.argv) > 3 else 175
    calls = list(parse_strace(path) if mode == "strace" else parse_perf(path))
    # Sender connections: those read with data by the relay thread(s) (a line is 129 bytes, a redis PUBLISH 160).
    reads_by_fd = collections.Counter(fd for _, _, n, fd, r in calls if n in READS and r > 0)
    writes_by_fd = collections.Counter(fd for _, _, n, fd, r in calls if n in WRITES and r > 0)
    # the file descriptors both read from and written to many times
    io_threads = collections.Counter(tid for tid, _, n, fd, r in calls if n in WRITES and r > 0 and fd in reads_by_fd or n in WRITES and r >= env)
    senders = {fd for fd, c in reads_by_fd.items() if c >= 20 and fd in writes_by_fd}
    receivers = {fd for fd, c in writes_by_fd.items() if c >= 20 and fd not in senders}
    turns = []
    cur = {}
    for tid, ts, name, fd, r in calls:
        if name in POLL:
            t = cur.pop(tid, None)
            if t and (t["reads"] or t["writes"]):
                turns.append(t)
            cur[tid] = {"tid": tid, "start": ts, "reads": 0, "firstRead": None, "writes": 0, "rbytes": 0, "wr": [], "swrites": 0}
            continue
        t = cur.get(tid)
        if t is None:
            continue
        if name in READS and fd in senders and r > 0:
            t["reads"] += 1
            if t["firstRead"] is None:
                t["firstRead"] = ts
        elif name in WRITES and r > 0 and fd in receivers:
            t["wr"].append((ts, fd, r))
        elif name in WRITES and r > 0 and fd in senders:
            t["swrites"] += 1
    wturns = [t for t in turns if t["wr"]]
    allw = [w for t in wturns for w in t["wr"]]
    out = {"file": path, "threadsWriting": len({t["tid"] for t in wturns}), "senders": len(senders), "receivers": len(receivers)}
    if not allw:
        print(json.dumps(out))
        return
    env_written = sum(r for _, _, r in allw) / env
    out["writeCallsToReceivers"] = len(allw)
    out["envelopesToReceivers"] = round(env_written)
    out["writeCallsPerEnvelope"] = round(len(allw) / env_written, 3)
    out["bytesPerCall"] = round(statistics.mean(r for _, _, r in allw), 1)
    out["envelopesPerCall"] = {k: v for k, v in sorted(collections.Counter(round(r / env) for _, _, r in allw).items())}
    out["turnsWithWrites"] = len(wturns)
    out["writesPerTurn_p50"] = statistics.median(len(t["wr"]) for t in wturns)
    # how many receivers get written more than once in one turn (one write per line instead of one per turn)
    dup = sum(len(t["wr"]) - len({fd for _, fd, _ in t["wr"]}) for t in wturns)
    out["repeatWritesSameReceiverSameTurn"] = dup
    full = [t for t in wturns if len({fd for _, fd, _ in t["wr"]}) >= 0.9 * len(receivers)]
    if full:
        spans = [(t["wr"][-1][0] - t["wr"][0][0]) * 1e6 for t in full]
        per = [s / max(1, len(t["wr"]) - 1) for s, t in zip(spans, full)]
        out["fanOutTurns"] = len(full)
        out["firstToLastWrite_us_p50"] = round(statistics.median(spans), 1)
        out["firstToLastWrite_us_p99"] = round(sorted(spans)[int(0.99 * (len(spans) - 1))], 1)
        out["usPerWrite_p50"] = round(statistics.median(per), 2)
        lead = [(t["wr"][0][0] - t["firstRead"]) * 1e6 for t in full if t["firstRead"] is not None]
        if lead:
            out["firstReadToFirstWrite_us_p50"] = round(statistics.median(lead), 1)
        out["linesReadPerFanOutTurn"] = dict(sorted(collections.Counter(t["reads"] for t in full).items()))
        # order: do writes go up or down the file descriptors (connection order)?
        asc = sum(1 for t in full for a, b in zip(t["wr"], t["wr"][1:]) if b[1] > a[1])
        desc = sum(1 for t in full for a, b in zip(t["wr"], t["wr"][1:]) if b[1] < a[1])
        out["fanOutOrder"] = "ascending fd (connection order)" if asc > 3 * desc else "descending fd (newest first)" if desc > 3 * asc else "mixed"
        out["turnsWithoutRead"] = sum(1 for t in full if t["reads"] == 0)
    out["senderWritesPerTurn"] = round(sum(t["swrites"] for t in wturns) / len(wturns), 2)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
