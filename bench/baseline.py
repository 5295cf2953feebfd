"""Baseline views: the floor the real views are compared with, in the same server.

* ``submit``: parses the same multipart POST (login and CSRF required, like the real
  view), then performs as many INSERT/UPDATE statements as a real submission makes, in
  one transaction, through the ORM (``BenchWrite.objects.create`` / ``.update``), and
  redirects. No validation, no audit chain, no files, no reads.
* ``submit_sql``: the same with plain SQL through a cursor (the floor under Django).
* ``inbox``: runs the workbench inbox's list query for the logged-in user (the same
  SQL, built once per user from ``yiwang.cases.queries``) and returns the rows as
  JSON. No template, no paginator count, no ORM model instances.
"""

from __future__ import annotations

import json
import os

from django.contrib.auth.decorators import login_required
from django.db import connection, transaction
from django.db.models import F
from django.http import HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from .models import BenchWrite
from .world import BENCH_TABLE

_INBOX_SQL: dict[int, tuple[str, tuple]] = {}


def _write_counts() -> tuple[int, int]:
    return int(os.environ.get("BENCH_INSERTS", "8")), int(os.environ.get("BENCH_UPDATES", "3"))


def _payload(request, item_pk: int) -> tuple[str, dict]:
    data, files = request.POST, request.FILES  # parse the multipart body like the real view
    form = {k: data.get(k, "") for k in data if k != "csrfmiddlewaretoken"}
    return data.get("submission_key", ""), {
        "item": item_pk,
        "form": form,
        "files": {name: f.size for name, f in files.items()},
    }


@login_required
@require_POST
def submit(request, item_pk: int):
    """The same number of writes through the ORM (an unmanaged model on the bench table)."""
    inserts, updates = _write_counts()
    key, payload = _payload(request, item_pk)
    with transaction.atomic():
        first = BenchWrite.objects.create(ref=key, payload=payload)
        for i in range(1, inserts):
            BenchWrite.objects.create(ref=f"{key}:{i}", payload=payload)
        for _ in range(updates):
            BenchWrite.objects.filter(pk=first.pk).update(n=F("n") + 1)
    return redirect(f"/cases/mine/?ref={first.pk}")


@login_required
@require_POST
def submit_sql(request, item_pk: int):
    """The same number of writes as plain SQL through a cursor: the floor."""
    inserts, updates = _write_counts()
    key, payload = _payload(request, item_pk)
    body = json.dumps(payload, ensure_ascii=False)
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            f"INSERT INTO {BENCH_TABLE} (ref, payload) VALUES (%s, %s) RETURNING id", [key, body]
        )
        row_id = cur.fetchone()[0]
        for i in range(1, inserts):
            cur.execute(
                f"INSERT INTO {BENCH_TABLE} (ref, payload) VALUES (%s, %s)", [f"{key}:{i}", body]
            )
        for _ in range(updates):
            cur.execute(f"UPDATE {BENCH_TABLE} SET n = n + 1 WHERE id = %s", [row_id])
    return redirect(f"/cases/mine/?ref={row_id}")


def _inbox_sql(user) -> tuple[str, tuple]:
    cached = _INBOX_SQL.get(user.pk)
    if cached is None:
        from yiwang.cases import queries
        from yiwang.cases.views import PAGE_SIZE

        qs = queries.ordered_for_work(queries.inbox(user))[:PAGE_SIZE]
        cached = _INBOX_SQL[user.pk] = qs.query.sql_with_params()
    return cached


@login_required
def inbox(request):
    sql, params = _inbox_sql(request.user)
    with connection.cursor() as cur:
        cur.execute(sql, params)
        columns = [c[0] for c in cur.description]
        rows = cur.fetchall()
    body = json.dumps({"columns": columns, "rows": rows}, ensure_ascii=False, default=str)
    return HttpResponse(body, content_type="application/json")
