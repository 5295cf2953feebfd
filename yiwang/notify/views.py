"""The user's inbox (消息中心)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from . import actions
from .models import Message

if TYPE_CHECKING:
    # Annotations only: notify sits below accounts in the layers, so no run-time import.
    from yiwang.accounts.typing import AuthenticatedRequest

PAGE_SIZE = 20


def _inbox_url(page: str | None) -> str:
    url = reverse("notify:inbox")
    if page and page.isascii() and page.isdigit() and page != "1":
        url += f"?page={page}"
    return url


@login_required
def inbox(request: AuthenticatedRequest) -> HttpResponse:
    qs = Message.objects.filter(recipient=request.user).order_by("-created_at", "-id")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    unread = Message.objects.filter(recipient=request.user, read_at__isnull=True).count()
    return render(request, "notify/inbox.html", {"page": page, "unread": unread})


@login_required
@require_POST
def read(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Mark one notice read; with ``open`` in the form, continue to the notice's link."""
    message = get_object_or_404(Message, pk=pk, recipient=request.user)
    actions.mark_read(actor=request.user, message=message)
    if (
        "open" in request.POST
        and message.link
        and url_has_allowed_host_and_scheme(
            message.link, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return redirect(message.link)
    return redirect(_inbox_url(request.POST.get("page")))


@login_required
@require_POST
def read_all(request: AuthenticatedRequest) -> HttpResponse:
    count = actions.mark_all_read(actor=request.user)
    if count:
        flash.success(
            request,
            ngettext("%(count)d notice marked as read.", "%(count)d notices marked as read.", count)
            % {"count": count},
        )
    else:
        flash.info(request, _("There were no unread notices."))
    return redirect(_inbox_url(request.POST.get("page")))
