"""Forms of the 12345 intake pages: the agent's phone form and the public report form
(fields shared in ``TicketForm``; the action validates everything again)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy

from yiwang.regions.models import Level, Region
from yiwang.web import params

from . import actions, queries
from .models import CONTENT_MAX_CHARS, TicketType, category_tree, intake_regions


def apply_errors(form: forms.Form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, msgs in exc.message_dict.items():
            target = field if field in form.fields else None
            for msg in msgs:
                form.add_error(target, msg)
    else:
        for msg in exc.messages:
            form.add_error(None, msg)


class ReferenceChoiceField(forms.TypedChoiceField):
    """A choice among reference data kept per process (``yiwang.web.memo``): the options are
    read only when the form is shown, and a submitted value is checked by one lookup instead
    of scanning them all."""

    def __init__(self, *, options, lookup, **kwargs):
        self._lookup = lookup
        super().__init__(choices=options, coerce=lookup, **kwargs)

    def valid_value(self, value) -> bool:
        return self._lookup(value) is not None


def _category_options() -> list[tuple]:
    return [("", "—")] + [(pk, name) for pk, name, _words in queries.leaf_categories()]


def _leaf_id(value) -> int | None:
    pk = params.parse_int(value, minimum=1)
    return pk if pk in category_tree.get().leaf_ids else None


def _region_options() -> list[tuple]:
    return intake_regions.get().choices


def region_of(value) -> Region | None:
    """A town or village of the county (not the county itself: leave the field empty)."""
    pk = params.parse_int(value, minimum=1)
    region = intake_regions.get().by_id.get(pk) if pk is not None else None
    return region if region is not None and region.level >= Level.TOWN else None


class TicketForm(forms.Form):
    """Fields shared by the agent's and the public form (validated again by the action)."""

    type = forms.ChoiceField(label=gettext_lazy("Type"), choices=TicketType.choices)
    category = ReferenceChoiceField(
        label=gettext_lazy("Category"), options=_category_options, lookup=_leaf_id
    )
    content = forms.CharField(
        label=gettext_lazy("Description"),
        max_length=CONTENT_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    region = ReferenceChoiceField(
        label=gettext_lazy("Town or village"),
        options=_region_options,
        lookup=region_of,
        required=False,
        empty_value=None,
    )
    address = forms.CharField(label=gettext_lazy("Address"), max_length=200, required=False)
    lat = forms.DecimalField(label=gettext_lazy("Latitude"), required=False, decimal_places=6)
    lng = forms.DecimalField(label=gettext_lazy("Longitude"), required=False, decimal_places=6)
    photos = forms.FileField(
        label=gettext_lazy("Photos (JPG or PNG)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["photos"].widget.attrs["multiple"] = True


class AgentForm(TicketForm):
    caller_phone = forms.CharField(
        label=gettext_lazy("Caller phone"), max_length=30, required=False
    )
    caller_name = forms.CharField(label=gettext_lazy("Caller name"), max_length=50, required=False)
    anonymous = forms.BooleanField(
        label=gettext_lazy("Caller wishes to stay anonymous"), required=False
    )
    urgent = forms.BooleanField(label=gettext_lazy("Urgent"), required=False)
    answered_from_kb = forms.IntegerField(required=False, widget=forms.HiddenInput)
    close_now = forms.BooleanField(
        label=gettext_lazy("Answered from the knowledge base: close now"), required=False
    )

    field_order = [
        "caller_phone",
        "caller_name",
        "anonymous",
        "type",
        "content",
        "category",
        "urgent",
        "region",
        "address",
        "lat",
        "lng",
        "photos",
        "close_now",
        "answered_from_kb",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["caller_phone"].widget.attrs.update(
            {"autofocus": True, "accesskey": "p", "inputmode": "tel", "autocomplete": "off"}
        )
        self.fields["content"].widget.attrs.update({"accesskey": "d"})
        self.fields["category"].widget.attrs.update({"accesskey": "c"})
        self.fields["type"].widget.attrs.update({"accesskey": "t"})


class PublicForm(TicketForm):
    phone = forms.CharField(label=gettext_lazy("Mobile phone"), max_length=20, required=False)
    code = forms.CharField(label=gettext_lazy("Verification code"), max_length=6, required=False)
    name = forms.CharField(label=gettext_lazy("Your name"), max_length=50, required=False)


def photos_of(request: HttpRequest) -> list:
    return request.FILES.getlist("photos")


def register_from(form: forms.Form, request: HttpRequest, **extra) -> actions.Registered:
    data = form.cleaned_data
    return actions.register_ticket(
        type=data["type"],
        category=data["category"],
        content=data["content"],
        address=data.get("address") or "",
        lat=data.get("lat"),
        lng=data.get("lng"),
        region=data.get("region"),
        photos=photos_of(request),
        **extra,
    )
