"""Load generator for bench/datahub.py: key lookups against the exchange API or its baseline.

Run as its own process (``python bench/exchange_loadgen.py < config.json``; one JSON result
on stdout), so it shares no interpreter with the server. Config: host, port, seconds, warmup,
concurrency, keys (the key values to look up, cycled), fields, and either ``signed`` (with
path_template, client_id, secret: every request signed as a consumer system signs it) or not
(path_template of the baseline view). Each connection is a keep-alive HTTP/1.1 connection
running closed-loop (the next request when the previous answer is read). All connections
share one asyncio loop in one thread: a client of threads would add its own waits for the
interpreter lock to the latencies it measures, most of all at the tail (p99).
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from yiwang.exchange.client import (
    CLIENT_HEADER,
    NONCE_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    canonical_path,
    canonical_query,
    canonical_target,
    new_nonce,
    signature,
    string_to_sign,
)


def _request(cfg: dict, key: str) -> tuple[str, dict[str, str]]:
    path = cfg["path_template"].format(key=key)
    params = {"fields": ",".join(cfg["fields"])} if cfg.get("fields") else None
    target = canonical_path(path) + (f"?{canonical_query(params)}" if params else "")
    headers = {"Accept": "application/json"}
    if cfg.get("signed"):
        timestamp, nonce = str(int(time.time())), new_nonce()
        text = string_to_sign("GET", canonical_target(path, params), timestamp, nonce, b"")
        headers |= {
            CLIENT_HEADER: cfg["client_id"],
            TIMESTAMP_HEADER: timestamp,
            NONCE_HEADER: nonce,
            SIGNATURE_HEADER: signature(cfg["secret"], text),
        }
    return target, headers


async def _answer(reader: asyncio.StreamReader) -> tuple[int, bool]:
    """Read one HTTP/1.1 response; (status, whether the server keeps the connection)."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    if headers.get("transfer-encoding", "").lower() == "chunked":
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if not size:
                break
    else:
        await reader.readexactly(int(headers.get("content-length", "0")))
    return status, headers.get("connection", "").lower() != "close"


def main() -> None:
    cfg = json.load(sys.stdin)
    keys = cfg["keys"]
    host, port = cfg["host"], cfg["port"]
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    errors: list[str] = []

    async def connection(number: int, warm_until: float, stop_at: float) -> None:
        reader = writer = None
        index = number * 7919
        while time.perf_counter() < stop_at:
            target, headers = _request(cfg, keys[index % len(keys)])
            index += 1
            lines = [f"GET {target} HTTP/1.1", f"Host: {host}:{port}"]
            lines += [f"{name}: {value}" for name, value in headers.items()]
            request = ("\r\n".join(lines) + "\r\n\r\n").encode()
            began = time.perf_counter()
            try:
                if writer is None:
                    reader, writer = await asyncio.open_connection(host, port)
                assert reader is not None
                writer.write(request)
                status, keep = await asyncio.wait_for(_answer(reader), 30)
            except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError) as exc:
                errors.append(repr(exc))
                if writer is not None:
                    writer.close()
                reader = writer = None
                continue
            elapsed = time.perf_counter() - began
            if began >= warm_until:
                latencies.append(elapsed)
                statuses[str(status)] = statuses.get(str(status), 0) + 1
            if not keep and writer is not None:
                writer.close()
                reader = writer = None
        if writer is not None:
            writer.close()

    async def run() -> None:
        warm_until = time.perf_counter() + cfg["warmup"]
        stop_at = warm_until + cfg["seconds"]
        await asyncio.gather(
            *(connection(n, warm_until, stop_at) for n in range(cfg["concurrency"]))
        )

    asyncio.run(run())
    latencies.sort()

    def pct(p: float) -> float:
        if not latencies:
            return 0.0
        return latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))] * 1000

    json.dump(
        {
            "requests": len(latencies),
            "per_second": len(latencies) / cfg["seconds"],
            "p50_ms": pct(50),
            "p99_ms": pct(99),
            "statuses": statuses,
            "errors": errors[:5],
            "error_count": len(errors),
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
