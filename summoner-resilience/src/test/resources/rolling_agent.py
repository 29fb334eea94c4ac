"""An agent that chats through a rolling upgrade, reading and retrying the way the Python SDK's SummonerClient does:
asyncio streams, reader.readline() with asyncio's default 64 KiB limit, json.loads of each envelope; when the
server closes it, it reconnects; a failed connection is retried 3 times 3 s apart, then 2 more (the SDK's fallback),
then it gives up and exits 3. The count of failures never resets, as in the SDK. Only the standard library.

usage: rolling_agent.py HOST PORT NAME INTERVAL_MS
  Sends NAME:SEQ every INTERVAL_MS on whatever connection it has, until its standard input closes; then closes and
  prints one JSON summary line:
  {"name", "sent", "connections", "failures", "exhausted", "notices": [...], "received": {sender: count},
   "out_of_order": n, "duplicates": n, "last_seq": {sender: seq}}
  "sent" counts every line written to a socket, including those the server read after it told this agent to go
  (which it counts, and does not relay).
"""
import asyncio
import json
import sys

TRIES = 3
FALLBACK_TRIES = 2
RETRY_DELAY_S = 3


class Agent:
    def __init__(self, host, port, name, interval):
        self.host, self.port, self.name, self.interval = host, port, name, interval
        self.seq = 0
        self.sent = 0
        self.connections = 0
        self.failures = 0
        self.notices = []
        self.received = {}
        self.last_seq = {}
        self.out_of_order = 0
        self.duplicates = 0
        self.stopping = False
        self.exhausted = False
        self.writer = None

    async def connect(self):
        while not self.stopping:
            try:
                reader, writer = await asyncio.open_connection(self.host, self.port)
                self.connections += 1
                return reader, writer
            except OSError:
                self.failures += 1
                if self.failures > TRIES + FALLBACK_TRIES:
                    self.exhausted = True
                    return None
                await asyncio.sleep(RETRY_DELAY_S)
        return None

    async def receive(self, reader, state):
        while True:
            try:
                data = await reader.readline()
            except (ConnectionError, OSError):
                data = b""
            if not data:
                return
            line = data.decode().rstrip("\n")
            if line.startswith("Warning:"):
                self.notices.append(line)
                state["told"] = True
                continue
            content = json.loads(line)["content"]
            sender, seq = content.rsplit(":", 1)
            seq = int(seq)
            self.received[sender] = self.received.get(sender, 0) + 1
            last = self.last_seq.get(sender, -1)
            if seq == last:
                self.duplicates += 1
            elif seq < last:
                self.out_of_order += 1
            self.last_seq[sender] = max(seq, last)

    async def send(self, writer, state, done):
        while not self.stopping and not done.is_set():
            writer.write(f"{self.name}:{self.seq}\n".encode())
            self.seq += 1
            self.sent += 1
            try:
                await writer.drain()
            except (ConnectionError, OSError):
                return
            try:
                await asyncio.wait_for(done.wait(), self.interval)
            except asyncio.TimeoutError:
                pass

    async def run(self):
        while not self.stopping:
            connection = await self.connect()
            if connection is None:
                return
            reader, writer = connection
            self.writer = writer
            state = {"told": False}
            done = asyncio.Event()
            sender = asyncio.ensure_future(self.send(writer, state, done))
            await self.receive(reader, state)
            done.set()  # the server closed us: stop writing, close, reconnect
            await sender
            writer.close()
            try:
                await writer.wait_closed()
            except (ConnectionError, OSError):
                pass

    def stop(self):
        self.stopping = True
        if self.writer is not None:
            self.writer.close()  # the server sees its end of stream; readline sees the close

    def summary(self):
        return {"name": self.name, "sent": self.sent, "connections": self.connections, "failures": self.failures, "exhausted": self.exhausted,
                "notices": self.notices, "received": self.received, "out_of_order": self.out_of_order,
                "duplicates": self.duplicates, "last_seq": self.last_seq}


async def main(host, port, name, interval_ms):
    agent = Agent(host, port, name, interval_ms / 1000)
    runner = asyncio.ensure_future(agent.run())
    print("started", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    agent.stop()
    try:
        await asyncio.wait_for(runner, 10)
    except asyncio.TimeoutError:
        runner.cancel()
    print(json.dumps(agent.summary()), flush=True)
    return 3 if agent.exhausted else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]))))
