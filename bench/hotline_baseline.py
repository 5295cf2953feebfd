"""Baseline views of the hotline benchmark (``bench/hotline.py``), routed by ``bench/urls.py``.

* ``intake_form``: login required, CSRF checked by the middleware (like ``/hotline/new/``);
  parses the same multipart body, then makes as many INSERTs and UPDATEs as a real agent
  intake (counted once with ``CaptureQueriesContext``, passed in the URL) through the ORM on
  the bench table, in one transaction, and redirects.
* ``intake_open311``: ``api_key`` checked exactly as the Open311 view does
  (``open311.actions.authenticate``), the same urlencoded body parsed, the same number of
  writes, a small JSON answer.
* ``dispatch``: the dispatcher list's query for the logged-in user (the same SQL, built once
  per user from the view's own queryset) executed on a cursor, rows returned as JSON.
"""

from __future__ import annotations

import json

from django.contrib.auth.decorators import login_required
from django.db import connection, transaction
from django.db.models import F
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .models import BenchWrite

_DISPATCH_SQL: dict[int, tuple[str, tuple]] = {}


def _writes(request, inserts: int, updates: int) -> int:
    data = request.POST
    payload = {k: data.get(k, "") for k in data if k not in ("csrfmiddlewaretoken", "api_key")}
    key = data.get("submission_key", "")
    with transaction.atomic():
        first = BenchWrite.objects.create(ref=key, payload=payload)
        for i in range(1, inserts):
            BenchWrite.objects.create(ref=f"{key}:{i}", payload=payload)
        for _ in range(updates):
            BenchWrite.objects.filter(pk=first.pk).update(n=F("n") + 1)
    return first.pk


@login_required
@require_POST
def intake_form(request, inserts: int, updates: int):
    pk = _writes(request, inserts, updates)
    return redirect(f"/hotline/{pk}/")


@csrf_exempt
@require_POST
def intake_open311(request, inserts: int, updates: int):
    from yiwang.hotline.open311 import actions as open311

    client = open311.authenticate(request.POST.get("api_key", ""))
    if client is None:
        return JsonResponse(
            [{"code": 403, "description": "Invalid api_key"}], status=403, safe=False
        )
    pk = _writes(request, inserts, updates)
    return JsonResponse(
        [{"service_request_id": f"bench-{pk}", "service_notice": "", "account_id": None}],
        safe=False,
    )


def dispatch_queryset(user):
    """The queryset ``yiwang.hotline.views.dispatch_list`` runs without filters (first page)."""
    from django.db.models import Case as SqlCase
    from django.db.models import IntegerField, Value, When

    from yiwang.hotline import queries

    qs = (
        queries.list_base(user)
        .filter(status__in=queries.DISPATCH_STATUSES)
        .annotate(
            overdue_first=SqlCase(
                When(deadline_status="overdue", then=Value(0)),
                When(urgent=True, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        )
        .order_by("overdue_first", "due_at", "created_at", "id")
    )
    return qs[: queries.LIST_PAGE_SIZE + 1]


@login_required
def dispatch(request):
    cached = _DISPATCH_SQL.get(request.user.pk)
    if cached is None:
        cached = _DISPATCH_SQL[request.user.pk] = dispatch_queryset(
            request.user
        ).query.sql_with_params()
    sql, params = cached
    with connection.cursor() as cur:
        cur.execute(sql, params)
        columns = [c[0] for c in cur.description]
        rows = cur.fetchall()
    body = json.dumps({"columns": columns, "rows": rows}, ensure_ascii=False, default=str)
    return HttpResponse(body, content_type="application/json")
