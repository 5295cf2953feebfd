"""Back-office pages of e-seals, under /seals/:

- ``/`` the seals the user manages (department, name, kind, picture, current key, retired keys);
- ``new/`` a new seal (its first key pair is made with it);
- ``<pk>/`` a seal: picture, current public key, key history, recent signatures;
- ``<pk>/image.png`` the picture (only for those who manage the seal);
- ``<pk>/image/`` upload the official picture or go back to the generated one;
- ``<pk>/rotate/`` and ``<pk>/deactivate/``: a confirmation page, then the POST.

For a department's administrators (their department's seals) and the platform administrators
(all); everyone else gets 403.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext

from yiwang.accounts.forms import attach_errors
from yiwang.web.params import MAX_ID

from . import actions, queries
from .forms import DeactivateForm, ImageForm, RotateForm, SealForm
from .models import Seal
from .permissions import require_manager, uses_back_office

PAGE_SIZE = 30


def _back_office(request: HttpRequest) -> None:
    if not uses_back_office(request.user):
        raise PermissionDenied(
            gettext("E-seals are managed by department administrators and platform administrators.")
        )


def _seal(request: HttpRequest, pk: int) -> Seal:
    _back_office(request)
    seal = (
        Seal.objects.select_related("department", "department__region").filter(pk=pk).first()
        if pk <= MAX_ID
        else None
    )
    if seal is None:
        raise Http404(gettext("No such seal."))
    require_manager(request.user, seal.department)
    return seal


@login_required
def index(request: HttpRequest) -> HttpResponse:
    _back_office(request)
    page = Paginator(queries.visible_seals(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "seals/index.html", {"page_obj": page, "seals": page.object_list})


@login_required
def create(request: HttpRequest) -> HttpResponse:
    _back_office(request)
    posted = request.method == "POST"
    form = SealForm(
        request.POST if posted else None, request.FILES if posted else None, user=request.user
    )
    status = 200
    if posted:
        if form.is_valid():
            data = form.cleaned_data
            try:
                seal = actions.create_seal(
                    actor=request.user,
                    department=data["department"],
                    name=data["name"],
                    kind=data["kind"],
                    image=data["image"],
                )
            except ValidationError as error:
                attach_errors(form, error)
            else:
                messages.success(
                    request,
                    gettext("The seal %(name)s is created with its first key.")
                    % {"name": seal.name},
                )
                return redirect("seals:detail", pk=seal.pk)
        status = 400
    return render(request, "seals/create.html", {"form": form}, status=status)


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    seal = _seal(request, pk)
    keys = queries.keys_of(seal)
    return render(
        request,
        "seals/detail.html",
        {
            "seal": seal,
            "keys": keys,
            "current": next((k for k in keys if k.current), None),
            "retired": sum(1 for k in keys if not k.current),
            "signatures": queries.recent_signatures(seal),
        },
    )


@login_required
def image(request: HttpRequest, pk: int) -> FileResponse:
    seal = _seal(request, pk)
    try:
        handle = default_storage.open(seal.image.name or "", "rb")
    except (OSError, ValueError) as exc:
        raise Http404(gettext("The seal's image file is missing.")) from exc
    response = FileResponse(handle, content_type="image/png")
    # The URL stays while the picture changes: revalidate, and keep it out of shared caches.
    response["Cache-Control"] = "private, no-cache"
    response["ETag"] = f'"{seal.image_sha256}"'
    return response


@login_required
def replace_image(request: HttpRequest, pk: int) -> HttpResponse:
    seal = _seal(request, pk)
    posted = request.method == "POST"
    form = ImageForm(request.POST if posted else None, request.FILES if posted else None)
    status = 200
    if posted:
        form.is_valid()  # binds cleaned_data; the action does the checking
        generated = request.POST.get("use") == "generated"
        upload = request.FILES.get("image")
        if not generated and upload is None:
            form.add_error("image", gettext("Choose the PNG file of the official seal."))
        else:
            try:
                actions.replace_image(
                    actor=request.user, seal=seal, image=None if generated else upload
                )
            except ValidationError as error:
                attach_errors(form, error)
            else:
                messages.success(request, gettext("The seal's image is replaced."))
                return redirect("seals:detail", pk=seal.pk)
        status = 400
    return render(request, "seals/image.html", {"seal": seal, "form": form}, status=status)


@login_required
def rotate(request: HttpRequest, pk: int) -> HttpResponse:
    seal = _seal(request, pk)
    form = RotateForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                key = actions.rotate_key(
                    actor=request.user, seal=seal, reason=form.cleaned_data["reason"]
                )
            except ValidationError as error:
                attach_errors(form, error)
            else:
                messages.success(
                    request,
                    gettext("The key is rotated: the seal now signs with key %(key)s.")
                    % {"key": key.key_id},
                )
                return redirect("seals:detail", pk=seal.pk)
        status = 400
    return render(request, "seals/rotate.html", {"seal": seal, "form": form}, status=status)


@login_required
def deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    seal = _seal(request, pk)
    form = DeactivateForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                actions.deactivate_seal(
                    actor=request.user, seal=seal, reason=form.cleaned_data["reason"]
                )
            except ValidationError as error:
                attach_errors(form, error)
            else:
                messages.success(
                    request, gettext("The seal %(name)s is deactivated.") % {"name": seal.name}
                )
                return redirect("seals:detail", pk=seal.pk)
        status = 400
    return render(request, "seals/deactivate.html", {"seal": seal, "form": form}, status=status)
