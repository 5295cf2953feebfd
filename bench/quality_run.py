"""Data quality run time on PostgreSQL: a 人口 resource (encrypted ID number + 6 columns).

    .venv/bin/python bench/quality_run.py                 # 200,000 rows, extrapolated to 1M
    .venv/bin/python bench/quality_run.py --rows 1000000  # the full figure (~4 min to load)
    .venv/bin/python bench/quality_run.py --profile       # + cProfile of the run's loop

Creates a fresh database (dropped at the end unless --keep-db), builds the county's
authority and a department data administrator through the actions, publishes 人口基础信息 as
the demo defines it (provided by 民政局 here: the testing county has no 公安局), writes the
rows with ``hub.store.write_rows`` in batches (valid ID numbers from
``stdnum.cn.ric.calc_check_digit``; 0.5 % of them broken, some empty names), adds nine rules
(the suggested ones plus five) and times:

1. the same keyset pages as plain SQL (the database's and the driver's share);
2. ``hub.read.iterate`` over the rules' columns alone (reading + decrypting, no rules);
3. ``gmcrypto.core.decrypt`` alone, per value;
4. the quality run itself (``quality.runs.execute``): one pass, all rules, results stored.

Target: a run over 1,000,000 rows in < 60 s.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import os
import pstats
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/yiwang_bench_quality"
TARGET_ROWS, TARGET_SECONDS = 1_000_000, 60.0
T0 = time.perf_counter()


def log(msg: str) -> None:
    print(f"[{time.perf_counter() - T0:6.1f}s] {msg}", file=sys.stderr, flush=True)


def fresh_database(url: str) -> None:
    import dj_database_url
    import psycopg

    cfg = dj_database_url.parse(url)
    with psycopg.connect(
        host=cfg["HOST"],
        port=cfg["PORT"] or 5432,
        user=cfg["USER"],
        dbname="postgres",
        autocommit=True,
    ) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{cfg["NAME"]}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{cfg["NAME"]}"')


def drop_database(url: str) -> None:
    import dj_database_url
    import psycopg
    from django.db import connections

    connections.close_all()
    cfg = dj_database_url.parse(url)
    with psycopg.connect(
        host=cfg["HOST"],
        port=cfg["PORT"] or 5432,
        user=cfg["USER"],
        dbname="postgres",
        autocommit=True,
    ) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{cfg["NAME"]}" WITH (FORCE)')


SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红"
TOWNS = ("湖寮镇", "高陂镇", "百侯镇", "茶阳镇", "西河镇", "大麻镇", "三河镇")
STATUSES = ("正常",) * 18 + ("迁出", "死亡注销")


def people(count: int, seed: int = 2026):
    from stdnum.cn import ric

    rng = random.Random(seed)
    base = dt.date(1930, 1, 1)
    for n in range(count):
        born = base + dt.timedelta(days=n // 999)
        sequence = n % 999 + 1
        body = f"441422{born:%Y%m%d}{sequence:03d}"
        number = body + ric.calc_check_digit(body + "0")
        if rng.random() < 0.005:  # a mistyped check digit
            number = body + ("0" if number[-1] != "0" else "1")
        yield {
            "id_number": number,
            "real_name": None
            if rng.random() < 0.002
            else rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(("", *GIVEN)),
            "sex": "男" if sequence % 2 else "女",
            "ethnicity": "汉族" if rng.random() < 0.97 else "畲族",
            "birth_date": born,
            "domicile": f"广东省梅州市大埔县{rng.choice(TOWNS)}第{rng.randint(1, 300)}号",
            "household_status": rng.choice(STATUSES),
        }


def build(rows: int, batch: int):
    from yiwang.audit.actors import SystemActor
    from yiwang.datahub import actions as datahub
    from yiwang.datahub.hub import schema, store
    from yiwang.testing import county

    builder = SystemActor("bench")
    places = county.build_regions(builder, towns=())
    # The testing county has no 公安局: the registry's provider is 民政局 here (the provider
    # plays no part in a run).
    depts = county.build_departments(builder, places, ["mzj", "sjj"])
    authority = county.make_staff(builder, "authority", "authority", depts["sjj"], places["county"])
    admin = county.make_staff(builder, "admin_mzj", "dept_admin", depts["mzj"], places["county"])
    import json

    spec = json.loads((ROOT / "yiwang/demo/data/datahub.json").read_text())["resources"][0]
    assert spec["name"] == "人口基础信息"
    resource = datahub.create_resource(
        actor=admin,
        name=spec["name"],
        classification=spec["classification"],
        provider=depts["mzj"],
        summary=spec["summary"],
        format=spec["format"],
        sharing_type=spec["sharing_type"],
        sharing_method=spec["sharing_method"],
        sharing_conditions=spec.get("sharing_conditions", ""),
        legal_basis=spec.get("legal_basis", ""),
        open_type=spec["open_type"],
        update_cycle=spec["update_cycle"],
        items=spec["items"],
        key_item=spec["key_item"],
    )
    datahub.submit(actor=admin, resource=resource)
    datahub.publish(actor=authority, resource=resource)
    resource.refresh_from_db()
    table = schema.ensure_table(resource)
    columns = schema.table_columns(table)
    log(f"writing {rows:,} rows ({sum(c.encrypted for c in columns)} encrypted column(s))")
    started = time.perf_counter()
    chunk: list[dict] = []
    for row in people(rows):
        chunk.append(row)
        if len(chunk) == batch:
            store.write_rows(table, columns, chunk)
            chunk = []
    if chunk:
        store.write_rows(table, columns, chunk)
    elapsed = time.perf_counter() - started
    log(f"written in {elapsed:.1f} s ({rows / elapsed:,.0f} rows/s)")
    return resource, admin


def add_rules(resource, admin) -> None:
    from yiwang.quality import actions
    from yiwang.quality.choices import RuleKind
    from yiwang.quality.models import QualityRule

    if not QualityRule.objects.filter(resource=resource).exists():  # the demo may have them
        actions.accept_suggestions(actor=admin, resource=resource)  # key: not null + unique, ID
    for kind, column, params in (
        (RuleKind.NOT_NULL, "real_name", {}),
        (RuleKind.ENUM, "sex", {"values": ["男", "女"]}),
        (RuleKind.RANGE, "birth_date", {"min": "1900-01-01", "max": "2026-12-31"}),
        (RuleKind.ENUM, "household_status", {"values": ["正常", "迁出", "死亡注销"]}),
        (RuleKind.REGEX, "domicile", {"pattern": r"广东省梅州市大埔县.+"}),
    ):
        actions.create_rule(actor=admin, resource=resource, kind=kind, column=column, params=params)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--batch", type=int, default=20_000)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB))
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--keep-db", action="store_true")
    args = parser.parse_args()

    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    fresh_database(args.database_url)
    import django

    django.setup()
    from django.core.management import call_command

    try:
        log("migrating")
        call_command("migrate", verbosity=0)
        resource, admin = build(args.rows, args.batch)
        add_rules(resource, admin)
        with django.db.connection.cursor() as cursor:
            cursor.execute(f'VACUUM ANALYZE "hub_r{resource.code}"')
        measure(resource, admin, args)
    finally:
        if not args.keep_db:
            drop_database(args.database_url)


def measure(resource, admin, args) -> None:
    from yiwang.datahub.hub import read
    from yiwang.gmcrypto import core as gm
    from yiwang.quality import actions, runs
    from yiwang.quality.models import QualityRule, QualityRun

    rules = list(QualityRule.objects.filter(resource=resource))
    log(f"{len(rules)} rules: " + ", ".join(f"{r.kind}:{r.column}" for r in rules))
    names = sorted({r.column for r in rules if r.column} | {"id_number"})
    started, read_cpu = time.perf_counter(), time.process_time()
    n = sum(1 for _ in read.iterate(resource, names, batch=runs.BATCH))
    read_s, read_cpu = time.perf_counter() - started, time.process_time() - read_cpu
    log(f"read.iterate of {names}: {n:,} rows in {read_s:.1f} s")

    # The database's share: the same keyset pages as plain SQL, values left as stored.
    from django.db import connection

    table = f"hub_r{resource.code}"
    select = ", ".join(["_id", *names])
    started, sql_cpu = time.perf_counter(), time.process_time()
    after, fetched = 0, 0
    with connection.cursor() as cursor:
        while True:
            cursor.execute(
                f"SELECT {select} FROM {table} WHERE _id > %s ORDER BY _id LIMIT %s",
                [after, runs.BATCH],
            )
            page = cursor.fetchall()
            if not page:
                break
            fetched += len(page)
            after = page[-1][0]
    sql_s, sql_cpu = time.perf_counter() - started, time.process_time() - sql_cpu
    log(f"plain SQL pages: {fetched:,} rows in {sql_s:.1f} s")

    token = gm.encrypt("441422199001011232")
    started = time.process_time()
    for _ in range(100_000):
        gm.decrypt(token)
    decrypt_us = (time.process_time() - started) / 100_000 * 1e6
    log(f"gm.decrypt: {decrypt_us:.1f} µs per value")

    cpu = time.process_time()
    run = actions.request_run(actor=admin, resource=resource)  # enqueued inline on commit
    cpu = time.process_time() - cpu
    run.refresh_from_db()
    if run.status != "done":
        raise SystemExit(f"run ended {run.status}: {run.error}")
    total = run.seconds
    log(
        f"quality run: {run.rows_checked:,} rows in {total:.1f} s; score {run.score}, "
        f"{run.issue_total:,} issues ({run.issues_stored:,} kept); {run.scores}"
    )
    if args.profile:
        fresh = QualityRun.objects.create(resource=resource, trigger="manual")
        profiler = cProfile.Profile()
        profiler.enable()
        runs.execute(fresh.pk)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("tottime").print_stats(18)

    per_row = total / run.rows_checked
    projected = per_row * TARGET_ROWS
    load = os.getloadavg()[0]
    print()
    print(f"rows                     {run.rows_checked:>12,}")
    print(f"SQL pages only           {sql_s:>12.1f} s  wall, {sql_cpu:.1f} s CPU (no decrypt)")
    print(
        f"read + decrypt only      {read_s:>12.1f} s  wall, {read_cpu:.1f} s CPU "
        f"({read_s / total:.0%} of the run)"
    )
    print(
        f"decrypt per value        {decrypt_us:>12.1f} µs CPU (≈ {decrypt_us * n / 1e6:.1f} s for "
        f"the encrypted column)"
    )
    print(
        f"quality run              {total:>12.1f} s  wall, {cpu:.1f} s CPU "
        f"({run.rows_checked / total:,.0f} rows/s)"
    )
    print(
        f"projected for 1,000,000  {projected:>12.1f} s  wall ({cpu / run.rows_checked * TARGET_ROWS:.1f} s CPU)"
        f"  target < {TARGET_SECONDS:.0f} s: {'met' if projected < TARGET_SECONDS else 'MISSED'}"
    )
    print(
        f"load average             {load:>12.1f}  on {os.cpu_count()} CPUs (others' work slows the wall time)"
    )


if __name__ == "__main__":
    main()
