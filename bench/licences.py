"""E-licence benchmark on PostgreSQL: verification in-process, issuance, and the public verify
page over HTTP with the licence table holding 1,000,000 licences.

    .venv/bin/python bench/licences.py            # 1,000,000 licences, 10 s per measurement
    .venv/bin/python bench/licences.py --quick    # 20,000 licences, 4 s: checks the script works

Creates a fresh database, migrates, builds a small county (大埔县市场监督管理局 with an e-seal
and the 食品经营许可证 type, a clerk, an enterprise), then measures, each against a baseline
measured in the same run:

(1) verification of a licence's signed metadata in-process (``verification.signature_ok`` on
    a licence already read: ``LicenceMetadata.from_dict``, the canonical bytes, SM3 of Z ‖ M
    and the SM2 verification; the public key is cached per process, so no query) against raw
    compiled SM2 verification (gmssl-pyx on a digest computed beforehand, as bench/sm2.py).
    Targets: ≥ 1,000/s and a ratio ≥ 0.5.
(2) issuance through ``actions.issue`` (numbering under the counter's lock, two SM2 signatures
    — the metadata and the issue event — the audit entries, the row, the PDF rendered, stored
    and digested) against raw compiled SM2 signing, by one process and by ``--issuers``
    processes at once (default 4, the web workers of the documented deployment: approvals and
    imports issue from several workers, which share the serial counter, the seal and the audit
    chain). Target: ≥ 50/s. The PDF rendering alone is timed too, for where the time goes.
(3) the public verify page ``GET /verify/<identifier>`` served by gunicorn, 20 keep-alive
    clients (bench/exchange_loadgen.py, closed loop) cycling over the licences issued in (2),
    after the table was filled to ``--licences`` rows (INSERT … SELECT over generate_series
    from one issued row: same sizes, distinct identifiers; each with an issue event). Only
    genuine licences are requested. Baseline: ``GET /healthz`` with the same client and server.
    The statements of one verify request are counted with CaptureQueriesContext.

Exits non-zero only when something failed (an unexpected HTTP status, a licence that does not
verify), never because a target was missed. Figures: bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import run as R

ROOT = R.ROOT
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/yiwang_bench_licences"
FIELDS = {"经营场所": "湖寮镇大埔大道1号", "主体业态": "餐饮服务经营者"}
FILL_BATCH = 100_000
log = R.log


# --- the world ------------------------------------------------------------------------------------


def build_world():
    """Region, department with a licence seal, licence type, clerk and enterprise."""
    from types import SimpleNamespace

    from yiwang.licences.models import HolderKind, LicenceType
    from yiwang.seals import actions as seals
    from yiwang.seals.models import SealKind
    from yiwang.testing import county as build
    from yiwang.testing.county import BUILDER

    places = build.build_regions(BUILDER, towns=())
    scj = build.build_departments(BUILDER, places, ["scj"])["scj"]
    admin = build.make_staff(BUILDER, "admin_scj", "dept_admin", scj, places["county"])
    clerk = build.make_staff(BUILDER, "clerk_scj", "reviewer", scj, places["county"])
    seals.create_seal(actor=admin, department=scj, kind=SealKind.LICENCE)
    food = LicenceType.objects.create(
        code="11100000000013338W032",
        name="食品经营许可证",
        definer="国家市场监督管理总局",
        holder_kind=HolderKind.ENTERPRISE,
        validity_years=5,
        issuer=scj,
        fields=[{"key": "经营场所", "label": "经营场所"}, {"key": "主体业态", "label": "主体业态"}],
    )
    enterprise = build.make_enterprise(name="大埔县湖寮镇客家饭店", uscc="92441422MA4X0YJ12M")
    return SimpleNamespace(department=scj, clerk=clerk, licence_type=food, enterprise=enterprise)


def issue_one(world):
    from yiwang.licences import actions

    return actions.issue(
        actor=world.clerk,
        licence_type=world.licence_type,
        holder=actions.Holder.of_enterprise(world.enterprise),
        fields=FIELDS,
    )


# --- (1) and (2): in-process rates ------------------------------------------------------------


def best_rate(func, seconds: float, rounds: int = 3) -> float:
    """Calls per second of ``func``, the best of ``rounds`` (a busy machine slows single rounds)."""
    from bench.sm2 import rate

    return max(rate(func, seconds / rounds) for _ in range(rounds))


def crypto_rates(licence, seconds: float) -> dict:
    """Raw compiled SM2 verify/sign against signed-metadata verification of ``licence``."""
    import gmssl_pyx

    from yiwang.gmcrypto import core, sm2
    from yiwang.licences import verification
    from yiwang.licences.metadata import LicenceMetadata
    from yiwang.seals import signing

    forget = signing._verified.clear

    pair = sm2.generate_keypair()
    private, point = bytes.fromhex(pair.private_key), bytes.fromhex(pair.public_key[2:])
    message = LicenceMetadata.from_dict(licence.metadata).canonical()  # a licence's size
    digest = core.sm3_digest(sm2.z_value(pair.public_key) + message)
    raw_signature = gmssl_pyx.sm2_sign_sm3_digest(private, digest)
    if not verification.signature_ok(licence):
        raise RuntimeError(f"{licence.identifier} does not verify")
    rates = {}
    # Interleaved rounds, as bench/sm2.py: both sides see the same machine.
    for _ in range(3):
        for name, func in (
            ("raw_verify", lambda: gmssl_pyx.sm2_verify_sm3_digest(point, digest, raw_signature)),
            # The process remembers signatures it verified (seals.signing): forgotten before
            # each call, so that every call pays the SM2 verification.
            ("metadata_verify", lambda: (forget(), verification.signature_ok(licence))),
            ("raw_sign", lambda: gmssl_pyx.sm2_sign_sm3_digest(private, digest)),
        ):
            rates[name] = max(rates.get(name, 0.0), best_rate(func, seconds / 3, rounds=1))
    return rates


def issuance_rate(world, seconds: float, profile: bool) -> tuple[float, list[str], float]:
    """Licences issued per second over ``seconds`` (after two warm-up issuances), their
    identifiers, and PDF renderings per second of the last one alone. With ``profile``,
    20 more issuances under cProfile, the top functions printed on stderr."""
    from yiwang.licences.rendering import render_pdf

    identifiers = [issue_one(world).identifier for _ in range(2)]
    count, started = 0, time.perf_counter()
    deadline = started + seconds
    while time.perf_counter() < deadline:
        identifiers.append(issue_one(world).identifier)
        count += 1
    elapsed = time.perf_counter() - started
    if profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.runcall(lambda: [issue_one(world) for _ in range(20)])
        pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(40)
    from yiwang.licences.models import Licence

    last = Licence.objects.select_related("licence_type", "issuer").get(identifier=identifiers[-1])
    return count / elapsed, identifiers, best_rate(lambda: render_pdf(last), min(seconds, 3))


def _issuer_process(world, seconds: float, start_at: float, out) -> None:
    """One issuing process (forked): its own database connection, issuing until the deadline."""
    from django.db import connections

    connections.close_all()  # never share the parent's socket
    while time.time() < start_at:
        time.sleep(0.001)
    count, deadline = 0, start_at + seconds
    while time.time() < deadline:
        issue_one(world)
        count += 1
    connections.close_all()
    out.put(count)


def parallel_issuance_rate(world, seconds: float, processes: int) -> float:
    """Licences per second issued by ``processes`` processes at once (same type, same seal:
    they share the serial counter, the seal and the audit chain, as a county's workers do)."""
    import multiprocessing

    from django.db import connections

    connections.close_all()
    context = multiprocessing.get_context("fork")
    out = context.Queue()
    start_at = time.time() + 1.0
    workers = [
        context.Process(target=_issuer_process, args=(world, seconds, start_at, out))
        for _ in range(processes)
    ]
    for worker in workers:
        worker.start()
    total = sum(out.get(timeout=seconds + 120) for _ in workers)
    for worker in workers:
        worker.join()
        if worker.exitcode != 0:
            raise RuntimeError(f"an issuing process failed (exit {worker.exitcode})")
    return total / seconds


# --- (3): the table at size, and the page over HTTP -----------------------------------------------


def fill(total: int, template_identifier: str) -> float:
    """Grow the licence table to ``total`` rows from one issued row (distinct identifiers,
    serials and numbers; everything else, the metadata JSON and signature included, as the
    template's), each with an issue event; seconds taken."""
    from django.db import connection

    from yiwang.licences.models import Licence, LicenceEvent

    template = Licence.objects.get(identifier=template_identifier)
    event = template.events.order_by("id").first()
    missing = total - Licence.objects.count()
    if missing <= 0:
        return 0.0
    prefix = template_identifier.rsplit(".", 3)[0] + "."
    # Serials far above the issued ones, so no identifier can collide with a genuine one.
    varied = {
        "identifier": "%(prefix)s || lpad(g::text, 7, '0') || '.001.F'",
        "serial": "lpad(g::text, 7, '0')",
        "number": "'F' || g::text",
        "previous_id": "NULL",
        "document": "''",
        "document_sm3": "''",
    }
    columns = [f.column for f in Licence._meta.concrete_fields if not f.primary_key]
    select = ", ".join(varied.get(c, f't."{c}"') for c in columns)
    names = ", ".join(f'"{c}"' for c in columns)
    insert = (
        f"INSERT INTO {Licence._meta.db_table} ({names}) "
        f"SELECT {select} FROM generate_series(%(first)s, %(last)s) AS g, "
        f"{Licence._meta.db_table} AS t WHERE t.id = %(template)s"
    )
    event_columns = [f.column for f in LicenceEvent._meta.concrete_fields if not f.primary_key]
    event_names = ", ".join(f'"{c}"' for c in event_columns)
    event_select = ", ".join("l.id" if c == "licence_id" else f'e."{c}"' for c in event_columns)
    started = time.perf_counter()
    first_new = 2_000_000
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT coalesce(max(id), 0) FROM {Licence._meta.db_table}")
        last_genuine = cursor.fetchone()[0]
        for offset in range(0, missing, FILL_BATCH):
            size = min(FILL_BATCH, missing - offset)
            cursor.execute(
                insert,
                {
                    "prefix": prefix,
                    "first": first_new + offset,
                    "last": first_new + offset + size - 1,
                    "template": template.pk,
                },
            )
            log(f"    {offset + size:,} of {missing:,} rows")
        cursor.execute(
            f"INSERT INTO {LicenceEvent._meta.db_table} ({event_names}) "
            f"SELECT {event_select} FROM {Licence._meta.db_table} AS l, "
            f"{LicenceEvent._meta.db_table} AS e WHERE l.id > %s AND e.id = %s",
            [last_genuine, event.pk],
        )
        for table in (Licence._meta.db_table, LicenceEvent._meta.db_table):
            cursor.execute(f"VACUUM ANALYZE {table}")
    return time.perf_counter() - started


def page_statements(identifier: str) -> list[str]:
    """The SQL of one anonymous verify request (in-process, a warm process: key cached)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.get(f"/verify/{identifier}")  # the first also caches the seal's public key
    with CaptureQueriesContext(connection) as captured:
        answer = client.get(f"/verify/{identifier}")
    if answer.status_code != 200 or 'data-valid="true"' not in answer.content.decode():
        raise RuntimeError(f"/verify/{identifier} answered {answer.status_code}, not valid")
    return [q["sql"] for q in captured.captured_queries]


def profile_page(identifiers: list[str], requests: int = 200) -> None:
    """cProfile ``requests`` in-process verify requests (``--profile``), top functions on stderr."""
    import cProfile
    import pstats

    from django.test import Client

    client = Client()
    profiler = cProfile.Profile()
    profiler.runcall(
        lambda: [
            client.get(f"/verify/{identifiers[i % len(identifiers)]}") for i in range(requests)
        ]
    )
    pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(45)


def http_load(args, server, path_template: str, keys: list[str]) -> dict:
    cfg = {
        "host": "127.0.0.1",
        "port": server.port,
        "seconds": args.seconds,
        "warmup": args.warmup,
        "concurrency": args.concurrency,
        "keys": keys,
        "path_template": path_template,
    }
    done = subprocess.run(
        [R.PYTHON, str(ROOT / "bench/exchange_loadgen.py")],
        input=json.dumps(cfg),
        capture_output=True,
        text=True,
        check=True,
        timeout=args.seconds + args.warmup + 120,
    )
    figures = json.loads(done.stdout)
    bad = {k: v for k, v in figures["statuses"].items() if k != "200"}
    if bad or figures["error_count"]:
        raise RuntimeError(f"{path_template}: {figures} {server.log_tail()}")
    return figures


# --- main ----------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--licences", type=int, default=None, help="rows (default 1,000,000)")
    parser.add_argument("--quick", action="store_true", help="20,000 licences, 4 s per measurement")
    parser.add_argument("--seconds", type=float, default=None, help="per measurement (10)")
    parser.add_argument("--warmup", type=float, default=2)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument(
        "--issuers",
        type=int,
        default=4,
        help="processes issuing at once in (2) (4: the gunicorn workers docs/dev/operations.md runs)",
    )
    parser.add_argument(
        "--database-url", default=os.environ.get("BENCH_LICENCES_DATABASE_URL", DEFAULT_DB)
    )
    parser.add_argument("--keep-db", action="store_true", help="keep the database afterwards")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="cProfile 20 issuances and 200 in-process verify requests (top functions on stderr)",
    )
    parser.add_argument("--out", default="", help="also write the figures to this JSON file")
    args = parser.parse_args()
    args.licences = args.licences or (20_000 if args.quick else 1_000_000)
    args.seconds = args.seconds or (4.0 if args.quick else 10.0)

    tmp = Path(tempfile.mkdtemp(prefix="yiwang-bench-licences-"))
    env = {
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": args.database_url,
        "BENCH_MEDIA_ROOT": str(tmp / "media"),
        "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13"),
    }
    os.environ.update(env)
    cfg = R._db_params(args.database_url)
    log(f"creating database {cfg['NAME']}")
    R.recreate_database(cfg)
    import django

    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection

    from yiwang.licences.models import Licence

    results: dict = {"licences": args.licences}
    server = None
    try:
        cache.clear()
        log("migrating and building the county")
        call_command("migrate", verbosity=0, interactive=False)
        world = build_world()

        log("(2) issuance")
        per_second, identifiers, renders = issuance_rate(world, args.seconds, args.profile)
        results["issuance"] = {
            "per_second": per_second,
            "issued": len(identifiers),
            "pdf_renders_per_second": renders,
        }
        log(
            f"    {per_second:.1f} licences/s ({len(identifiers)} issued), PDF alone {renders:.1f}/s"
        )
        log(f"(2) issuance by {args.issuers} processes at once")
        parallel = parallel_issuance_rate(world, args.seconds, args.issuers)
        results["issuance"]["parallel_per_second"] = parallel
        results["issuance"]["processes"] = args.issuers
        log(f"    {parallel:.1f} licences/s")

        log("(1) signed metadata verification in-process")
        licence = Licence.objects.select_related("licence_type", "issuer").get(
            identifier=identifiers[-1]
        )
        rates = crypto_rates(licence, args.seconds)
        results["crypto"] = rates
        results["issuance"]["raw_sign_per_second"] = rates["raw_sign"]
        log(f"    {rates}")

        log(f"(3) filling the licence table to {args.licences:,} rows")
        results["fill_seconds"] = fill(args.licences, identifiers[0])
        results["rows"] = Licence.objects.count()
        statements = page_statements(identifiers[-1])
        results["page_statements"] = statements
        log(f"    {results['fill_seconds']:.1f} s; {len(statements)} statements per verify page")
        if args.profile:
            profile_page(identifiers)

        connection.close()
        server = R.Server({**os.environ, **env}, args.workers, args.threads, tmp)
        server.wait_ready()
        log("(3) baseline GET /healthz")
        baseline = http_load(args, server, "/healthz", ["-"])
        log(f"    {baseline}")
        log("(3) GET /verify/<identifier>")
        page = http_load(args, server, "/verify/{key}", identifiers)
        log(f"    {page}")
        results["http"] = {"baseline": baseline, "verify": page}
    finally:
        if server is not None:
            server.stop()
        connection.close()
        if args.keep_db:
            log(f"kept database {cfg['NAME']}; media in {tmp}")
        else:
            R.drop_database(cfg)
            shutil.rmtree(tmp, ignore_errors=True)  # the stored PDFs, the gunicorn log
    if args.out:
        Path(args.out).write_text(json.dumps(results, indent=2, ensure_ascii=False, default=str))
    report(results, args)
    return 0


def report(r: dict, args) -> None:
    c, i, h = r["crypto"], r["issuance"], r["http"]
    print(f"\nE-licence benchmark, {r['rows']:,} licences on PostgreSQL, {args.seconds:g} s each")
    print(
        f"(1) signed-metadata verification {c['metadata_verify']:>9,.0f}/s   raw SM2 verify"
        f" {c['raw_verify']:>7,.0f}/s   ratio {c['metadata_verify'] / c['raw_verify']:.2f}"
        "   (targets ≥ 1,000/s, ratio ≥ 0.5)"
    )
    print(
        f"(2) issuance incl. PDF           {i['per_second']:>9,.1f}/s   raw SM2 sign"
        f"   {i['raw_sign_per_second']:>7,.0f}/s   ratio {i['per_second'] / i['raw_sign_per_second']:.3f}"
        f"   (target ≥ 50/s; PDF rendering alone {i['pdf_renders_per_second']:,.1f}/s)"
    )
    print(
        f"    issuance by {i['processes']} processes at once {i['parallel_per_second']:>7,.1f}/s"
        f"   ratio to one process {i['parallel_per_second'] / i['per_second']:.2f}"
    )
    v, b = h["verify"], h["baseline"]
    print(
        f"(3) GET /verify/<id>, {args.concurrency} clients  {v['per_second']:>7,.0f} req/s"
        f"  p50 {v['p50_ms']:.1f} ms  p99 {v['p99_ms']:.1f} ms   baseline /healthz"
        f" {b['per_second']:,.0f} req/s p50 {b['p50_ms']:.1f} ms p99 {b['p99_ms']:.1f} ms"
        f"   ratio {v['per_second'] / b['per_second']:.2f}"
    )
    print(
        f"    table filled in {r['fill_seconds']:.1f} s; {len(r['page_statements'])} SQL statements"
        " per verify request:"
    )
    for sql in r["page_statements"]:
        print(f"      {sql[:150]}")


if __name__ == "__main__":
    sys.exit(main())
