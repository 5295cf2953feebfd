"""Load generator for bench/datahub.py: key lookups against the exchange API or its baseline.

Run as its own process (``python bench/exchange_loadgen.py < config.json``; one JSON result
on stdout), so it shares no interpreter with the server. Config: host, port, seconds, warmup,
concurrency, keys (the key values to look up, cycled), fields, and either ``signed`` (with
path_template, client_id, secret: every request signed as a consumer system signs it) or not
(path_template of the baseline view). Each connection is a keep-alive
``http.client.HTTPConnection`` running closed-loop.
"""

from __future__ import annotations

import http.client
import json
import sys
import threading
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


def main() -> None:
    cfg = json.load(sys.stdin)
    keys = cfg["keys"]
    start = time.monotonic()
    warm_until = start + cfg["warmup"]
    stop_at = warm_until + cfg["seconds"]
    lock = threading.Lock()
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    errors: list[str] = []

    def worker(number: int) -> None:
        conn = http.client.HTTPConnection(cfg["host"], cfg["port"], timeout=30)
        index = number * 7919
        mine: list[float] = []
        codes: dict[str, int] = {}
        while True:
            now = time.monotonic()
            if now >= stop_at:
                break
            target, headers = _request(cfg, keys[index % len(keys)])
            index += 1
            began = time.perf_counter()
            try:
                conn.request("GET", target, headers=headers)
                answer = conn.getresponse()
                answer.read()
            except (OSError, http.client.HTTPException) as exc:
                with lock:
                    errors.append(repr(exc))
                conn.close()
                conn = http.client.HTTPConnection(cfg["host"], cfg["port"], timeout=30)
                continue
            elapsed = time.perf_counter() - began
            if now >= warm_until:
                mine.append(elapsed)
                codes[str(answer.status)] = codes.get(str(answer.status), 0) + 1
        with lock:
            latencies.extend(mine)
            for code, count in codes.items():
                statuses[code] = statuses.get(code, 0) + count

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(cfg["concurrency"])]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
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
