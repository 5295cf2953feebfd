"""一网 benchmark: application submissions/s and workbench inbox latency on PostgreSQL.

    .venv/bin/python bench/run.py            # 100,000 cases, 15 s per measurement
    .venv/bin/python bench/run.py --quick    # 10,000 cases, 5 s: checks that the script works

Creates a fresh database, builds a county through the apps' actions, bulk-loads the
historical cases, serves the project with gunicorn, drives it over HTTP from a separate
load-generator process and prints figures, each next to a baseline measured in the same
run. See bench/README.md. Exits non-zero only when something failed (errors, non-expected
HTTP answers), never because a target was missed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import shutil
import signal
import socket
import string
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from yiwang.web.testing import padded_pdf

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
PYTHON = sys.executable
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/yiwang_bench"
PDF = padded_pdf(200)

T0 = time.perf_counter()


def log(msg: str) -> None:
    print(f"[{time.perf_counter() - T0:6.1f}s] {msg}", file=sys.stderr, flush=True)


# --- database ------------------------------------------------------------------------------


def _db_params(url: str) -> dict:
    import dj_database_url

    cfg = dj_database_url.parse(url)
    if "postgresql" not in cfg["ENGINE"]:
        raise SystemExit(f"--database-url must point at PostgreSQL, not {cfg['ENGINE']}")
    return cfg


def _admin_connect(cfg: dict):
    import psycopg

    return psycopg.connect(
        host=cfg.get("HOST") or None,
        port=cfg.get("PORT") or None,
        user=cfg.get("USER") or None,
        password=cfg.get("PASSWORD") or None,
        dbname="postgres",
        autocommit=True,
    )


def recreate_database(cfg: dict) -> None:
    from psycopg import sql

    with _admin_connect(cfg) as conn:
        name = sql.Identifier(cfg["NAME"])
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        conn.execute(sql.SQL("CREATE DATABASE {} ENCODING 'UTF8' TEMPLATE template0").format(name))


def drop_database(cfg: dict) -> None:
    from psycopg import sql

    with _admin_connect(cfg) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(cfg["NAME"]))
        )


# --- measuring in-process ------------------------------------------------------------------------


def classify(queries: list[dict]) -> dict:
    """Statements of one request by kind. The session save (every request, both for the real
    and the baseline views, done by SessionMiddleware) is counted apart."""
    out = {
        "insert": 0,
        "update": 0,
        "delete": 0,
        "select_for_update": 0,
        "select": 0,
        "session_writes": 0,
        "tx_control": 0,
        "tables": [],
        "reads": {},
    }
    for q in queries:
        sql = q["sql"].lstrip().upper()
        if "DJANGO_SESSION" in sql.split(" WHERE ")[0] and not sql.startswith("SELECT"):
            out["session_writes"] += 1
            continue
        if sql.startswith(("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")):
            out["tx_control"] += 1
            continue
        if sql.startswith("WITH") and any(
            m in sql for m in ("INSERT INTO", "UPDATE ", "DELETE FROM")
        ):
            # A data-modifying CTE (the audit append on PostgreSQL): each write counts.
            for kind, marker in (
                ("insert", "INSERT INTO "),
                ("update", "UPDATE "),
                ("delete", "DELETE FROM "),
            ):
                for part in sql.split(marker)[1:]:
                    out[kind] += 1
                    table = part.split()[0].strip('"').lower()
                    out["tables"].append(f"{kind.upper()} {table}")
            continue
        for kind in ("INSERT", "UPDATE", "DELETE"):
            if sql.startswith(kind):
                out[kind.lower()] += 1
                table = sql.split('"')[1].lower() if '"' in sql else "?"
                out["tables"].append(f"{kind} {table}")
                break
        else:
            if sql.startswith("SELECT") and sql.rstrip().endswith(
                ("FOR UPDATE", "FOR NO KEY UPDATE")
            ):
                out["select_for_update"] += 1
                out["tables"].append(
                    "SELECT FOR UPDATE " + sql.split(" FROM ")[1].split()[0].strip('"').lower()
                )
            else:
                out["select"] += 1
                table = (
                    sql.split(" FROM ", 1)[1].split()[0].strip('"').lower()
                    if " FROM " in sql
                    else "?"
                )
                out["reads"][table] = out["reads"].get(table, 0) + 1
    return out


def submission_fields(item) -> dict:
    """The form fields of a valid application (named as the apply view names them)."""
    from yiwang.cases import views
    from yiwang.catalog.forms_schema import build_form

    form = build_form(item.form_schema or {}, prefix=getattr(views, "FORM_PREFIX", None))
    values = {"shop_name": "客家味道小吃店", "staff": "3"}
    return {
        "item_version": str(item.version),
        "intent": "submit",
        **{form.add_prefix(name): value for name, value in values.items()},
    }


def page_errors(content: bytes) -> str:
    """The error messages a re-rendered form shows (for reporting a failed submission)."""
    import html
    import re

    text = content.decode("utf-8", "replace")
    found = re.findall(r'class="[^"]*(?:error|alert)[^"]*"[^>]*>(.*?)</', text, flags=re.S)
    found = [html.unescape(re.sub(r"<[^>]+>", " ", f)).strip() for f in found]
    return "; ".join(f for f in found if f)[:800] or text[:800]


def count_statements(world) -> tuple[dict, dict]:
    """One real submission and one workbench page through Django's test client, queries captured."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    citizen = Client()
    citizen.force_login(world.citizens[0])
    data = {
        **submission_fields(world.item),
        "submission_key": secrets.token_hex(16),
        f"material_{world.material_id}": SimpleUploadedFile(
            "申请书.pdf", PDF, content_type="application/pdf"
        ),
    }
    with CaptureQueriesContext(connection) as ctx:
        response = citizen.post(f"/cases/apply/{world.item.pk}/", data)
    if response.status_code != 302:
        raise RuntimeError(
            f"a real submission answered {response.status_code}, not 302: "
            f"{page_errors(response.content)}"
        )
    submit = classify(ctx.captured_queries)
    reviewer = Client()
    reviewer.force_login(world.reviewer)
    with CaptureQueriesContext(connection) as ctx:
        response = reviewer.get("/cases/workbench/")
    if response.status_code != 200:
        raise RuntimeError(
            f"the workbench answered {response.status_code}, not 200: "
            f"{response.content[:800].decode('utf-8', 'replace')}"
        )
    inbox = classify(ctx.captured_queries)
    return submit, inbox


