"""The search lexicon's back-office pages (/services/manage/lexicon/), for the data authority.

Everyday words and the official words they stand for (狗 → 犬 犬类): listed with filters,
each official word with the number of published items whose name contains it; added,
changed, switched off and on, deleted (administrators' entries only) through
``catalog.lexicon_actions``. Entries of the knowledge base's dialect glossary are shown
read-only with a link to the glossary page.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from yiwang.accounts.typing import AuthenticatedRequest
from yiwang.search.lexicon import MAX_TERM_CHARS
from yiwang.search.models import LexiconEntry, LexiconSource

from . import lexicon_actions
from .models import ServiceItem
from .permissions import is_catalog_authority

PAGE_SIZE = 50
IN_USE_CHOICES = [("", _("All")), ("yes", _("In use")), ("no", _("Switched off"))]


class LexiconFilterForm(forms.Form):
    q = forms.CharField(label=_("Word"), required=False, max_length=50)
    source = forms.ChoiceField(
        label=_("Source"), required=False, choices=[("", _("All")), *LexiconSource.choices]
    )
    active = forms.ChoiceField(label=_("In use"), required=False, choices=IN_USE_CHOICES)


class LexiconEntryForm(forms.Form):
    term = forms.CharField(
        label=_("Everyday word"),
        max_length=MAX_TERM_CHARS,
        help_text=_("What citizens say, e.g. 养狗 or 开网吧: one word, no spaces."),
    )
    official = forms.CharField(
        label=_("Official words"),
        max_length=300,
        help_text=_("The words item names use, separated by spaces, e.g. 犬类 犬只."),
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, term_fixed: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if term_fixed:  # an entry's everyday word is its identity: change the words only
            del self.fields["term"]


def _require_authority(request: HttpRequest) -> None:
    if not is_catalog_authority(request.user):
        raise PermissionDenied(gettext("Only the data authority maintains the search lexicon."))


def _apply_errors(exc: ValidationError, form: forms.Form) -> None:
    if not hasattr(exc, "error_dict"):
        for message in exc.messages:
            form.add_error(None, message)
        return
    for field, errors in exc.message_dict.items():
        for message in errors:
            form.add_error(field if field in form.fields else None, message)


def filtered_entries(form: LexiconFilterForm):
    qs = LexiconEntry.objects.order_by("term", "source", "id")
    data = form.cleaned_data if form.is_valid() else {}
    text = (data.get("q") or "").strip()
    if text:
        qs = qs.filter(Q(term__icontains=text) | Q(official__icontains=text))
    if data.get("source"):
        qs = qs.filter(source=data["source"])
    if data.get("active") in ("yes", "no"):
        qs = qs.filter(active=data["active"] == "yes")
    return qs


def word_reach(entries: list[LexiconEntry]) -> dict[int, list[tuple[str, int]]]:
    """Entry id -> each official word with the number of published items whose name
    contains it: one pass over the published names, whatever the number of entries."""
    names = list(ServiceItem.objects.published().values_list("name", flat=True))
    counts: dict[str, int] = {}
    for word in {w for entry in entries for w in entry.official_words}:
        counts[word] = sum(1 for name in names if word in name)
    return {e.pk: [(w, counts[w]) for w in e.official_words] for e in entries}


@login_required
def lexicon(request: AuthenticatedRequest) -> HttpResponse:
    _require_authority(request)
    form = LexiconFilterForm(request.GET or None)
    page = Paginator(filtered_entries(form), PAGE_SIZE).get_page(request.GET.get("page"))
    entries = list(page.object_list)
    reach = word_reach(entries)
    return render(
        request,
        "catalog/manage/lexicon.html",
        {
            "form": form,
            "page": page,
            "rows": [(entry, reach[entry.pk]) for entry in entries],
            "back": request.get_full_path(),
        },
    )


@login_required
def lexicon_add(request: AuthenticatedRequest) -> HttpResponse:
    _require_authority(request)
    if request.method == "POST":
        form = LexiconEntryForm(request.POST)
        if form.is_valid():
            try:
                entry = lexicon_actions.add_lexicon_entry(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                _apply_errors(exc, form)
            else:
                messages.success(
                    request,
                    gettext("Added “%(term)s” → %(official)s. It applies from the next search.")
                    % {"term": entry.term, "official": entry.official},
                )
                return redirect("catalog:lexicon")
    else:
        form = LexiconEntryForm(initial={"term": request.GET.get("term", "")[:MAX_TERM_CHARS]})
    return render(request, "catalog/manage/lexicon_edit.html", {"form": form, "entry": None})


@login_required
def lexicon_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    _require_authority(request)
    entry = get_object_or_404(LexiconEntry, pk=pk)
    readonly = entry.source == LexiconSource.GLOSSARY
    if request.method == "POST" and not readonly:
        form = LexiconEntryForm(request.POST, term_fixed=True)
        if form.is_valid():
            try:
                lexicon_actions.change_lexicon_entry(
                    actor=request.user, entry=entry, **form.cleaned_data
                )
            except ValidationError as exc:
                _apply_errors(exc, form)
            else:
                messages.success(
                    request,
                    gettext("Saved “%(term)s” → %(official)s.")
                    % {"term": entry.term, "official": entry.official},
                )
                return redirect("catalog:lexicon")
    else:
        form = LexiconEntryForm(
            initial={"official": entry.official, "note": entry.note}, term_fixed=True
        )
    return render(
        request,
        "catalog/manage/lexicon_edit.html",
        {"form": form, "entry": entry, "readonly": readonly},
    )


def _back(request: HttpRequest) -> str:
    """Where to return after a switch: the list page the admin came from (never elsewhere)."""
    target = request.POST.get("next", "")
    home = reverse("catalog:lexicon")
    safe = target.startswith(home) and "//" not in target and ".." not in target
    return target if safe else home


@login_required
@require_POST
def lexicon_toggle(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    _require_authority(request)
    entry = get_object_or_404(LexiconEntry, pk=pk)
    active = request.POST.get("active") == "1"
    try:
        lexicon_actions.set_lexicon_entry_active(actor=request.user, entry=entry, active=active)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        text = (
            gettext("“%(term)s” is in use again.")
            if active
            else gettext("“%(term)s” is switched off: searches no longer use it.")
        )
        messages.success(request, text % {"term": entry.term})
    return redirect(_back(request))


@login_required
def lexicon_delete(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """GET: ask for confirmation; POST: delete an administrator's entry."""
    _require_authority(request)
    entry = get_object_or_404(LexiconEntry, pk=pk)
    errors: list[str] = []
    if request.method == "POST":
        try:
            lexicon_actions.delete_lexicon_entry(actor=request.user, entry=entry)
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(request, gettext("Deleted “%(term)s”.") % {"term": entry.term})
            return redirect("catalog:lexicon")
    elif entry.source != LexiconSource.ADMIN:
        errors = [
            gettext("Only entries an administrator added can be deleted; switch this one off.")
        ]
    return render(request, "catalog/manage/lexicon_delete.html", {"entry": entry, "errors": errors})
