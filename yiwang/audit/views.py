"""The auditor's view of the audit trail: filter, page back in time, verify the chain."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from yiwang.gmcrypto.core import MissingKeyError

from .actions import verify
from .forms import AuditFilterForm
from .models import AuditEntry

PAGE_SIZE = 50


@login_required
@require_http_methods(["GET", "POST"])
def log(request: HttpRequest) -> HttpResponse:
    """Newest entries first, keyset-paginated by ``seq`` (``?before=<seq>`` = older page).

    POST runs a full chain verification (every break, checkpoints included) and shows its
    result above the list.
    """
    if not request.user.has_perm("audit.view_log"):  # granted by orgs (auditor posts)
        raise PermissionDenied(
            _("Only auditors can read the audit log. Ask the data authority for an auditor post.")
        )

    verification, key_missing = None, False
    if request.method == "POST":
        try:
            verification = verify()
        except MissingKeyError:
            key_missing = True

    form = AuditFilterForm(request.GET or None)
    entries: list[AuditEntry] = []
    older_query = ""
    if not form.is_bound or form.is_valid():
        qs = form.filter(AuditEntry.objects.select_related("actor").order_by("-seq"))
        entries = list(qs[: PAGE_SIZE + 1])
        if len(entries) > PAGE_SIZE:
            entries = entries[:PAGE_SIZE]
            params = request.GET.copy() if form.is_bound else QueryDict(mutable=True)
            params["before"] = str(entries[-1].seq)
            older_query = params.urlencode()
    newest_query = ""
    if form.is_bound:
        params = request.GET.copy()
        params.pop("before", None)
        newest_query = params.urlencode()
    return render(
        request,
        "audit/log.html",
        {
            "form": form,
            "entries": entries,
            "older_query": older_query,
            "newest_query": newest_query,
            "is_older_page": bool(request.GET.get("before")),
            "verification": verification,
            "key_missing": key_missing,
            "page_size": PAGE_SIZE,
        },
        status=200 if not form.errors else 400,
    )
