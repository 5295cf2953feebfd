"""HTTP load generator for bench/run.py: no Django, standard library only.

Run as a separate process so that it does not share an interpreter (and a GIL) with
anything else: ``python bench/loadgen.py < config.json`` prints one JSON result.

Config keys: host, port, mode ("submit" or "get"), path, seconds, warmup, concurrency,
sessions (one {"sessionid", "csrftoken"} per connection), and for "submit": fields (form
fields), file_field, file_name, file_body (latin-1 string). Optional for "submit" (used by
bench/hotline.py): no file_field = no file part; encoding "urlencoded" (default
"multipart"); variants = a list of field dicts merged over fields, cycled request by
request (each connection starts at a different one). Every connection is a
keep-alive ``http.client.HTTPConnection`` that runs closed-loop (next request when the
previous answer is read). Requests during the warm-up are sent but not counted.
"""

from __future__ import annotations

import http.client
import json
import sys
import threading
import time
import urllib.parse
import uuid

KEY_PLACEHOLDER = "K" * 32


def multipart(
    fields: dict[str, str], file_field: str | None, file_name: str, file_body: bytes, boundary: str
) -> bytes:
    lines: list[bytes] = []
    for name, value in fields.items():
        lines += [
            f"--{boundary}".encode(),
            f'Content-Disposition: form-data; name="{name}"'.encode(),
            b"",
            str(value).encode(),
        ]
    if file_field:
        lines += [
            f"--{boundary}".encode(),
            f'Content-Disposition: form-data; name="{file_field}"; filename="{file_name}"'.encode(),
            b"Content-Type: application/pdf",
            b"",
            file_body,
        ]
    lines += [f"--{boundary}--".encode(), b""]
    return b"\r\n".join(lines)


class Worker(threading.Thread):
    def __init__(
        self,
        cfg: dict,
        session: dict,
        start_at: float,
        count_from: float,
        stop_at: float,
        offset: int = 0,
    ):
        super().__init__(daemon=True)
        self.cfg, self.session = cfg, session
        self.offset = offset
        self.start_at, self.count_from, self.stop_at = start_at, count_from, stop_at
        self.latencies: list[float] = []
        self.statuses: dict[int, int] = {}
        self.error_samples: list[str] = []
        self.exceptions = 0
        self.warmup_requests = 0
        self.last_end = 0.0

    def _connect(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection(self.cfg["host"], self.cfg["port"], timeout=30)

    def run(self) -> None:
        cfg, s = self.cfg, self.session
        origin = f"http://{cfg['host']}:{cfg['port']}"
        headers = {
            "Cookie": f"sessionid={s['sessionid']}; csrftoken={s['csrftoken']}",
            "Host": f"{cfg['host']}:{cfg['port']}",
            "Connection": "keep-alive",
            "User-Agent": "yiwang-bench/1",
        }
        templates: list[bytes] = [b""]
        if cfg["mode"] == "submit":
            boundary = uuid.uuid4().hex
            urlencoded = cfg.get("encoding") == "urlencoded"
            templates = []
            for variant in cfg.get("variants") or [{}]:
                fields = {
                    "csrfmiddlewaretoken": s["csrftoken"],
                    "submission_key": KEY_PLACEHOLDER,
                    **cfg["fields"],
                    **variant,
                }
                if urlencoded:
                    templates.append(urllib.parse.urlencode(fields).encode())
                else:
                    templates.append(
                        multipart(
                            fields,
                            cfg.get("file_field"),
                            cfg.get("file_name", ""),
                            cfg.get("file_body", "").encode("latin-1"),
                            boundary,
                        )
                    )
            headers.update(
                {
                    "Content-Type": "application/x-www-form-urlencoded"
                    if urlencoded
                    else f"multipart/form-data; boundary={boundary}",
                    "Origin": origin,
                    "Referer": origin + cfg["path"],
                }
            )
        turn = self.offset
        conn = self._connect()
        while time.perf_counter() < self.start_at:
            time.sleep(0.001)
        while True:
            t0 = time.perf_counter()
            if t0 >= self.stop_at:
                break
            try:
                if cfg["mode"] == "submit":
                    body_template = templates[turn % len(templates)]
                    turn += 1
                    body = body_template.replace(
                        KEY_PLACEHOLDER.encode(), uuid.uuid4().hex.encode(), 1
                    )
                    conn.request("POST", cfg["path"], body=body, headers=headers)
                else:
                    conn.request("GET", cfg["path"], headers=headers)
                resp = conn.getresponse()
                payload = resp.read()
                status = resp.status
                if resp.getheader("Connection", "").lower() == "close":
                    conn.close()
                    conn = self._connect()
            except (OSError, http.client.HTTPException) as exc:
                self.exceptions += 1
                if len(self.error_samples) < 3:
                    self.error_samples.append(f"{type(exc).__name__}: {exc}")
                conn.close()
                conn = self._connect()
                continue
            t1 = time.perf_counter()
            if t0 < self.count_from:
                self.warmup_requests += 1
                continue
            self.latencies.append(t1 - t0)
            self.last_end = t1
            self.statuses[status] = self.statuses.get(status, 0) + 1
            if status != cfg["expect"] and len(self.error_samples) < 3:
                text = payload[:600].decode("utf-8", "replace")
                self.error_samples.append(
                    f"HTTP {status} {resp.getheader('Location') or ''} {text}"
                )
        conn.close()


def run(cfg: dict) -> dict:
    now = time.perf_counter()
    start_at = now + 0.2
    count_from = start_at + cfg["warmup"]
    stop_at = count_from + cfg["seconds"]
    sessions = cfg["sessions"]
    workers = [
        Worker(cfg, sessions[i % len(sessions)], start_at, count_from, stop_at, offset=i * 7)
        for i in range(cfg["concurrency"])
    ]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    latencies = sorted(x for w in workers for x in w.latencies)
    statuses: dict[str, int] = {}
    for w in workers:
        for k, v in w.statuses.items():
            statuses[str(k)] = statuses.get(str(k), 0) + v
    ok = statuses.get(str(cfg["expect"]), 0)
    last_end = max((w.last_end for w in workers), default=0.0)
    elapsed = max(last_end - count_from, cfg["seconds"]) if last_end else cfg["seconds"]
    return {
        "mode": cfg["mode"],
        "path": cfg["path"],
        "seconds": cfg["seconds"],
        "elapsed": round(elapsed, 4),
        "concurrency": cfg["concurrency"],
        "requests": len(latencies),
        "ok": ok,
        "statuses": statuses,
        "exceptions": sum(w.exceptions for w in workers),
        "error_samples": [e for w in workers for e in w.error_samples][:5],
        "warmup_requests": sum(w.warmup_requests for w in workers),
        "latencies_ms": [round(x * 1000, 3) for x in latencies],
    }


if __name__ == "__main__":
    print(json.dumps(run(json.load(sys.stdin))))