def make_sessions(users: list, n: int) -> list[dict]:
    """``n`` logged-in sessions (one per load-generator connection), cycling over ``users``."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    alphabet = string.ascii_letters + string.digits
    out = []
    for i in range(n):
        user = users[i % len(users)]
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.save()
        out.append(
            {
                "sessionid": store.session_key,
                "csrftoken": "".join(secrets.choice(alphabet) for _ in range(32)),
            }
        )
    return out


# --- the server -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, env: dict, workers: int, threads: int, logdir: Path):
        self.port = free_port()
        self.errlog = logdir / "gunicorn.log"
        gunicorn = Path(PYTHON).with_name("gunicorn")
        cmd = [
            str(gunicorn) if gunicorn.exists() else "gunicorn",
            "yiwang.wsgi:application",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--worker-class",
            "gthread",
            "--keep-alive",
            "30",
            "--timeout",
            "60",
            "--error-logfile",
            str(self.errlog),
            "--log-level",
            "warning",
            "--chdir",
            str(ROOT),
        ]
        self.cmd = cmd
        self.proc = subprocess.Popen(
            cmd,
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited ({self.proc.returncode}): {self.log_tail()}")
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{self.port}/healthz", timeout=5
                ) as r:
                    if r.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.2)
        raise RuntimeError(
            f"gunicorn did not answer /healthz within {timeout:.0f} s: {self.log_tail()}"
        )

    def worker_pids(self) -> list[int]:
        try:
            out = subprocess.run(
                ["pgrep", "-P", str(self.proc.pid)], capture_output=True, text=True
            ).stdout
        except FileNotFoundError:
            return []
        return [int(p) for p in out.split()]

    def log_tail(self, n: int = 3000) -> str:
        try:
            return self.errlog.read_text(errors="replace")[-n:]
        except OSError:
            return ""

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)  # the master stops its own workers
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)  # the group of the process we started
                self.proc.wait()


def loadgen(cfg: dict) -> dict:
    import resource

    before = cpu_snapshot()
    ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.run(
        [PYTHON, str(BENCH / "loadgen.py")],
        input=json.dumps(cfg),
        capture_output=True,
        text=True,
        timeout=cfg["seconds"] + cfg["warmup"] + 120,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"load generator failed: {proc.stderr[-2000:]}")
    ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = json.loads(proc.stdout)
    result["cpu"] = cpu_delta(
        before, cpu_snapshot(), ru1.ru_utime - ru0.ru_utime + ru1.ru_stime - ru0.ru_stime
    )
    return result


CLK_TCK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def cpu_snapshot() -> dict:
    """CPU seconds used so far by every process (by pid, with its kind: app = gunicorn,
    db = PostgreSQL, other) and the machine's busy/total time (Linux /proc; empty elsewhere)."""
    out = {"busy": 0.0, "total": 0.0, "procs": {}}
    try:
        with open("/proc/stat") as f:
            fields = [int(x) for x in f.readline().split()[1:]]
        idle = fields[3] + fields[4]
        out["total"] = sum(fields[:8]) / CLK_TCK
        out["busy"] = out["total"] - idle / CLK_TCK
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            try:
                with open(f"/proc/{entry.name}/stat") as f:
                    stat = f.read()
                with open(f"/proc/{entry.name}/cmdline", "rb") as f:
                    cmdline = f.read()
            except OSError:
                continue
            comm = stat[stat.index("(") + 1 : stat.rindex(")")]
            rest = stat[stat.rindex(")") + 2 :].split()
            used = (int(rest[11]) + int(rest[12])) / CLK_TCK
            if b"gunicorn" in cmdline:
                kind = "app"
            elif comm.startswith("postgres") or cmdline.startswith(b"postgres"):
                kind = "db"
            else:
                kind = "other"
            out["procs"][(int(entry.name), rest[19])] = (kind, used)  # (pid, start time)
    except (OSError, ValueError):
        return {}
    return out


