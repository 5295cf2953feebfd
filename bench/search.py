"""Catalogue search at a real county's scale: quality and latency.

    .venv/bin/python bench/search.py            # SQLite and PostgreSQL; 38, 1,173 and ~10,000 items; HTTP
    .venv/bin/python bench/search.py --quick    # SQLite, 38 and 1,173 items, in-process only (< 1 min)

For each database: a fresh database, ``migrate``, the demo (``yiwang demo``'s loader, 38
items), the everyday questions of ``bench/search_questions.tsv`` scored at 38 items, the
real catalogue of 广安区 (``yiwang.demo.real_catalogue``, 1,135 items without aliases) →
1,173 items, scored again; search latency in-process and over HTTP (gunicorn), then
synthetic copies up to ~10,000 items and the latency again. Every latency is printed next
to a baseline measured in the same run. See bench/README.md, section "Search". Exits
non-zero only on errors, never because a target was missed.
"""

from __future__ import annotations

import argparse
import csv
import http.client
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import run as R  # noqa: E402

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/yiwang_bench_search"
QUESTIONS = ROOT / "bench" / "search_questions.tsv"
TARGETS = {"recall@1": 0.85, "recall@5": 0.95, "honesty": 0.9}
P95_IN_PROCESS_MS, P95_HTTP_MS = 50.0, 100.0
log = R.log


@dataclass
class Question:
    text: str
    expected: list[str]
    note: str

    @property
    def no_match(self) -> bool:
        return not self.expected


def read_questions(path: Path = QUESTIONS) -> list[Question]:
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
    return [
        Question(r["question"], [n for n in r["expected"].split("|") if n], r["note"]) for r in rows
    ]


# --- quality ----------------------------------------------------------------------------------


def names_of(ids: list[int]) -> list[str]:
    from yiwang.catalog.models import ServiceItem

    names = dict(ServiceItem.objects.filter(pk__in=ids).values_list("pk", "name"))
    return [names[i] for i in ids if i in names]


def result_lines(text: str) -> list[str]:
    """The names of the result lines as the catalogue page shows them: one line per name
    (items of the same name in several departments or towns are one line)."""
    from yiwang.catalog.indexing import search_items

    return list(dict.fromkeys(name for _pk, name in search_items(text) or []))


def evaluate(questions: list[Question]) -> dict:
    """recall@1, recall@5 over the questions with a service, honesty over the others, and
    the failures (question → the first three names)."""
    hits1 = hits5 = honest = 0
    failures, tops = [], {}
    for q in questions:
        names = result_lines(q.text)[:5]
        tops[q.text] = names
        if q.no_match:
            honest += not names
            if names:
                failures.append({"q": q.text, "expected": [], "got": names[:3], "note": q.note})
            continue
        hit1 = bool(names[:1]) and names[0] in q.expected
        hit5 = any(n in q.expected for n in names[:5])
        hits1 += hit1
        hits5 += hit5
        if not hit1:
            failures.append(
                {"q": q.text, "expected": q.expected, "got": names[:3], "note": q.note, "at5": hit5}
            )
    with_service = sum(not q.no_match for q in questions)
    without = len(questions) - with_service
    return {
        "questions": len(questions),
        "with_service": with_service,
        "no_match": without,
        "recall@1": hits1 / with_service if with_service else float("nan"),
        "recall@5": hits5 / with_service if with_service else float("nan"),
        "honesty": honest / without if without else float("nan"),
        "failures": failures,
        "tops": tops,
    }


# --- latency ------------------------------------------------------------------------------------


def search_limit() -> int | None:
    """Every match, as the catalogue page asks for (it shows the real count)."""
    return None


