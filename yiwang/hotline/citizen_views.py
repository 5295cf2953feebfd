"""The citizens' pages of the 12345 hotline: the public report form (logged in, or with an
SMS-verified mobile number), its verification code, and the citizen's own tickets."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yiwang.accounts.forms import CaptchaForm

from . import verification
from .forms import PublicForm, apply_errors, register_from
from .models import Channel, PhotoStage, Ticket


def report(request: HttpRequest) -> HttpResponse:
    """The public form: a logged-in citizen, or anyone with an SMS-verified mobile phone."""
    user = request.user
    logged_in = user.is_authenticated and getattr(user, "kind", "") != "staff"
    form = PublicForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if logged_in:
                actor, phone, name = user, "", ""
            else:
                phone = verification.verify_code(data["phone"], data["code"])
                actor, name = None, data["name"]
            result = register_from(
                form,
                request,
                actor=actor,
                channel=Channel.WEB,
                caller_name=name,
                caller_phone=phone,
                anonymous=not logged_in and not name,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return render(request, "hotline/report_done.html", {"ticket": result.ticket})
    return render(
        request,
        "hotline/report.html",
        {"form": form, "logged_in": logged_in, "code_form": CaptchaForm(prefix=CODE_CAPTCHA)},
    )


# The CAPTCHA that guards "send code" (its own prefix: the report itself does not need it).
CODE_CAPTCHA = "code"


@require_POST
def report_code(request: HttpRequest) -> HttpResponse:
    """Text a verification code to the phone given in the public form (htmx or plain POST).

    The CAPTCHA comes first (a wrong answer sends and counts nothing); the per-address,
    per-number and daily caps are applied by ``verification.send_code``.
    """
    code_form = CaptchaForm(request.POST, prefix=CODE_CAPTCHA)
    if not code_form.is_valid():
        status, text = 400, " ".join(str(e) for e in code_form.errors["captcha"])
    else:
        try:
            verification.send_code(request.POST.get("phone", ""))
        except ValidationError as exc:
            status, text = 400, " ".join(exc.messages)
        else:
            status, text = 200, _("A 6-digit code has been sent; it is valid for 5 minutes.")
    if request.headers.get("HX-Request"):
        return render(
            request,
            "hotline/_code_status.html",
            # The picture was used up: the fragment brings a new one (out of band).
            {"text": text, "ok": status == 200, "code_form": CaptchaForm(prefix=CODE_CAPTCHA)},
            status=status,
        )
    (messages.success if status == 200 else messages.error)(request, text)
    return redirect(reverse("hotline:report"))


def mine(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect(f"{reverse('accounts:login')}?next={request.path}")
    rows = list(
        Ticket.objects.filter(citizen=request.user)
        .select_related("category", "lead_department")
        .order_by("-created_at")[:100]
    )
    return render(request, "hotline/mine.html", {"rows": rows})


def mine_detail(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect(f"{reverse('accounts:login')}?next={request.path}")
    ticket = get_object_or_404(
        Ticket.objects.select_related("category", "lead_department"),
        pk=pk,
        citizen=request.user,
    )
    photos = ticket.photos.filter(stage=PhotoStage.REPORT)
    return render(request, "hotline/mine_detail.html", {"ticket": ticket, "photos": photos})
