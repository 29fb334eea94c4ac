"""A Summoner-style agent for the end-to-end test, written the way the Python SDK's SummonerClient talks:
asyncio streams, json.dumps(payload) + "\n" to send, reader.readline() + json.loads and payload["content"] to
receive (the SDK also parses content that is itself JSON). Uses only the standard library.

usage: sdk_style_agent.py HOST PORT send|receive|hostile [COUNT]
  send:    sends a dict payload, a non-ASCII string and a line ending in \r\n, then waits to be closed
  receive: prints one line per envelope: remote_addr<TAB>repr(content) (JSON content decoded), then exits after
           COUNT envelopes (4 by default); reading with asyncio's default 64 KiB limit, as SummonerClient does,
           so a longer line ends it with LimitOverrunError/ValueError, as it ends an SDK agent
  hostile: sends the lines that used to kill SDK receivers (whose envelopes exceed 64 KiB once escaped), then a
           good one; prints the server's notices to it, then waits to be closed
"""
import asyncio
import json
import sys


async def send(host, port):
    reader, writer = await asyncio.open_connection(host, port)
    for payload in ({"route": "offer", "price": 12.5, "tags": ["a", "b"]}, "héllo wörld 😀", "plain"):
        message = json.dumps(payload) if not isinstance(payload, str) else payload
        writer.write((message + "\n").encode())
    writer.write(b"windows line\r\n")
    await writer.drain()
    await reader.read()  # until the server closes us
    writer.close()


async def hostile(host, port):
    reader, writer = await asyncio.open_connection(host, port)
    for line in (b"a" * 65535, b'"' * 40000, b"\x01" * 11000):
        writer.write(line + b"\n")
    writer.write(b"after the storm\n")
    await writer.drain()
    for _ in range(3):
        print((await reader.readline()).decode().rstrip("\n"), flush=True)
    await reader.read()  # until the server closes us
    writer.close()


async def receive(host, port, count):
    reader, writer = await asyncio.open_connection(host, port)
    print("ready", flush=True)
    for _ in range(count):
        data = await reader.readline()
        payload = json.loads(data.decode())
        content = payload["content"]
        try:
            content = json.loads(content)
        except (json.JSONDecodeError, TypeError):
            pass
        print(f"{payload['remote_addr']}\t{content!r}", flush=True)
    writer.close()


if __name__ == "__main__":
    host, port, role = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    if role == "send":
        asyncio.run(send(host, port))
    elif role == "hostile":
        asyncio.run(hostile(host, port))
    else:
        asyncio.run(receive(host, port, int(sys.argv[4]) if len(sys.argv) > 4 else 4))