def cpu_delta(before: dict, after: dict, loadgen_cpu: float) -> dict:
    """CPU used between two snapshots by the app server and PostgreSQL. Processes that ended
    in between (e.g. a backend closed after CONN_MAX_AGE) are missing: a slight undercount."""
    if not before or not after:
        return {}
    sums = {"app": 0.0, "db": 0.0}
    for key, (kind, used) in after["procs"].items():
        if kind in sums:
            sums[kind] += used - before["procs"].get(key, (kind, 0.0))[1]
    wall = (after["total"] - before["total"]) / (os.cpu_count() or 1)
    return {
        **sums,
        "loadgen": loadgen_cpu,
        "busy": after["busy"] - before["busy"],
        "capacity": after["total"] - before["total"],
        "wall": wall,
    }


class LockSampler:
    """Samples pg_stat_activity during a measurement: how many backends are running a
    statement, and how many of them wait for a lock (and on which statement)."""

    def __init__(self, dbcfg: dict, interval: float = 0.05):
        import threading

        self.dbcfg, self.interval = dbcfg, interval
        self.samples = 0
        self.active = 0
        self.waiting = 0
        self.waiting_on: dict[str, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        import psycopg

        cfg = self.dbcfg
        with psycopg.connect(
            host=cfg.get("HOST") or None,
            port=cfg.get("PORT") or None,
            user=cfg.get("USER") or None,
            password=cfg.get("PASSWORD") or None,
            dbname=cfg["NAME"],
            autocommit=True,
        ) as conn:
            while not self._stop.wait(self.interval):
                rows = conn.execute(
                    "SELECT wait_event_type, left(regexp_replace(query, '\\s+', ' ', 'g'), 70) "
                    "FROM pg_stat_activity WHERE datname = current_database() AND state = 'active' "
                    "AND pid <> pg_backend_pid()"
                ).fetchall()
                self.samples += 1
                self.active += len(rows)
                for wait_type, query in rows:
                    if wait_type == "Lock":
                        self.waiting += 1
                        self.waiting_on[query] = self.waiting_on.get(query, 0) + 1

    def summary(self) -> dict:
        n = max(self.samples, 1)
        return {
            "active": self.active / n,
            "waiting": self.waiting / n,
            "top_wait": max(self.waiting_on, key=self.waiting_on.get) if self.waiting_on else "",
        }


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    k = min(len(values) - 1, max(0, round(p / 100 * (len(values) - 1))))
    return values[k]


def profile_workers(
    server: Server, name: str, seconds: float, outdir: Path
) -> list[subprocess.Popen]:
    """py-spy on every gunicorn worker while a measurement runs (``--profile``)."""
    spy = shutil.which("py-spy") or str(Path(PYTHON).with_name("py-spy"))
    if not Path(spy).exists():
        log("--profile: py-spy is not installed (.venv/bin/pip install py-spy); not profiling")
        return []
    procs = []
    for pid in server.worker_pids():
        out = outdir / f"profile-{name}-{pid}.txt"
        procs.append(
            subprocess.Popen(
                [
                    spy,
                    "record",
                    "--pid",
                    str(pid),
                    "--duration",
                    str(int(seconds)),
                    "--format",
                    "raw",
                    "--output",
                    str(out),
                    "--nonblocking",
                    "--gil",
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
    return procs


# --- main -----------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB),
        help="PostgreSQL database to (re)create and use (default %(default)s)",
    )
    parser.add_argument(
        "--cases", type=int, default=None, help="historical cases to load (default 100000)"
    )
    parser.add_argument(
        "--seconds", type=float, default=None, help="length of each measurement (default 15)"
    )
    parser.add_argument(
        "--warmup", type=float, default=None, help="warm-up before each measurement (default 3)"
    )
    parser.add_argument(
        "--concurrency", type=int, default=8, help="connections submitting at once (default 8)"
    )
    parser.add_argument(
        "--inbox-concurrency",
        type=int,
        default=2,
        help="connections loading the workbench at once (default 2)",
    )
    parser.add_argument(
        "--workers", type=int, default=4, help="gunicorn worker processes (default 4)"
    )
    parser.add_argument(
        "--threads", type=int, default=2, help="threads per gunicorn worker (default 2)"
    )
    parser.add_argument("--quick", action="store_true", help="10,000 cases and 5 s measurements")
    parser.add_argument("--keep-db", action="store_true", help="keep the database afterwards")
    parser.add_argument(
        "--profile",
        metavar="DIR",
        help="py-spy the workers during the real submissions "
        "and the real inbox run; raw stack files go to DIR",
    )
    args = parser.parse_args()
    cases = args.cases if args.cases is not None else (10_000 if args.quick else 100_000)
    seconds = args.seconds if args.seconds is not None else (5.0 if args.quick else 15.0)
    warmup = args.warmup if args.warmup is not None else (1.0 if args.quick else 3.0)

    media = Path(tempfile.mkdtemp(prefix="yiwang-bench-media-"))
    logdir = Path(tempfile.mkdtemp(prefix="yiwang-bench-logs-"))
    os.environ.update(
        {
            "DATABASE_URL": args.database_url,
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "BENCH_MEDIA_ROOT": str(media),
        }
    )
    sys.path.insert(0, str(ROOT))
    dbcfg = _db_params(args.database_url)

    server: Server | None = None
    failed = False
    try:
        log(f"creating database {dbcfg['NAME']} on {dbcfg.get('HOST') or 'localhost'}")
        recreate_database(dbcfg)
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection, connections

        log("migrating")
        call_command("migrate", verbosity=0, interactive=False)
        from bench import urls as bench_urls
        from bench import world as W

        log("building the county through the actions (demo people and departments, 11 items)")
        world = W.build_world()
        W.create_bench_table()
        log(f"bulk-loading {cases:,} cases")
        t = time.perf_counter()
        W.bulk_load_cases(
            world, cases, progress=lambda n: log(f"  {n:,} cases") if n % 25_000 == 0 else None
        )
        load_seconds = time.perf_counter() - t
        W.analyze()

        from yiwang.audit.actions import verify
        from yiwang.audit.models import AuditEntry
        from yiwang.cases import queries
        from yiwang.cases.models import Case

        queue = queries.inbox(world.reviewer).count()
        log(f"loaded in {load_seconds:.1f} s; {world.reviewer.username}'s queue: {queue:,} cases")

        submit_q, inbox_q = count_statements(world)
        inserts = submit_q["insert"]
        updates = submit_q["update"] + submit_q["delete"] + submit_q["select_for_update"]
        log(f"a real submission writes: {', '.join(submit_q['tables'])}")

        quiet0 = cpu_snapshot()
        time.sleep(2)
        quiet1 = cpu_snapshot()
        background = (
            100 * (quiet1["busy"] - quiet0["busy"]) / (quiet1["total"] - quiet0["total"])
            if quiet0 and quiet1
            else float("nan")
        )
        log(f"machine busy with other processes before the measurements: {background:.0f}%")

        sub_sessions = make_sessions(world.citizens, args.concurrency)
        inbox_sessions = make_sessions([world.reviewer], args.inbox_concurrency)
        connections.close_all()

        env = {
            **os.environ,
            "BENCH_INSERTS": str(inserts),
            "BENCH_UPDATES": str(updates),
            "PYTHONPATH": str(ROOT),
            "YIWANG_LOG_LEVEL": "WARNING",
        }
        server = Server(env, args.workers, args.threads, logdir)
        server.wait_ready()
        log(
            f"gunicorn on 127.0.0.1:{server.port}: {args.workers} workers × {args.threads} threads (gthread)"
        )

        base = {"host": "127.0.0.1", "port": server.port, "seconds": seconds, "warmup": warmup}
        submit_cfg = {
            **base,
            "mode": "submit",
            "expect": 302,
            "concurrency": args.concurrency,
            "sessions": sub_sessions,
            "fields": submission_fields(world.item),
            "file_field": f"material_{world.material_id}",
            "file_name": "申请书.pdf",
            "file_body": PDF.decode("latin-1"),
        }
        inbox_cfg = {
            **base,
            "mode": "get",
            "expect": 200,
            "concurrency": args.inbox_concurrency,
            "sessions": inbox_sessions,
        }
        profdir = Path(args.profile) if args.profile else None
        if profdir:
            profdir.mkdir(parents=True, exist_ok=True)

        results = {}
        # Inbox first, while the queue is exactly the loaded one.
        for name, cfg in (
            ("inbox_base", {**inbox_cfg, "path": "/bench/baseline/inbox/"}),
            ("inbox", {**inbox_cfg, "path": "/cases/workbench/"}),
            ("submit_sql", {**submit_cfg, "path": f"/bench/baseline/submit-sql/{world.item.pk}/"}),
            ("submit_base", {**submit_cfg, "path": f"/bench/baseline/submit/{world.item.pk}/"}),
            ("submit", {**submit_cfg, "path": f"/cases/apply/{world.item.pk}/"}),
        ):
            audit_before = AuditEntry.objects.count()
            connections.close_all()
            spies = None
            if profdir and name in ("submit", "inbox"):
                spies = profile_workers(server, name, seconds + warmup, profdir)
            log(
                f"measuring {name}: {cfg['path']} × {cfg['concurrency']} connections, "
                f"{warmup:g} s warm-up + {seconds:g} s"
            )
            with LockSampler(dbcfg) as sampler:
                results[name] = r = loadgen(cfg)
            r["locks"] = sampler.summary()
            for p in spies or []:
                p.wait(timeout=60)
            r["audit_written"] = AuditEntry.objects.count() - audit_before
            bad = {k: v for k, v in r["statuses"].items() if int(k) != cfg["expect"]}
            if bad or r["exceptions"] or r["ok"] == 0:
                failed = True
                log(f"  ERRORS in {name}: statuses {r['statuses']}, exceptions {r['exceptions']}")
                for sample in r["error_samples"]:
                    log(f"    {sample[:600]}")
            connections.close_all()

        t = time.perf_counter()
        verification = verify()
        verify_seconds = time.perf_counter() - t
        total_cases = Case.objects.count()
        with connection.cursor() as cur:
            cur.execute("SELECT pg_size_pretty(pg_database_size(current_database())), version()")
            db_size, pg_version = cur.fetchone()
        audit_total = AuditEntry.objects.count()
        server_log = server.log_tail()
        server.stop()
        server = None
        connections.close_all()

        report(
            args=args,
            cases=cases,
            seconds=seconds,
            warmup=warmup,
            queue=queue,
            results=results,
            submit_q=submit_q,
            inbox_q=inbox_q,
            inserts=inserts,
            updates=updates,
            verification=verification,
            verify_seconds=verify_seconds,
            total_cases=total_cases,
            db_size=db_size,
            pg_version=pg_version,
            audit_total=audit_total,
            load_seconds=load_seconds,
            shims=bench_urls.SHIMS,
            background=background,
        )
        if "Traceback" in server_log or "ERROR" in server_log:
            log("gunicorn logged errors:\n" + server_log)
            failed = True
        if profdir:
            log(
                f"py-spy raw stacks in {profdir} (summarise with: .venv/bin/python bench/profile_summary.py DIR --prefix profile-submit)"
            )
    except Exception:
        failed = True
        import traceback

        traceback.print_exc()
        if server is not None:
            log("gunicorn log:\n" + server.log_tail())
    finally:
        if server is not None:
            server.stop()
        try:
            from django.db import connections

            connections.close_all()
        except Exception:
            pass
        if args.keep_db:
            log(f"kept database {dbcfg['NAME']} ({args.database_url})")
        else:
            try:
                drop_database(dbcfg)
                log(f"dropped database {dbcfg['NAME']}")
            except Exception as exc:
                log(f"could not drop {dbcfg['NAME']}: {exc}")
                failed = True
        shutil.rmtree(media, ignore_errors=True)
        shutil.rmtree(logdir, ignore_errors=True)
    return 1 if failed else 0


def _ceiling(result: dict) -> float:
    c = result.get("cpu") or {}
    n = result["requests"] + result["warmup_requests"]
    used = c.get("app", 0) + c.get("db", 0) + c.get("loadgen", 0)
    return (os.cpu_count() or 1) * n / used if used > 0 and n else 0.0


def _reads(q: dict) -> str:
    return ", ".join(f"{t}×{n}" if n > 1 else t for t, n in q["reads"].items())


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISSED"


def report(
    *,
    args,
    cases,
    seconds,
    warmup,
    queue,
    results,
    submit_q,
    inbox_q,
    inserts,
    updates,
    verification,
    verify_seconds,
    total_cases,
    db_size,
    pg_version,
    audit_total,
    load_seconds,
    shims,
    background,
) -> None:
    import django

    sub, sub_b = results["submit"], results["submit_base"]
    inb, inb_b = results["inbox"], results["inbox_base"]
    rate = sub["ok"] / sub["elapsed"]
    rate_b = sub_b["ok"] / sub_b["elapsed"]
    ratio = rate / rate_b if rate_b else float("nan")
    lat, lat_b = inb["latencies_ms"], inb_b["latencies_ms"]
    p50, p95, p99 = pct(lat, 50), pct(lat, 95), pct(lat, 99)
    b50, b99 = pct(lat_b, 50), pct(lat_b, 99)
    s50, s99 = pct(sub["latencies_ms"], 50), pct(sub["latencies_ms"], 99)
    sb50, sb99 = pct(sub_b["latencies_ms"], 50), pct(sub_b["latencies_ms"], 99)
    sub_ok = rate >= 100 and ratio >= 0.5
    inbox_ok = p99 < 150
    line = "-" * 78
    print(line)
    print("一网 benchmark")
    print(line)
    print(
        f"machine        {os.cpu_count()} cores (nproc), {platform.machine()}, Python {platform.python_version()}, "
        f"Django {django.get_version()}"
    )
    print(
        f"background     {background:.0f}% of the machine busy with other processes just before measuring"
    )
    print(f"database       {pg_version.split(',')[0]}; {db_size} after the run")
    print(
        f"data           {cases:,} cases bulk-loaded in {load_seconds:.1f} s; {total_cases:,} after the run; "
        f"reviewer_scj's queue {queue:,}"
    )
    print(
        f"server         gunicorn gthread, {args.workers} workers × {args.threads} threads, keep-alive; "
        "load generator on the same machine"
    )
    print(
        f"measurement    {warmup:g} s warm-up + {seconds:g} s each; submissions over {args.concurrency} "
        f"connections, inbox over {args.inbox_concurrency}"
    )
    if shims:
        print(
            f"note           stand-in URL names added by bench/urls.py (missing in the project): {', '.join(shims)}"
        )
    print(line)
    print(
        f"submission     per request: {submit_q['insert']} INSERT, {submit_q['update']} UPDATE, "
        f"{submit_q['delete']} DELETE, {submit_q['select_for_update']} SELECT FOR UPDATE, "
        f"{submit_q['select']} SELECT (+ session save)"
    )
    print(f"               writes: {', '.join(submit_q['tables'])}")
    print(f"               reads: {_reads(submit_q)}")
    print(
        f"               baseline: {inserts} INSERT + {updates} UPDATE through the ORM in one transaction "
        "(SELECT FOR UPDATE counted as a write)"
    )
    print(
        f"inbox          per request: {inbox_q['select']} SELECT (+ session save): {_reads(inbox_q)}"
    )
    print(line)
    print(
        f"submissions/s: {rate:.1f}  baseline: {rate_b:.1f}  ratio {ratio:.2f} "
        f"(target ≥ 0.5 and ≥ 100/s)  {verdict(sub_ok)}"
    )
    print(
        f"               latency p50 {s50:.1f} ms p99 {s99:.1f} ms; baseline p50 {sb50:.1f} ms p99 {sb99:.1f} ms; "
        f"{sub['ok']:,} vs {sub_b['ok']:,} in {seconds:g} s"
    )
    sub_sql = results["submit_sql"]
    rate_sql = sub_sql["ok"] / sub_sql["elapsed"]
    print(
        f"               plain-SQL floor (same writes through a cursor): {rate_sql:.1f}/s, "
        f"ratio {rate / rate_sql:.2f}"
    )
    ceil, ceil_b = _ceiling(sub), _ceiling(sub_b)
    if ceil and ceil_b:
        print(
            f"               CPU ceiling (cores ÷ CPU seconds per request, immune to other processes): "
            f"{ceil:.0f}/s vs baseline {ceil_b:.0f}/s, ratio {ceil / ceil_b:.2f}"
        )
    print(
        f"inbox p50 {p50:.1f} ms p95 {p95:.1f} ms p99 {p99:.1f} ms; baseline p50 {b50:.1f} ms p99 {b99:.1f} ms; "
        f"ratio p99 {p99 / b99:.1f} (target p99 < 150 ms)  {verdict(inbox_ok)}"
    )
    print(f"               {len(lat):,} pages vs {len(lat_b):,} baseline requests")
    print(
        "cpu seconds    (whole measurement incl. warm-up; other = processes not part of the benchmark)"
    )
    noisy: list[str] = []
    for name, label in (
        ("submit", "submissions"),
        ("submit_base", "  baseline"),
        ("submit_sql", "  SQL floor"),
        ("inbox", "inbox"),
        ("inbox_base", "  baseline"),
    ):
        c = results[name].get("cpu") or {}
        n = results[name]["requests"] + results[name]["warmup_requests"]
        if c:
            print(
                f"  {label:<12} app {c['app']:5.1f}  postgres {c['db']:5.1f}  load generator {c['loadgen']:4.1f}  "
                f"other {max(0.0, c['busy'] - c['app'] - c['db'] - c['loadgen']):4.1f}  "
                f"machine busy {100 * c['busy'] / c['capacity']:3.0f}%  | per request: app "
                f"{1000 * c['app'] / n:5.1f} ms, postgres {1000 * c['db'] / n:4.1f} ms"
            )
            other = c["busy"] - c["app"] - c["db"] - c["loadgen"]
            if other > 0.15 * c["capacity"]:
                noisy.append(label.strip())
    if noisy:
        print(
            f"WARNING        other processes used > 15% of the machine during: {', '.join(noisy)}; "
            "those figures are pessimistic. Rerun on a quiet machine."
        )
    print(
        "postgres       backends running a statement / of them waiting for a lock (average of samples every 50 ms)"
    )
    for name, label in (
        ("submit", "submissions"),
        ("submit_base", "  baseline"),
        ("submit_sql", "  SQL floor"),
        ("inbox", "inbox"),
        ("inbox_base", "  baseline"),
    ):
        lk = results[name]["locks"]
        top = f"; mostly: {lk['top_wait']}" if lk["top_wait"] else ""
        print(f"  {label:<12} {lk['active']:.2f} / {lk['waiting']:.2f}{top}")
    print(
        f"audit chain    on: {sub['audit_written']:,} entries written during the submissions "
        f"({sub['ok']:,} submitted, plus warm-up); {audit_total:,} in all; "
        f"verify() {'ok' if verification.ok else 'BROKEN'} ({verification.checked:,} entries) "
        f"in {verify_seconds:.2f} s"
    )
    print(line)


if __name__ == "__main__":
    sys.exit(main())
