"""Agents of a small hosted game for the end-to-end test, reading the way the Python SDK's SummonerClient does:
asyncio streams with the default 64 KiB line limit, a line starting "Warning:" is a server notice, a JSON object
with "remote_addr" is an envelope whose "content" is decoded when it is itself JSON, any other JSON line reaches
the agent as it is. Uses only the standard library (the host's binding envelope is signed by the test, in Java).

usage: hosted_game_agent.py HOST PORT host HELLO_FILE SECRET PLAYERS
       hosted_game_agent.py HOST PORT player NAME GUESS
  host:   binds with the signed line in HELLO_FILE, proves it is a host (a directive to no one connected is
          answered with a notice only a host gets), prints "bound <own address>"; then answers each guess with a
          directive to its sender, prints "guess <remote_addr> <guess>", announces "round 1 over" to every
          participant after PLAYERS guesses and "game over" after one more, and exits
  player: sends {"name": NAME, "guess": GUESS}, prints "<remote_addr>\t<repr(content)>" per envelope (and
          "notice\t<line>" per notice) until "game over", and exits
"""
import asyncio
import json
import sys

LIMIT = 2 ** 16  # asyncio's default, as SummonerClient reads


async def read_message(reader):
    """One line as SummonerClient hands it over: ("notice", text) or (remote_addr, content)."""
    line = (await reader.readline()).decode()
    if not line:
        raise EOFError("the server closed the connection")
    line = line.rstrip("\n")
    if line.startswith("Warning:"):
        return "notice", line
    message = json.loads(line)
    if not isinstance(message, dict) or "remote_addr" not in message:
        return None, message
    content = message["content"]
    try:
        content = json.loads(content)
    except (json.JSONDecodeError, TypeError):
        pass
    return message["remote_addr"], content


def send(writer, message):
    writer.write(((message if isinstance(message, str) else json.dumps(message)) + "\n").encode())


async def host(address, port, hello_file, secret, players):
    reader, writer = await asyncio.open_connection(address, port, limit=LIMIT)
    ip, own_port = writer.get_extra_info("sockname")[:2]
    with open(hello_file) as f:
        send(writer, f.read().strip())
    send(writer, {"to": ["127.0.0.1:1"], "content": "anyone?"})
    await writer.drain()
    sender, notice = await read_message(reader)
    assert (sender, notice) == ("notice", "Warning: Recipient not connected: 127.0.0.1:1."), (sender, notice)
    print(f"bound {ip}:{own_port}", flush=True)
    guesses = 0
    while guesses < players + 1:
        sender, content = await read_message(reader)
        if sender in ("notice", None):
            print(f"unexpected\t{content!r}", flush=True)
            continue
        guess = content["guess"]
        print(f"guess {sender} {guess}", flush=True)
        result = "correct" if guess == secret else "higher" if guess < secret else "lower"
        send(writer, {"to": [sender], "content": {"result": result}})
        guesses += 1
        if guesses == players:
            send(writer, f"round 1 over: the number was {secret}")
    send(writer, "game over")
    await writer.drain()
    writer.close()
    await writer.wait_closed()


async def player(address, port, name, guess):
    reader, writer = await asyncio.open_connection(address, port, limit=LIMIT)
    send(writer, {"name": name, "guess": guess})
    await writer.drain()
    while True:
        sender, content = await read_message(reader)
        print(f"{sender}\t{content!r}", flush=True)
        if content == "game over":
            break
    writer.close()


if __name__ == "__main__":
    address, port, role = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    if role == "host":
        asyncio.run(host(address, port, sys.argv[4], int(sys.argv[5]), int(sys.argv[6])))
    else:
        asyncio.run(player(address, port, sys.argv[4], int(sys.argv[5])))
