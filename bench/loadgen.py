"""A small HTTP/1.1 load generator for when wrk is not installed: CONNECTIONS keep-alive
connections on raw asyncio streams, for SECONDS, then one `BENCH {json}` line as wrk's script
prints it. Run in a process of its own (bench/common.py does), so the emulator's process is
measured alone.

    python bench/loadgen.py URL get|post SECONDS CONNECTIONS
"""

from __future__ import annotations

import asyncio
import json
import random
import sys
import time
from urllib.parse import urlsplit


def request_bytes(kind: str, host: str, target: str, n: int) -> bytes:
    head = f"{'POST' if kind == 'post' else 'GET'} {target} HTTP/1.1\r\nHost: {host}\r\n"
    head += "X-App-Id: bench\r\nX-App-Token: bench\r\n"
    if kind != "post":
        return (head + "\r\n").encode()
    body = json.dumps({"source_id": f"g{n}-{random.randrange(10**9)}@example.com",
                       "name": "Load", "metadata": {"n": n}}).encode()  # fmt: skip
    head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    return head.encode() + body


async def read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    await reader.readexactly(length)
    return status


async def main(url: str, kind: str, seconds: float, connections: int) -> None:
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    latencies: list[float] = []
    failed = 0
    counter = iter(range(10**12))
    deadline = time.perf_counter() + seconds

    async def worker() -> None:
        nonlocal failed
        reader, writer = await asyncio.open_connection(host, port)
        while time.perf_counter() < deadline:
            began = time.perf_counter()
            writer.write(request_bytes(kind, f"{host}:{port}", target, next(counter)))
            if not 200 <= await read_response(reader) < 300:
                failed += 1
            latencies.append(time.perf_counter() - began)
        writer.close()

    began = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(connections)))
    took = time.perf_counter() - began
    latencies.sort()
    result = {
        "requests": len(latencies), "duration_us": int(took * 1e6),
        "p50": int(latencies[len(latencies) // 2] * 1e6),
        "p99": int(latencies[int(len(latencies) * 0.99) - 1] * 1e6), "failed": failed,
    }  # fmt: skip
    print("BENCH " + json.dumps(result))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4])))
