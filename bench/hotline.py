"""一网统管 benchmark: 12345 intake throughput, dispatcher list and statistics page latency.

    .venv/bin/python bench/hotline.py            # 1,000,000 tickets, 10 s per measurement
    .venv/bin/python bench/hotline.py --quick    # 20,000 tickets, 4 s: checks the script works

Fresh PostgreSQL database (default ``yiwang_bench_hotline``), the demo county through the
actions, historical tickets bulk-loaded (the most recent 10 % first, to measure the
statistics page at 100k, then the older 90 %), gunicorn, a separate load-generator
process, every figure next to a baseline measured in the same run. Reuses the machinery of
``bench/run.py`` (database, server, load generator, CPU accounting). See bench/README.md,
section "Hotline". Exits non-zero only on errors, never because a target was missed.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import run as R  # noqa: E402

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/yiwang_bench_hotline"
log = R.log

# Intake bodies: (type, category code, content, region code, address, lat, lng).
INTAKE = [
    ("complaint", "010101", "城东社区虎山路口傍晚有流动摊贩占道经营，车辆难以通行。", "441422100001", "虎山路口", "24.352", "116.712"),
    ("complaint", "010103", "文化广场晚上十点后广场舞音响声音太大，影响附近居民休息。", "441422100", "湖寮镇文化广场", "24.350", "116.700"),
    ("help", "020101", "华侨新村路段有三盏路灯不亮，晚上行人看不清路。", "441422100002", "华侨新村", "24.352", "116.688"),
    ("help", "020102", "同仁路人行道上一个井盖缺失，老人差点摔倒，请尽快处理。", "441422100006", "同仁路", "24.352", "116.700"),
    ("complaint", "010201", "城南菜市场旁垃圾桶三天没人清运，气味很大。", "441422100003", "城南菜市场", "24.336", "116.700"),
    ("complaint", "050102", "新城大道工地夜间十一点后还在施工，噪音很大。", "441422100005", "新城大道", "24.336", "116.724"),
    ("help", "050201", "城北社区停水一天了，没有接到任何停水通知。", "441422100004", "城北社区", "24.368", "116.700"),
    ("complaint", "030201", "高陂镇陶瓷街一家店明码标价与实际收费不一致。", "441422103", "高陂镇陶瓷街", "", ""),
    ("consult", "040101", "灵活就业人员社保断缴了三个月，应该怎么补缴？", "441422", "", "", ""),
    ("complaint", "070101", "梅潭河边有人偷排污水，河水发黑还有死鱼。", "441422106", "百侯镇梅潭河边", "", ""),
    ("help", "020103", "湖寮大桥引道路面塌陷一个坑，雨天积水很深。", "441422100", "湖寮大桥引道", "24.350", "116.695"),
    ("complaint", "020201", "小区门口长期有车乱停，堵住了消防通道。", "441422100005", "新城社区", "24.336", "116.724"),
]  # fmt: skip


def intake_variants(world) -> tuple[list[dict], list[dict]]:
    """Form fields for the agent form and the Open311 POST, one dict per request body."""
    from yiwang.hotline.models import Category
    from yiwang.regions.models import Region

    cats = {c.code: c.pk for c in Category.objects.all()}
    regions = {r.code: r.pk for r in Region.objects.filter(code__startswith="441422")}
    form, o311 = [], []
    for n, (type_, code, content, region, address, lat, lng) in enumerate(INTAKE):
        phone = f"1390253{n:04d}"
        form.append(
            {
                "caller_phone": phone,
                "caller_name": "陈女士",
                "type": type_,
                "content": content,
                "category": str(cats[code]),
                "region": str(regions[region]) if region != "441422" else "",
                "address": address,
                "lat": lat,
                "lng": lng,
            }
        )
        o311.append(
            {
                "service_code": code,
                "lat": lat,
                "long": lng,
                "address_string": address or "大埔县湖寮镇",
                "description": content,
                "first_name": "女士",
                "last_name": "陈",
                "phone": phone,
                "attribute[type]": type_,
            }
        )
    return form, o311


def count_statements(world, form_fields: dict, o311_fields: dict) -> dict:
    """One real agent intake, one Open311 request, one dispatcher page and one statistics
    page through Django's test client, queries captured (``run.classify``)."""
    from urllib.parse import urlencode

    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    out = {}
    agent = Client()
    agent.force_login(world.agent)
    with CaptureQueriesContext(connection) as ctx:
        r = agent.post("/hotline/new/", form_fields)
    if r.status_code != 302:
        raise RuntimeError(f"/hotline/new/ answered {r.status_code}: {R.page_errors(r.content)}")
    out["form"] = R.classify(ctx.captured_queries)
    with CaptureQueriesContext(connection) as ctx:
        r = Client().post(
            "/open311/v2/requests.json",
            urlencode({"api_key": world.api_key, **o311_fields}),
            content_type="application/x-www-form-urlencoded",
        )
    if r.status_code != 200:
        raise RuntimeError(f"Open311 POST answered {r.status_code}: {r.content[:800]!r}")
    out["open311"] = R.classify(ctx.captured_queries)
    dispatcher = Client()
    dispatcher.force_login(world.dispatcher)
    for name, path in (("dispatch", "/hotline/dispatch/"), ("stats", "/hotline/stats/")):
        cache.clear()
        with CaptureQueriesContext(connection) as ctx:
            r = dispatcher.get(path)
        if r.status_code != 200:
            raise RuntimeError(f"{path} answered {r.status_code}: {r.content[:800]!r}")
        out[name] = R.classify(ctx.captured_queries)
    return out