def in_process_latency(questions: list[Question], rounds: int) -> dict:
    """search_item_ids over every question, ``rounds`` times; baseline: the same number of
    items fetched by primary key (the ids the search returned, at least one)."""
    from django.db import reset_queries

    from yiwang.catalog.indexing import search_item_ids
    from yiwang.catalog.models import ServiceItem

    limit = search_limit()
    some_id = ServiceItem.objects.values_list("pk", flat=True).first()
    search, base, first = [], [], []
    for n in range(rounds):
        for q in questions:
            t = time.perf_counter()
            ids = search_item_ids(q.text, limit=limit) or []
            ms = (time.perf_counter() - t) * 1000
            search.append(ms)
            if n == 0:
                first.append(ms)
            t = time.perf_counter()
            list(ServiceItem.objects.filter(pk__in=ids or [some_id]).values_list("pk", "name"))
            base.append((time.perf_counter() - t) * 1000)
            reset_queries()
    return {"search": summary(search), "first_round": summary(first), "baseline": summary(base)}


def summary(values: list[float]) -> dict:
    values = sorted(values)
    return {"n": len(values), "p50": R.pct(values, 50), "p95": R.pct(values, 95)}


def http_latency(port: int, questions: list[Question], rounds: int) -> dict:
    """Sequential GETs on one keep-alive connection: /services/?q=<question> for every
    question, ``rounds`` times; baselines: /services/ without a query and /healthz, as often."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    paths = {
        "search": [f"/services/?{urllib.parse.urlencode({'q': q.text})}" for q in questions],
        "list": ["/services/"] * len(questions),
        "healthz": ["/healthz"] * len(questions),
    }
    out, errors = {}, []
    for name, urls in paths.items():
        for url in urls[:5]:  # warm-up, not counted
            conn.request("GET", url)
            conn.getresponse().read()
        times = []
        for _ in range(rounds):
            for url in urls:
                t = time.perf_counter()
                conn.request("GET", url)
                response = conn.getresponse()
                response.read()
                times.append((time.perf_counter() - t) * 1000)
                if response.status != 200:
                    errors.append(f"{response.status} {urllib.parse.unquote(url)}")
        out[name] = summary(times)
    conn.close()
    out["errors"] = errors[:10]
    out["error_count"] = len(errors)
    return out


# --- building the corpus ----------------------------------------------------------------------


def analyze(vendor: str) -> None:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE" if vendor == "postgresql" else "ANALYZE")


def item_count() -> int:
    from yiwang.catalog.models import ServiceItem

    return ServiceItem.objects.published().count()


def run_engine(args, engine: str, out_path: Path) -> int:
    """One database from scratch to the end; results as JSON to ``out_path``."""
    tmp = Path(tempfile.mkdtemp(prefix=f"yiwang-bench-search-{engine}-"))
    env = {"DJANGO_SETTINGS_MODULE": "bench.settings", "BENCH_MEDIA_ROOT": str(tmp / "media")}
    dbcfg = None
    if engine == "postgresql":
        env["DATABASE_URL"] = args.database_url
        dbcfg = R._db_params(args.database_url)
    else:
        env["DATABASE_URL"] = ""
        env["YIWANG_SQLITE_PATH"] = str(tmp / "bench.sqlite3")
    os.environ.update(env)
    server = None
    results: dict = {"engine": engine, "stages": {}}
    try:
        if dbcfg:
            log(f"[{engine}] creating database {dbcfg['NAME']}")
            R.recreate_database(dbcfg)
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        from yiwang.demo import real_catalogue
        from yiwang.demo.loader import load_demo

        vendor = connection.vendor
        results["limit"] = search_limit()
        questions = read_questions(Path(args.questions))
        log(f"[{engine}] migrating")
        call_command("migrate", verbosity=0, interactive=False)
        t = time.perf_counter()
        load_demo()
        analyze(vendor)
        log(f"[{engine}] demo loaded in {time.perf_counter() - t:.1f} s: {item_count()} items")
        demo_names = set(names_of(list(_published_ids())))
        at_demo = [q for q in questions if q.no_match or set(q.expected) & demo_names]
        results["stages"]["demo"] = {"items": item_count(), **evaluate(at_demo)}

        t = time.perf_counter()
        loaded = real_catalogue.load()
        analyze(vendor)
        results["load_seconds"] = time.perf_counter() - t
        log(f"[{engine}] {loaded.summary()}; {item_count()} items")
        stage = results["stages"]["real"] = {"items": item_count(), **evaluate(questions)}
        log(f"[{engine}] in-process latency at {stage['items']:,} items ({args.rounds} rounds)")
        stage["in_process"] = in_process_latency(questions, args.rounds)
        if not args.quick:
            server = R.Server(
                {**os.environ, "PYTHONPATH": str(ROOT)}, args.workers, args.threads, tmp
            )
            server.wait_ready()
            log(f"[{engine}] HTTP latency at {stage['items']:,} items")
            stage["http"] = http_latency(server.port, questions, args.http_rounds)
            server.stop()
            server = None

            t = time.perf_counter()
            more = real_catalogue.load(multiple=args.multiple)
            analyze(vendor)
            log(f"[{engine}] {more.summary()}; {item_count()} items")
            big = results["stages"]["large"] = {"items": item_count(), **evaluate(questions)}
            log(f"[{engine}] in-process latency at {big['items']:,} items")
            big["in_process"] = in_process_latency(questions, args.rounds)
            server = R.Server(
                {**os.environ, "PYTHONPATH": str(ROOT)}, args.workers, args.threads, tmp
            )
            server.wait_ready()
            log(f"[{engine}] HTTP latency at {big['items']:,} items")
            big["http"] = http_latency(server.port, questions, args.http_rounds)
            tail = server.log_tail()
            if "Traceback" in tail:
                results["server_errors"] = tail[-3000:]
        out_path.write_text(json.dumps(results, ensure_ascii=False), encoding="utf-8")
        return 0
    finally:
        if server is not None:
            server.stop()
        if dbcfg and not args.keep_db:
            from django.db import connections

            connections.close_all()
            R.drop_database(dbcfg)
        shutil.rmtree(tmp, ignore_errors=True)


def _published_ids():
    from yiwang.catalog.models import ServiceItem

    return ServiceItem.objects.published().values_list("pk", flat=True)


# --- report ---------------------------------------------------------------------------------------


def _f(x: float) -> str:
    return "  –  " if x != x else f"{x:.2f}"  # NaN: no question of that kind


def _ms(s: dict) -> str:
    return f"{s['p50']:6.1f} / {s['p95']:6.1f} ms"


def _ratio(a: dict, b: dict) -> str:
    return f"×{a['p95'] / b['p95']:.1f}" if b["p95"] else "–"


def report(all_results: list[dict], args) -> None:
    print()
    print("Search quality (bench/search_questions.tsv; a hit: an expected name among the first k)")
    print(
        f"  {'database':<11} {'items':>6} {'questions':>9} {'recall@1':>9} {'recall@5':>9} "
        f"{'honesty':>8}   (no-match questions with zero results)"
    )
    for res in all_results:
        for key in ("demo", "real", "large"):
            st = res["stages"].get(key)
            if not st:
                continue
            counts = f"{st['with_service']}+{st['no_match']}"
            print(
                f"  {res['engine']:<11} {st['items']:>6,} {counts:>9} {_f(st['recall@1']):>9} "
                f"{_f(st['recall@5']):>9} {_f(st['honesty']):>8}"
                + ("   (copies: for information)" if key == "large" else "")
            )
    t = TARGETS
    print(
        f"  targets at 1,173 items: recall@1 ≥ {t['recall@1']}, recall@5 ≥ {t['recall@5']}, "
        f"honesty ≥ {t['honesty']}"
    )
    real = [r["stages"]["real"] for r in all_results]
    verdicts = [all(st[k] >= v for k, v in TARGETS.items()) for st in real]
    print(f"  verdict: {'targets met' if all(verdicts) else 'targets NOT met'}")
    if len(all_results) == 2:
        a, b = (r["stages"]["real"]["tops"] for r in all_results)
        same = sum(a[q] == b.get(q) for q in a)
        print(f"  same top 5 on both databases: {same} of {len(a)} questions")

    print()
    print("Search latency p50 / p95 (baseline p50 / p95, ratio of the p95s)")
    for res in all_results:
        for key in ("real", "large"):
            st = res["stages"].get(key)
            if not st or "in_process" not in st:
                continue
            ip = st["in_process"]
            print(
                f"  {res['engine']:<11} {st['items']:>6,} in-process {_ms(ip['search'])} "
                f"(first round p95 {ip['first_round']['p95']:.1f} ms; by pk {_ms(ip['baseline'])}, "
                f"{_ratio(ip['search'], ip['baseline'])})  target p95 < {P95_IN_PROCESS_MS:.0f} ms"
            )
            if "http" in st:
                h = st["http"]
                print(
                    f"  {'':<11} {'':>6} HTTP       {_ms(h['search'])} "
                    f"(list page {_ms(h['list'])}, {_ratio(h['search'], h['list'])}; "
                    f"/healthz {_ms(h['healthz'])})  target p95 < {P95_HTTP_MS:.0f} ms"
                )
                if h["error_count"]:
                    print(f"  {'':<18} {h['error_count']} HTTP errors, e.g. {h['errors'][:3]}")
    print(f"  search_item_ids(limit={all_results[0].get('limit')}) as the catalogue page calls it")

    for res in all_results[:1]:
        for key, label in (("demo", "38"), ("real", "1,173")):
            st = res["stages"][key]
            fails = st["failures"][: args.failures]
            print()
            print(
                f"Failures at {label} items ({res['engine']}; {len(st['failures'])} questions "
                f"whose first result is not an expected item, or a no-match question answered):"
            )
            for f in fails:
                got = " | ".join(f["got"]) or "(nothing)"
                if f["expected"]:
                    mark = "top5" if f.get("at5") else "miss"
                    print(f"  [{mark}] {f['q']} → {f['expected'][0]}  got: {got}")
                else:
                    print(f"  [shown] {f['q']} (no service)  got: {got}")
            if len(st["failures"]) > len(fails):
                print(f"  … and {len(st['failures']) - len(fails)} more (--failures N)")
    for res in all_results:
        if res.get("server_errors"):
            print(f"\ngunicorn logged errors ({res['engine']}):\n{res['server_errors']}")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_SEARCH_DATABASE_URL", DEFAULT_DB),
        help="PostgreSQL database to (re)create, use and drop (default %(default)s)",
    )
    parser.add_argument(
        "--databases", default=None, help="comma-separated: sqlite,postgresql (default both)"
    )
    parser.add_argument("--quick", action="store_true", help="SQLite, 1,173 items, no HTTP")
    parser.add_argument("--rounds", type=int, default=None, help="in-process rounds (5; 2 quick)")
    parser.add_argument("--http-rounds", type=int, default=2, help="HTTP rounds (2)")
    parser.add_argument(
        "--multiple",
        type=int,
        default=9,
        help="copies of the real catalogue for the large run (9: 1,173 + 8 × 1,135 = 10,253 items)",
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (2)")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker (4)")
    parser.add_argument("--questions", default=str(QUESTIONS), help="the questions file")
    parser.add_argument("--failures", type=int, default=200, help="failures to list (200)")
    parser.add_argument("--keep-db", action="store_true", help="keep the PostgreSQL database")
    parser.add_argument("--engine", help=argparse.SUPPRESS)  # internal: one database
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.rounds is None:
        args.rounds = 2 if args.quick else 5

    if args.engine:
        return run_engine(args, args.engine, Path(args.out))

    databases = (args.databases or ("sqlite" if args.quick else "sqlite,postgresql")).split(",")
    results, status = [], 0
    outdir = Path(tempfile.mkdtemp(prefix="yiwang-bench-search-"))
    try:
        for engine in databases:
            out = outdir / f"{engine}.json"
            cmd = [R.PYTHON, __file__, *sys.argv[1:], "--engine", engine, "--out", str(out)]
            code = subprocess.call(cmd, cwd=ROOT)
            if code or not out.exists():
                log(f"{engine}: the run failed (exit {code})")
                status = 1
                continue
            res = json.loads(out.read_text(encoding="utf-8"))
            results.append(res)
    finally:
        shutil.rmtree(outdir, ignore_errors=True)
    if results:
        print(
            f"\nbench/search.py on {platform.node()} ({os.cpu_count()} cores), "
            f"{len(read_questions(Path(args.questions)))} questions"
        )
        report(results, args)
    return status


if __name__ == "__main__":
    sys.exit(main())
