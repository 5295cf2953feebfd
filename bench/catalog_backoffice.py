"""The catalogue back office at a real county's scale: every page < 300 ms.

    .venv/bin/python bench/catalog_backoffice.py            # SQLite and PostgreSQL
    .venv/bin/python bench/catalog_backoffice.py --quick    # SQLite only, fewer repetitions

For each database: a fresh database, ``migrate``, the demo (38 items), the real catalogue of
广安区 (``yiwang.demo.real_catalogue``; ``--copies 2`` by default: 38 + 2 × 1,135 = 2,308
items, more than the 1,500 the issue asks about). Then, in-process with Django's test client
(tasks inline, as ``bench.settings`` has them), logged in as the data authority (every item)
and as 市场监管局's department administrator, p50 / p95 of: the list (no filter, one
department, a text filter, page 20), an item's edit page, the Excel export, the import page
with a 1,500-row workbook (dry run, then real: every row unchanged, then real with every row
changed: an update and a publication per item), bulk withdraw and bulk publish of 50
items. Baseline: ``/healthz`` in the same run. The list's statement count is printed per
user. Exits non-zero only on errors (an unexpected HTTP status, an exception), never because
a target was missed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import run as R  # noqa: E402

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/yiwang_bench_backoffice"
TARGET_MS = 300.0
WORKBOOK_ROWS = 1500
BULK = 50
log = R.log


class Failure(Exception):
    """A page answered something other than what it should."""


def summary(values: list[float]) -> dict:
    values = sorted(values)
    return {"n": len(values), "p50": R.pct(values, 50), "p95": R.pct(values, 95)}


def timed(call, repeats: int, expect: tuple[int, ...] = (200,)) -> tuple[dict, object]:
    """``call()`` ``repeats`` times (after one warm-up); the times and the last response."""
    response = call()
    if response.status_code not in expect:
        raise Failure(f"{response.status_code} from {getattr(response, 'url', '')}: {call}")
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        response = call()
        times.append((time.perf_counter() - t) * 1000)
        if response.status_code not in expect:
            raise Failure(f"{response.status_code}: {call}")
    return summary(times), response


def match_count(html: bytes) -> int:
    """The list's count of matching items, as the page shows it."""
    found = re.search(rb'data-testid="match-count" data-count="(\d+)"', html)
    if found is None:
        raise Failure("the list page shows no count")
    return int(found.group(1))


