"""一网共享 benchmark on PostgreSQL: a 1,000,000-row 人口 resource.

    .venv/bin/python bench/datahub.py            # 1,000,000 rows (about 15 minutes)
    .venv/bin/python bench/datahub.py --quick    # 50,000 rows: checks that the script works

Creates a fresh database, migrates, loads the demo (人口基础信息 is published by 公安局 and
民政局 holds a grant for two of its fields), writes a CSV of ``--rows`` people with valid ID
numbers, then measures, each against a baseline measured in the same run:

(b) ingestion: the CSV through the product's upload path (``start_ingestion``: reading,
    header mapping, conversion and validation of every value, SM4 encryption of the ID
    number with its blind index, upsert by key) against PostgreSQL ``COPY`` of the same file
    into a plain table. Targets: ≥ 20,000 rows/s and a ratio ≥ 0.2. Then the same file
    again (every key looked up in the full table, every row unchanged): no target.
(c) a quality run over the rows (eight rules: the suggested ones and five more, see
    bench/quality_run.py) — target < 60 s.
(a) exchange API key lookups with full governance (signature check, grant check, projection,
    masking, quota, evidence log) served by gunicorn, against the same lookups through
    ``bench/datahub_baseline.py`` (the hub read alone), same server, same load generator,
    in interleaved rounds (``--rounds`` of ``--seconds``; the best round of each counts).
    Targets: ≥ 300 lookups/s and a ratio ≥ 0.5.

Also asserted: a page of the exchange list API issues a fixed number of statements whatever
its size (no per-row queries). Exits non-zero only when something failed, never because a
target was missed. Figures: bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import run as R

ROOT = R.ROOT
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/yiwang_bench_datahub"
FIELDS = ["id_number", "real_name"]  # the demo grant's fields
log = R.log


def copy_baseline(csv_path: Path) -> float:
    """Seconds for PostgreSQL ``COPY`` of the file into a plain table of the same columns."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_people_copy")
        cursor.execute(
            "CREATE TABLE bench_people_copy (id_number text primary key, real_name text,"
            " sex text, ethnicity text, birth_date date, domicile text, household_status text)"
        )
        started = time.perf_counter()
        with (
            csv_path.open("rb") as handle,
            cursor.cursor.copy(
                "COPY bench_people_copy FROM STDIN WITH (FORMAT csv, HEADER)"
            ) as copy,
        ):
            while block := handle.read(1 << 20):
                copy.write(block)
        elapsed = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_people_copy")
    return elapsed


def ingest(csv_path: Path, resource, actor) -> tuple[float, dict]:
    from django.core.files.uploadedfile import UploadedFile

    from yiwang.datahub import actions
    from yiwang.datahub.models import Ingestion

    started = time.perf_counter()
    with csv_path.open("rb") as handle:
        upload = UploadedFile(
            handle, name="人口.csv", content_type="text/csv", size=csv_path.stat().st_size
        )
        job = actions.start_ingestion(actor=actor, resource=resource, upload=upload)
    elapsed = time.perf_counter() - started  # the immediate backend ran the job inline
    job = Ingestion.objects.get(pk=job.pk)
    counts = {
        "status": job.status,
        "rows_read": job.rows_read,
        "created": job.created,
        "updated": job.updated,
        "unchanged": job.unchanged,
        "failed": job.failed,
        "message": job.message,
    }
    return elapsed, counts


def quality(resource, actor) -> tuple[float, dict]:
    from bench.quality_run import add_rules
    from yiwang.quality import actions
    from yiwang.quality.models import QualityRun

    add_rules(resource, actor)
    started = time.perf_counter()
    run = actions.request_run(actor=actor, resource=resource)  # inline (immediate backend)
    elapsed = time.perf_counter() - started
    run = QualityRun.objects.get(pk=run.pk)
    return elapsed, {"status": run.status, "rows": run.rows_checked, "score": run.score}


def sample_keys(csv_path: Path, n: int) -> list[str]:
    rng = random.Random(7)
    keys = []
    with csv_path.open(encoding="utf-8") as handle:
        next(handle)
        for line in handle:
            if rng.random() < 0.02:
                keys.append(line.split(",", 1)[0])
            if len(keys) >= n:
                break
    rng.shuffle(keys)
    return keys