def explain_ms(sql: str, params) -> tuple[float, str]:
    """(execution time, first plan line) of ``EXPLAIN ANALYZE`` in this process."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        lines = [row[0] for row in cur.fetchall()]
    ms = next((float(x.split(":")[1].split()[0]) for x in lines if "Execution Time" in x), 0.0)
    return ms, lines


def stats_sql(user, key: str):
    from django.db.models.functions import TruncDate

    from yiwang.hotline import stats
    from yiwang.hotline.models import Ticket
    from yiwang.hotline.stats import TICKET_COUNTS

    scope, _ = stats.scope_of(user)
    period = stats.resolve_period({"period": key})
    start, end = period.bounds()
    qs = (
        Ticket.objects.filter(scope, created_at__gte=start, created_at__lt=end)
        .values("type", "category_id", "lead_department_id", "town_id", day=TruncDate("created_at"))
        .annotate(**TICKET_COUNTS)
        .order_by()
    )
    return qs.query.sql_with_params()


def period_volume(key: str) -> int:
    from yiwang.hotline import stats
    from yiwang.hotline.models import Ticket

    start, end = stats.resolve_period({"period": key}).bounds()
    return Ticket.objects.filter(created_at__gte=start, created_at__lt=end).count()


def measure(name: str, cfg: dict, dbcfg: dict, server, profdir, results: dict) -> bool:
    """One load-generator run; True when something failed."""
    from django.db import connections

    connections.close_all()
    spies = None
    if profdir and not name.endswith("_base"):
        spies = R.profile_workers(server, name, cfg["seconds"] + cfg["warmup"], profdir)
    log(
        f"measuring {name}: {cfg['path']} × {cfg['concurrency']} connections, "
        f"{cfg['warmup']:g} s warm-up + {cfg['seconds']:g} s"
    )
    with R.LockSampler(dbcfg) as sampler:
        results[name] = r = R.loadgen(cfg)
    r["locks"] = sampler.summary()
    for p in spies or []:
        p.wait(timeout=60)
    bad = {k: v for k, v in r["statuses"].items() if int(k) != cfg["expect"]}
    if bad or r["exceptions"] or r["ok"] == 0:
        log(f"  ERRORS in {name}: statuses {r['statuses']}, exceptions {r['exceptions']}")
        for sample in r["error_samples"]:
            log(f"    {sample[:600]}")
        return True
    lat = r["latencies_ms"]
    log(
        f"  {r['ok']:,} ok, {r['ok'] / r['elapsed']:.1f}/s, p50 {R.pct(lat, 50):.1f} ms "
        f"p99 {R.pct(lat, 99):.1f} ms"
    )
    return False


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_HOTLINE_DATABASE_URL", DEFAULT_DB),
        help="PostgreSQL database to (re)create and use (default %(default)s)",
    )
    parser.add_argument("--tickets", type=int, default=None, help="tickets (default 1000000)")
    parser.add_argument("--seconds", type=float, default=None, help="per measurement (10)")
    parser.add_argument("--warmup", type=float, default=None, help="warm-up (2)")
    parser.add_argument("--concurrency", type=int, default=8, help="intake connections (8)")
    parser.add_argument(
        "--read-concurrency", type=int, default=2, help="list/statistics connections (2)"
    )
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (4)")
    parser.add_argument("--threads", type=int, default=2, help="threads per worker (2)")
    parser.add_argument("--quick", action="store_true", help="20,000 tickets, 4 s measurements")
    parser.add_argument("--keep-db", action="store_true", help="keep the database afterwards")
    parser.add_argument("--profile", metavar="DIR", help="py-spy the workers (raw stacks to DIR)")
    args = parser.parse_args()
    tickets = args.tickets if args.tickets is not None else (20_000 if args.quick else 1_000_000)
    seconds = args.seconds if args.seconds is not None else (4.0 if args.quick else 10.0)
    warmup = args.warmup if args.warmup is not None else (1.0 if args.quick else 2.0)
    recent = tickets // 10
    per_day = tickets / (365 * 3)

    media = Path(tempfile.mkdtemp(prefix="yiwang-bench-hotline-media-"))
    logdir = Path(tempfile.mkdtemp(prefix="yiwang-bench-hotline-logs-"))
    os.environ.update(
        {
            "DATABASE_URL": args.database_url,
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "BENCH_MEDIA_ROOT": str(media),
        }
    )
    dbcfg = R._db_params(args.database_url)
    profdir = Path(args.profile) if args.profile else None
    if profdir:
        profdir.mkdir(parents=True, exist_ok=True)
    server = None
    failed = False
    try:
        log(f"creating database {dbcfg['NAME']}")
        R.recreate_database(dbcfg)
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection, connections

        from bench import hotline_world as W
        from bench import world as case_world
        from yiwang.audit.actions import verify
        from yiwang.audit.models import AuditEntry
        from yiwang.hotline.models import Ticket

        log("migrating")
        call_command("migrate", verbosity=0, interactive=False)
        log("building the county through the actions (demo, hotline and grid demo data)")
        world = W.build_world()
        case_world.create_bench_table()
        sessions = R.make_sessions([world.dispatcher], args.read_concurrency)
        agent_sessions = R.make_sessions([world.agent], args.concurrency)

        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "YIWANG_LOG_LEVEL": "WARNING",
        }
        stats_env = {**env, "DJANGO_SETTINGS_MODULE": "bench.hotline_settings"}
        base = {"host": "127.0.0.1", "seconds": seconds, "warmup": warmup}
        results: dict[str, dict] = {}
        volumes: dict[str, dict] = {}
        explains: dict[str, float] = {}

        def stats_round(label: str) -> None:
            nonlocal server, failed
            server = R.Server(stats_env, args.workers, args.threads, logdir)
            server.wait_ready()
            for key in ("this_week", "this_month"):
                volumes.setdefault(label, {})[key] = period_volume(key)
                explains[f"stats_{key}_{label}"] = explain_ms(*stats_sql(world.dispatcher, key))[0]
                path = "/hotline/stats/" + ("" if key == "this_week" else f"?period={key}")
                cfg = {
                    **base,
                    "port": server.port,
                    "mode": "get",
                    "expect": 200,
                    "path": path,
                    "concurrency": args.read_concurrency,
                    "sessions": sessions,
                }
                failed |= measure(f"stats_{key}_{label}", cfg, dbcfg, server, profdir, results)
            check_log(server)
            server.stop()
            server = None

        def check_log(srv) -> None:
            nonlocal failed
            tail = srv.log_tail()
            if "Traceback" in tail or "ERROR" in tail:
                log("gunicorn logged errors:\n" + tail)
                failed = True

        # 1. The most recent tenth of the history; statistics at 100k.
        t = time.perf_counter()
        log(f"bulk-loading the most recent {recent:,} tickets ({per_day:.0f} a day)")
        mix = W.bulk_load_tickets(world, recent, per_day=per_day)
        load_seconds = time.perf_counter() - t
        W.analyze()
        log(f"  loaded in {load_seconds:.1f} s: {mix}")
        stats_round("small")

        # 2. The older history; everything at 1M.
        t = time.perf_counter()
        log(f"bulk-loading {tickets - recent:,} older tickets")
        mix2 = W.bulk_load_tickets(
            world,
            tickets - recent,
            per_day=per_day,
            skip_days=recent / per_day,
            progress=lambda n: log(f"  {n:,}") if n % 100_000 == 0 else None,
        )
        load_seconds += time.perf_counter() - t
        W.analyze()
        for k, v in mix2.items():
            mix[k] = mix.get(k, 0) + v
        total = Ticket.objects.count()
        log(f"  loaded in {load_seconds:.1f} s in all; {total:,} tickets: {mix}")
        stats_round("large")

        form_variants, o311_variants = intake_variants(world)
        counts = count_statements(world, form_variants[0], o311_variants[0])
        from bench.hotline_baseline import dispatch_queryset
        from yiwang.hotline.queries import DISPATCH_STATUSES

        explains["dispatch"], dispatch_plan = explain_ms(
            *dispatch_queryset(world.dispatcher).query.sql_with_params()
        )
        dispatch_rows = Ticket.objects.filter(status__in=DISPATCH_STATUSES).count()
        writes = {}
        for k in ("form", "open311"):
            q = counts[k]
            writes[k] = (q["insert"], q["update"] + q["delete"] + q["select_for_update"])
            log(f"a real {k} intake writes: {', '.join(q['tables'])}")

        quiet0 = R.cpu_snapshot()
        time.sleep(2)
        quiet1 = R.cpu_snapshot()
        background = (
            100 * (quiet1["busy"] - quiet0["busy"]) / (quiet1["total"] - quiet0["total"])
            if quiet0 and quiet1
            else float("nan")
        )
        connections.close_all()
        server = R.Server(env, args.workers, args.threads, logdir)
        server.wait_ready()
        log(f"gunicorn on 127.0.0.1:{server.port}: {args.workers} × {args.threads} (gthread)")
        base["port"] = server.port
        get = {**base, "mode": "get", "expect": 200, "concurrency": args.read_concurrency}
        form_cfg = {
            **base,
            "mode": "submit",
            "expect": 302,
            "concurrency": args.concurrency,
            "sessions": agent_sessions,
            "fields": {},
            "variants": form_variants,
        }
        o311_cfg = {
            **base,
            "mode": "submit",
            "expect": 200,
            "encoding": "urlencoded",
            "concurrency": args.concurrency,
            "sessions": agent_sessions,  # cookies are ignored by the Open311 endpoint
            "fields": {"api_key": world.api_key},
            "variants": o311_variants,
        }
        fi, fu = writes["form"]
        oi, ou = writes["open311"]
        # Dispatcher list first, while the queue is exactly the loaded one.
        plan = [
            ("dispatch_base", {**get, "sessions": sessions, "path": "/bench/hotline/dispatch/"}),
            ("dispatch", {**get, "sessions": sessions, "path": "/hotline/dispatch/"}),
            ("form_base", {**form_cfg, "path": f"/bench/hotline/intake-form/{fi}/{fu}/"}),
            ("form", {**form_cfg, "path": "/hotline/new/"}),
            ("open311_base", {**o311_cfg, "path": f"/bench/hotline/intake-open311/{oi}/{ou}/"}),
            ("open311", {**o311_cfg, "path": "/open311/v2/requests.json"}),
        ]
        tickets_before = {}
        for name, cfg in plan:
            tickets_before[name] = Ticket.objects.count()
            failed |= measure(name, cfg, dbcfg, server, profdir, results)
            results[name]["tickets_written"] = Ticket.objects.count() - tickets_before[name]
            connections.close_all()
        check_log(server)
        server.stop()
        server = None

        t = time.perf_counter()
        verification = verify()
        verify_seconds = time.perf_counter() - t
        with connection.cursor() as cur:
            cur.execute("SELECT pg_size_pretty(pg_database_size(current_database())), version()")
            db_size, pg_version = cur.fetchone()
        report(
            args=args,
            tickets=tickets,
            recent=recent,
            seconds=seconds,
            warmup=warmup,
            load_seconds=load_seconds,
            mix=mix,
            results=results,
            counts=counts,
            writes=writes,
            volumes=volumes,
            explains=explains,
            dispatch_rows=dispatch_rows,
            background=background,
            verification=verification,
            verify_seconds=verify_seconds,
            audit_total=AuditEntry.objects.count(),
            total_after=Ticket.objects.count(),
            db_size=db_size,
            pg_version=pg_version,
        )
        if os.environ.get("BENCH_HOTLINE_PLANS"):
            print("\n".join(dispatch_plan))
        if profdir:
            log(
                f"py-spy raw stacks in {profdir}; summarise with "
                f".venv/bin/python bench/profile_summary.py {profdir} --prefix profile-form"
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
                R.drop_database(dbcfg)
                log(f"dropped database {dbcfg['NAME']}")
            except Exception as exc:
                log(f"could not drop {dbcfg['NAME']}: {exc}")
                failed = True
        shutil.rmtree(media, ignore_errors=True)
        shutil.rmtree(logdir, ignore_errors=True)
    return 1 if failed else 0


def _rate(r: dict) -> float:
    return r["ok"] / r["elapsed"] if r["elapsed"] else 0.0


def _writes_line(q: dict) -> str:
    return (
        f"{q['insert']} INSERT, {q['update']} UPDATE, {q['delete']} DELETE, "
        f"{q['select_for_update']} SELECT FOR UPDATE, {q['select']} SELECT (+ session save)"
    )


def report(
    *,
    args,
    tickets,
    recent,
    seconds,
    warmup,
    load_seconds,
    mix,
    results,
    counts,
    writes,
    volumes,
    explains,
    dispatch_rows,
    background,
    verification,
    verify_seconds,
    audit_total,
    total_after,
    db_size,
    pg_version,
) -> None:
    import django

    line = "-" * 78
    pct = R.pct
    print(line)
    print("一网统管 benchmark (12345 hotline)")
    print(line)
    print(
        f"machine        {os.cpu_count()} cores, {platform.machine()}, Python "
        f"{platform.python_version()}, Django {django.get_version()}"
    )
    print(f"background     {background:.0f}% of the machine busy with other processes before")
    print(f"database       {pg_version.split(',')[0]}; {db_size} after the run")
    print(
        f"data           {tickets:,} tickets over 3 years bulk-loaded in {load_seconds:.1f} s "
        f"(the newest {recent:,} first); {total_after:,} after the run"
    )
    print(f"               statuses: {', '.join(f'{k} {v:,}' for k, v in sorted(mix.items()))}")
    print(
        f"server         gunicorn gthread, {args.workers} workers × {args.threads} threads; "
        "load generator on the same machine"
    )
    print(
        f"measurement    {warmup:g} s warm-up + {seconds:g} s each; intake over "
        f"{args.concurrency} connections, list and statistics over {args.read_concurrency}"
    )
    print(line)
    rows = []
    for key, label, path in (
        ("form", "agent form", "POST /hotline/new/"),
        ("open311", "Open311", "POST /open311/v2/requests.json"),
    ):
        q = counts[key]
        r, b = results[key], results[f"{key}_base"]
        rate, rate_b = _rate(r), _rate(b)
        ratio = rate / rate_b if rate_b else float("nan")
        ok = rate >= 100 and ratio >= 0.5
        print(f"{label:<14} {path}: {_writes_line(q)}")
        print(f"               writes: {', '.join(q['tables'])}")
        print(f"               reads: {R._reads(q)}")
        ins, upd = writes[key]
        print(
            f"               baseline: login/api_key + same body + {ins} INSERT + {upd} UPDATE "
            "through the ORM in one transaction"
        )
        print(
            f"               {rate:.1f} tickets/s, baseline {rate_b:.1f}/s, ratio {ratio:.2f}; "
            f"p50 {pct(r['latencies_ms'], 50):.0f} ms p99 {pct(r['latencies_ms'], 99):.0f} ms "
            f"(baseline p50 {pct(b['latencies_ms'], 50):.0f} p99 {pct(b['latencies_ms'], 99):.0f})"
        )
        ceil, ceil_b = R._ceiling(r), R._ceiling(b)
        if ceil and ceil_b:
            print(
                f"               CPU ceiling {ceil:.0f}/s vs baseline {ceil_b:.0f}/s, "
                f"ratio {ceil / ceil_b:.2f}"
            )
        rows.append(
            (
                f"intake {label}",
                f"{rate:.1f}/s, ratio {ratio:.2f}",
                "≥ 100/s, ratio ≥ 0.5",
                ok,
            )
        )
    d, db = results["dispatch"], results["dispatch_base"]
    d99, db99 = pct(d["latencies_ms"], 99), pct(db["latencies_ms"], 99)
    print(
        f"dispatch list  GET /hotline/dispatch/ as dispatcher_12345 (county-wide); "
        f"{dispatch_rows:,} tickets in its statuses; {counts['dispatch']['select']} SELECT: "
        f"{R._reads(counts['dispatch'])}"
    )
    print(
        f"               p50 {pct(d['latencies_ms'], 50):.1f} p95 {pct(d['latencies_ms'], 95):.1f} "
        f"p99 {d99:.1f} ms; baseline (same query as JSON) p50 "
        f"{pct(db['latencies_ms'], 50):.1f} p99 {db99:.1f} ms, ratio p99 {d99 / db99:.1f}; "
        f"EXPLAIN ANALYZE {explains['dispatch']:.1f} ms"
    )
    rows.append(
        ("dispatcher list p99", f"{d99:.1f} ms (baseline {db99:.1f})", "< 150 ms", d99 < 150)
    )
    print(
        f"statistics     GET /hotline/stats/ as dispatcher_12345, cache OFF (DummyCache server); "
        f"{counts['stats']['select']} SELECT: {R._reads(counts['stats'])}"
    )
    for key, label in (("this_week", "default (this week)"), ("this_month", "this month")):
        small = results[f"stats_{key}_small"]
        large = results[f"stats_{key}_large"]
        s99, l99 = pct(small["latencies_ms"], 99), pct(large["latencies_ms"], 99)
        print(
            f"  {label:<20} {recent:,} tickets: p50 {pct(small['latencies_ms'], 50):.1f} p99 "
            f"{s99:.1f} ms ({volumes['small'][key]:,} in the period, GROUP BY "
            f"{explains[f'stats_{key}_small']:.1f} ms)"
        )
        print(
            f"  {'':<20} {tickets:,} tickets: p50 {pct(large['latencies_ms'], 50):.1f} p99 "
            f"{l99:.1f} ms ({volumes['large'][key]:,} in the period, GROUP BY "
            f"{explains[f'stats_{key}_large']:.1f} ms); ratio 1M/100k p99 {l99 / s99:.2f}"
        )
        rows.append(
            (
                f"statistics {label}",
                f"p99 {s99:.0f} → {l99:.0f} ms (×{l99 / s99:.2f})",
                "< 300 ms at both sizes",
                s99 < 300 and l99 < 300,
            )
        )
    print("cpu seconds    (incl. warm-up) app / postgres / load generator / other; per request")
    noisy = []
    for name in results:
        c = results[name].get("cpu") or {}
        n = results[name]["requests"] + results[name]["warmup_requests"]
        if c and n:
            other = max(0.0, c["busy"] - c["app"] - c["db"] - c["loadgen"])
            print(
                f"  {name:<22} {c['app']:5.1f} / {c['db']:5.1f} / {c['loadgen']:4.1f} / {other:4.1f}"
                f"  | app {1000 * c['app'] / n:6.1f} ms, postgres {1000 * c['db'] / n:5.1f} ms"
                f"  | locks waited {results[name]['locks']['waiting']:.2f}"
            )
            if other > 0.15 * c["capacity"]:
                noisy.append(name)
    if noisy:
        print(
            f"WARNING        other processes used > 15% of the machine during: {', '.join(noisy)}"
        )
    print(
        f"audit chain    on: {audit_total:,} entries; verify() "
        f"{'ok' if verification.ok else 'BROKEN'} ({verification.checked:,}) in {verify_seconds:.2f} s"
    )
    print(line)
    print(f"{'figure':<32} {'measured':<34} {'target':<24} verdict")
    for name, value, target, ok in rows:
        print(f"{name:<32} {value:<34} {target:<24} {R.verdict(ok)}")
    print(line)


if __name__ == "__main__":
    sys.exit(main())