def statements(client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    return len(ctx.captured_queries)


def workbook(rows: int, *, change: bool = False) -> bytes:
    """The first ``rows`` items exported (one per row, with materials and processes);
    ``change``: every row's promised time limit changed."""
    from yiwang.catalog.excel import ITEMS_SHEET, export_workbook
    from yiwang.catalog.models import ServiceItem

    ids = list(ServiceItem.objects.order_by("id").values_list("pk", flat=True)[:rows])
    wb = export_workbook(ServiceItem.objects.filter(pk__in=ids))
    if change:
        ws = wb[ITEMS_SHEET]
        column = next(c.column for c in ws[1] if c.value == "承诺办结时限（工作日）")
        for (cell,) in ws.iter_rows(min_row=2, min_col=column, max_col=column):
            cell.value = max(0, int(cell.value) - 1)
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def import_once(client, content: bytes, *, dry_run: bool) -> tuple[float, dict]:
    """POST the workbook to the import page (the job runs inline) and read the job's result."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from yiwang.catalog.models import ImportJob

    data: dict = {"file": SimpleUploadedFile("bench.xlsx", content)}
    if dry_run:
        data["dry_run"] = "on"
    t = time.perf_counter()
    response = client.post("/services/manage/import/", data)
    ms = (time.perf_counter() - t) * 1000
    if response.status_code != 302:
        raise Failure(f"import answered {response.status_code}")
    job = ImportJob.objects.order_by("-id").first()
    if job is None or job.status != "done":
        raise Failure(
            f"import job {getattr(job, 'pk', None)} ended {getattr(job, 'status', '')}: "
            f"{json.dumps((job.result if job else {}), ensure_ascii=False)[:500]}"
        )
    page = client.get(f"/services/manage/import/{job.pk}/")
    if page.status_code != 200:
        raise Failure(f"job page answered {page.status_code}")
    return ms, job.result.get("counts", {})


def bulk(client, operation: str, ids: list[int]) -> float:
    data = {"operation": operation, "scope": "selected", "ids": ids, "reason": "基准测试"}
    t = time.perf_counter()
    response = client.post("/services/manage/bulk/", data)
    ms = (time.perf_counter() - t) * 1000
    if response.status_code != 302:
        raise Failure(f"bulk {operation} answered {response.status_code}")
    return ms


def measure_user(client, label: str, args, department_id: int, item_id: int) -> dict:
    out: dict = {}
    pages = {
        "list": "/services/manage/",
        "list_department": f"/services/manage/?department={department_id}",
        "list_text": "/services/manage/?q=%E8%AE%B8%E5%8F%AF",  # 许可
        "list_page20": "/services/manage/?page=20",
        "edit": f"/services/manage/{item_id}/",
    }
    for name, url in pages.items():
        out[name], response = timed(lambda url=url: client.get(url), args.repeats)
        if name.startswith("list"):
            out[name]["count"] = match_count(response.content)
            out[name]["statements"] = statements(client, url)
    out["export"], response = timed(
        lambda: client.get("/services/manage/export.xlsx"), args.heavy_repeats
    )
    out["export"]["bytes"] = len(response.content)
    out["export"]["statements"] = statements(client, "/services/manage/export.xlsx")
    log(
        f"  {label}: list p95 {out['list']['p95']:.0f} ms, export p95 {out['export']['p95']:.0f} ms"
    )
    return out


def run_engine(args, engine: str, out_path: Path) -> int:
    tmp = Path(tempfile.mkdtemp(prefix=f"yiwang-bench-backoffice-{engine}-"))
    env = {"DJANGO_SETTINGS_MODULE": "bench.settings", "BENCH_MEDIA_ROOT": str(tmp / "media")}
    dbcfg = None
    if engine == "postgresql":
        env["DATABASE_URL"] = args.database_url
        dbcfg = R._db_params(args.database_url)
    else:
        env["DATABASE_URL"] = ""
        env["YIWANG_SQLITE_PATH"] = str(tmp / "bench.sqlite3")
    os.environ.update(env)
    results: dict = {"engine": engine}
    try:
        if dbcfg:
            log(f"[{engine}] creating database {dbcfg['NAME']}")
            R.recreate_database(dbcfg)
        import django

        django.setup()
        from django.conf import settings
        from django.core.management import call_command
        from django.db import connection
        from django.test import Client

        from yiwang.accounts.models import User
        from yiwang.catalog.models import ItemStatus, ServiceItem
        from yiwang.demo import real_catalogue
        from yiwang.demo.loader import load_demo

        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
        log(f"[{engine}] migrating, loading the demo and the real catalogue × {args.copies}")
        call_command("migrate", verbosity=0, interactive=False)
        load_demo()
        loaded = real_catalogue.load(multiple=args.copies)
        with connection.cursor() as cur:
            cur.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
        results["items"] = ServiceItem.objects.count()
        log(f"[{engine}] {loaded.summary()}; {results['items']:,} items")

        authority = User.objects.get(username="authority")
        admin = User.objects.get(username="admin_scj")
        scj = admin.posts.filter(active=True).first().department
        item = ServiceItem.objects.filter(department=scj).order_by("id").first()
        clients = {}
        for user in (authority, admin):
            client = Client()
            client.force_login(user)
            clients[user.username] = client
        anon = Client()
        results["healthz"], _ = timed(lambda: anon.get("/healthz"), args.repeats, (200, 503))
        results["users"] = {
            "authority": measure_user(clients["authority"], "authority", args, scj.pk, item.pk),
            "admin_scj": measure_user(clients["admin_scj"], "admin_scj", args, scj.pk, item.pk),
        }
        results["users"]["admin_scj"]["items"] = ServiceItem.objects.filter(department=scj).count()

        client = clients["authority"]
        log(f"[{engine}] import: {WORKBOOK_ROWS}-row workbook")
        content = workbook(WORKBOOK_ROWS)
        changed = workbook(WORKBOOK_ROWS, change=True)
        imports: dict = {"rows": WORKBOOK_ROWS, "bytes": len(content)}
        dry = [import_once(client, content, dry_run=True) for _ in range(args.heavy_repeats)]
        imports["dry_run"] = {**summary([ms for ms, _ in dry]), "counts": dry[-1][1]}
        same = [import_once(client, content, dry_run=False) for _ in range(args.heavy_repeats)]
        imports["unchanged"] = {**summary([ms for ms, _ in same]), "counts": same[-1][1]}
        ms, counts = import_once(client, changed, dry_run=False)
        imports["all_changed"] = {**summary([ms]), "counts": counts}
        results["import"] = imports
        log(f"[{engine}] import with every row changed: {ms / 1000:.1f} s")

        ids = list(
            ServiceItem.objects.filter(status=ItemStatus.PUBLISHED, changed_since_publish=False)
            .order_by("-id")
            .values_list("pk", flat=True)[:BULK]
        )
        withdraw, publish = [], []
        for _ in range(args.heavy_repeats + 1):
            withdraw.append(bulk(client, "withdraw", ids))
            publish.append(bulk(client, "publish", ids))
        results["bulk"] = {
            "items": len(ids),
            "withdraw": summary(withdraw[1:]),
            "publish": summary(publish[1:]),
        }
        out_path.write_text(json.dumps(results, ensure_ascii=False), encoding="utf-8")
        return 0
    except Failure as exc:
        log(f"[{engine}] FAILED: {exc}")
        return 1
    finally:
        if dbcfg and not args.keep_db:
            from django.db import connections

            connections.close_all()
            R.drop_database(dbcfg)
        shutil.rmtree(tmp, ignore_errors=True)


# --- report ---------------------------------------------------------------------------------------


def _line(label: str, s: dict, base: dict, target: float | None = TARGET_MS) -> str:
    ratio = f"×{s['p95'] / base['p95']:.0f}" if base["p95"] else "–"
    verdict = ""
    if target is not None:
        verdict = "ok" if s["p95"] < target else "MISSED"
    extra = []
    if "count" in s:
        extra.append(f"{s['count']:,} matching")
    if "statements" in s:
        extra.append(f"{s['statements']} statements")
    more = f"  ({', '.join(extra)})" if extra else ""
    return f"    {label:<22} {s['p50']:8.1f} / {s['p95']:8.1f} ms  {ratio:>6}  {verdict:<6}{more}"


def report(all_results: list[dict]) -> None:
    names = {
        "list": "list, no filter",
        "list_department": "list, one department",
        "list_text": "list, text 许可",
        "list_page20": "list, page 20",
        "edit": "item edit page",
        "export": "Excel export",
    }
    for res in all_results:
        base = res["healthz"]
        print()
        print(
            f"{res['engine']}: {res['items']:,} items; p50 / p95, ratio of the p95 to /healthz's "
            f"({base['p50']:.1f} / {base['p95']:.1f} ms); target every page < {TARGET_MS:.0f} ms"
        )
        for user, figures in res["users"].items():
            scope = "every item" if user == "authority" else f"{figures['items']:,} items"
            print(f"  {user} ({scope})")
            for key, label in names.items():
                print(_line(label, figures[key], base))
        imp = res["import"]
        print(
            f"  import of a {imp['rows']:,}-row workbook ({imp['bytes'] / 1e6:.1f} MB), authority"
        )
        for key, label in (
            ("dry_run", "dry run"),
            ("unchanged", "real, nothing changed"),
            ("all_changed", "real, every row changed"),
        ):
            counts = imp[key]["counts"]
            print(
                _line(label, imp[key], base, None)
                + f"  ({counts.get('created', 0)} created, {counts.get('updated', 0)} updated, "
                f"{counts.get('unchanged', 0)} unchanged, {counts.get('published', 0)} published)"
            )
        b = res["bulk"]
        print(f"  bulk actions on {b['items']} items, authority")
        print(_line("bulk withdraw", b["withdraw"], base, None))
        print(_line("bulk publish", b["publish"], base, None))


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_BACKOFFICE_DATABASE_URL", DEFAULT_DB),
        help="PostgreSQL database to (re)create, use and drop (default %(default)s)",
    )
    parser.add_argument("--databases", help="comma-separated: sqlite,postgresql (default both)")
    parser.add_argument("--quick", action="store_true", help="SQLite only, fewer repetitions")
    parser.add_argument("--copies", type=int, default=2, help="copies of the real catalogue (2)")
    parser.add_argument("--repeats", type=int, default=None, help="page requests (20; 5 quick)")
    parser.add_argument(
        "--heavy-repeats", type=int, default=None, help="exports, imports, bulk (3; 1 quick)"
    )
    parser.add_argument("--keep-db", action="store_true", help="keep the PostgreSQL database")
    parser.add_argument("--engine", help=argparse.SUPPRESS)  # internal: one database
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.repeats is None:
        args.repeats = 5 if args.quick else 20
    if args.heavy_repeats is None:
        args.heavy_repeats = 1 if args.quick else 3
    if args.engine:
        return run_engine(args, args.engine, Path(args.out))

    databases = (args.databases or ("sqlite" if args.quick else "sqlite,postgresql")).split(",")
    results, status = [], 0
    outdir = Path(tempfile.mkdtemp(prefix="yiwang-bench-backoffice-"))
    try:
        for engine in databases:
            out = outdir / f"{engine}.json"
            cmd = [R.PYTHON, __file__, *sys.argv[1:], "--engine", engine, "--out", str(out)]
            code = subprocess.call(cmd, cwd=ROOT)
            if code or not out.exists():
                log(f"{engine}: the run failed (exit {code})")
                status = 1
                continue
            results.append(json.loads(out.read_text(encoding="utf-8")))
    finally:
        shutil.rmtree(outdir, ignore_errors=True)
    if results:
        print(f"\nbench/catalog_backoffice.py on {platform.node()} ({os.cpu_count()} cores)")
        report(results)
    return status


if __name__ == "__main__":
    sys.exit(main())