def list_statements(client_id: str, secret: str, code: str, host: str) -> dict[int, int]:
    """Statements per page size of the list API (asserted constant: no per-row queries)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from yiwang.exchange.client import ExchangeClient

    signer = ExchangeClient(host, client_id, secret)
    counts = {}
    for limit in (5, 5, 100):  # the first call also opens the day's evidence chain
        path = f"/api/v1/exchange/resources/{code}/rows"
        params = {"fields": ",".join(FIELDS), "limit": str(limit)}
        headers = signer.signed_headers("GET", path, params)
        with CaptureQueriesContext(connection) as captured:
            answer = Client().get(path, params, headers=headers)
        assert answer.status_code == 200, answer.content[:300]
        assert len(answer.json()["rows"]) == limit
        counts[limit] = len(captured.captured_queries)
    assert counts[5] == counts[100], f"statements grow with the page size: {counts}"
    return counts


def lookups(args, server, cfg: dict) -> dict:
    cfg = {
        "host": "127.0.0.1",
        "port": server.port,
        "seconds": args.seconds,
        "warmup": 2,
        "concurrency": args.concurrency,
        **cfg,
    }
    done = subprocess.run(
        [R.PYTHON, str(ROOT / "bench/exchange_loadgen.py")],
        input=json.dumps(cfg),
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--quick", action="store_true", help="50,000 rows, 5 s per measurement")
    parser.add_argument("--seconds", type=int, default=10, help="per round of (a)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of (a), interleaved")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB))
    parser.add_argument("--out", default="", help="also write the figures to this JSON file")
    args = parser.parse_args()
    if args.quick:
        args.rows, args.seconds, args.rounds = 50_000, 5, 1

    tmp = Path(tempfile.mkdtemp(prefix="yiwang-bench-datahub-"))
    env = {
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": args.database_url,
        "BENCH_MEDIA_ROOT": str(tmp / "media"),
        "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13"),
        # The rate limit stays on (it is checked on every call) but above what one machine
        # can send, and the upload limit fits a million rows.
        "YIWANG_EXCHANGE_RATE": "1000000",
        "YIWANG_INGESTION_MAX_BYTES": str(1 << 30),
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

    from yiwang.accounts.models import User
    from yiwang.datahub.ingestion.samples import write_people_csv
    from yiwang.datahub.models import Grant, Resource
    from yiwang.demo.loader import load_demo
    from yiwang.exchange import actions as exchange

    results: dict = {"rows": args.rows}
    server = None
    try:
        cache.clear()
        log("migrating and loading the demo")
        call_command("migrate", verbosity=0, interactive=False)
        load_demo()
        resource = Resource.objects.get(name="人口基础信息")
        provider_admin = User.objects.get(username="admin_gaj")
        consumer_admin = User.objects.get(username="admin_mzj")

        csv_path = write_people_csv(tmp / "people.csv", args.rows, seed=11)
        log(f"{args.rows:,} rows written to {csv_path} ({csv_path.stat().st_size / 1e6:.0f} MB)")

        copy_s = copy_baseline(csv_path)
        log(f"(b) COPY baseline: {copy_s:.1f} s")
        ingest_s, counts = ingest(csv_path, resource, provider_admin)
        log(f"(b) ingestion: {ingest_s:.1f} s {counts}")
        assert counts["status"] == "done" and counts["failed"] == 0, counts
        results["ingestion"] = {
            "seconds": ingest_s,
            "rows_per_second": args.rows / ingest_s,
            "copy_seconds": copy_s,
            "copy_rows_per_second": args.rows / copy_s,
            "ratio": copy_s / ingest_s,
            "counts": counts,
        }
        with connection.cursor() as cursor:
            cursor.execute(f'VACUUM ANALYZE "hub_r{resource.code}"')

        quality_s, outcome = quality(resource, provider_admin)
        log(f"(c) quality run: {quality_s:.1f} s {outcome}")
        results["quality"] = {"seconds": quality_s, **outcome}

        consumer = consumer_admin.posts.filter(active=True).first().department
        grant = Grant.objects.get(resource=resource, consumer=consumer, status="active")
        # One run sends more lookups than the demo grant's daily quota allows: the bench
        # raises the quota (the check itself still runs on every call).
        Grant.objects.filter(pk=grant.pk).update(daily_quota=100_000_000)
        issued = exchange.issue_credentials(actor=consumer_admin, grant=grant)
        keys = sample_keys(csv_path, 5000)
        results["list_statements"] = list_statements(
            issued.credential.client_id, issued.secret, resource.code, "http://testserver"
        )

        with connection.cursor() as cursor:
            # The load's writes are flushed now, not during one of the two measurements.
            cursor.execute("CHECKPOINT")
        connection.close()
        server = R.Server({**os.environ, **env}, args.workers, args.threads, tmp)
        server.wait_ready()
        base = {"keys": keys, "fields": FIELDS}
        plain = {**base, "path_template": f"/bench/datahub/lookup/{resource.code}/{{key}}/"}
        signed = {
            **base,
            "signed": True,
            "client_id": issued.credential.client_id,
            "secret": issued.secret,
            "path_template": f"/api/v1/exchange/resources/{resource.code}/rows/{{key}}",
        }
        # Interleaved rounds, the best of each side counting: this machine's speed drifts by
        # a quarter over minutes, which one long round of each would count as a difference.
        rounds: dict[str, list[dict]] = {"baseline": [], "governed": []}
        for number in range(1, args.rounds + 1):
            for name, calls in (("baseline", plain), ("governed", signed)):
                figures = lookups(args, server, calls)
                log(f"(a) round {number}, {name}: {figures}")
                rounds[name].append(figures)
        baseline, governed = (
            max(rounds[name], key=lambda f: f["per_second"]) for name in ("baseline", "governed")
        )
        baseline = {**baseline, "rounds": [f["per_second"] for f in rounds["baseline"]]}
        governed = {**governed, "rounds": [f["per_second"] for f in rounds["governed"]]}
        for name, figures in (("baseline", baseline), ("governed", governed)):
            bad = {k: v for k, v in figures["statuses"].items() if k != "200"}
            assert not bad and not figures["error_count"], f"{name}: {figures}"
        results["exchange"] = {
            "baseline": baseline,
            "governed": governed,
            "ratio": governed["per_second"] / baseline["per_second"],
        }
        from yiwang.exchange.models import EvidenceEntry

        results["exchange"]["evidence_entries"] = EvidenceEntry.objects.count()

        server.stop()
        server = None
        # Last, so that it leaves (a) as it was: the same file again, every key looked up
        # in the full table, every row unchanged.
        again_s, again = ingest(csv_path, resource, provider_admin)
        log(f"(b) the same file again: {again_s:.1f} s {again}")
        assert again["status"] == "done" and again["unchanged"] == args.rows, again
        results["ingestion"]["again_seconds"] = again_s
        results["ingestion"]["again_rows_per_second"] = args.rows / again_s
    finally:
        if server is not None:
            server.stop()
        connection.close()
        R.drop_database(cfg)
    if args.out:
        Path(args.out).write_text(json.dumps(results, indent=2, ensure_ascii=False, default=str))
    report(results)
    return 0


def report(r: dict) -> None:
    i, q, x = r["ingestion"], r["quality"], r["exchange"]
    print(f"\n一网共享 benchmark, {r['rows']:,} rows of 人口 on PostgreSQL")
    print(
        f"(b) ingestion  {i['rows_per_second']:>10,.0f} rows/s   COPY {i['copy_rows_per_second']:>10,.0f}"
        f" rows/s   ratio {i['ratio']:.2f}   (targets ≥ 20,000 rows/s, ratio ≥ 0.2)"
    )
    print(
        f"    the same file again (all unchanged) {i['again_rows_per_second']:>10,.0f} rows/s"
        "   (no target)"
    )
    print(f"(c) quality run {q['seconds']:>9.1f} s   score {q['score']}   (target < 60 s)")
    g, b = x["governed"], x["baseline"]
    print(
        f"(a) exchange   {g['per_second']:>10,.0f} lookups/s p99 {g['p99_ms']:.1f} ms   baseline"
        f" {b['per_second']:,.0f}/s p99 {b['p99_ms']:.1f} ms   ratio {x['ratio']:.2f}"
        "   (targets ≥ 300/s, ratio ≥ 0.5)"
    )
    print(
        "    best of interleaved rounds; all rounds (lookups/s): governed "
        + ", ".join(f"{v:,.0f}" for v in g["rounds"])
        + "; baseline "
        + ", ".join(f"{v:,.0f}" for v in b["rounds"])
    )
    print(f"    list API statements per page (5 rows, 100 rows): {r['list_statements']}")


if __name__ == "__main__":
    sys.exit(main())
