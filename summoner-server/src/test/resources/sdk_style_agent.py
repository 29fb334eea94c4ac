"""A Summoner-style agent for the end-to-end test, written the way the Python SDK's SummonerClient talks:
asyncio streams, json.dumps(payload) + "\n" to send, reader.readline() + json.loads and payload["content"] to
receive (the SDK also parses content that is itself JSON). Uses only the standard library.

usage: sdk_style_agent.py HOST PORT send|receive
  send:    sends a dict payload, a non-ASCII string and a line ending in \r\n, then waits to be closed
  receive: prints one line per envelope: remote_addr<TAB>repr(content) (JSON content decoded), then exits
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


async def receive(host, port):
    reader, writer = await asyncio.open_connection(host, port)
    print("ready", flush=True)
    for _ in range(4):
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
    asyncio.run(send(host, port) if role == "send" else receive(host, port))
