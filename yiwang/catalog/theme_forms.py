"""Forms of theme browsing and theme management. They only parse input; the actions validate
(``catalog.theme_actions``) and the views show the actions' errors on these forms."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .models import Audience, ServiceItem, Theme
from .theme_icons import icon_choices


class ThemeForm(forms.Form):
    """A theme's fields in the back office."""

    name = forms.CharField(label=_("Name"), max_length=30)
    code = forms.CharField(
        label=_("Code"),
        max_length=50,
        help_text=_("Lower-case latin letters, digits and hyphens; part of the theme's address."),
        widget=forms.TextInput(attrs={"spellcheck": "false", "class": "mono"}),
    )
    audience = forms.ChoiceField(
        label=_("For whom"), choices=Theme.AUDIENCES, widget=forms.RadioSelect
    )
    icon = forms.ChoiceField(label=_("Icon"), choices=icon_choices, widget=forms.RadioSelect)
    order = forms.IntegerField(
        label=_("Order"),
        min_value=0,
        max_value=9999,
        initial=100,
        help_text=_("Themes are shown in ascending order within individuals or businesses."),
    )
    description = forms.CharField(
        label=pgettext_lazy("theme", "Description"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One or two sentences shown to citizens on the theme's page."),
    )
    keywords = forms.CharField(
        label=_("Keywords"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=Theme._meta.get_field("keywords").help_text,
    )
    active = forms.BooleanField(label=_("Shown to citizens"), required=False, initial=True)

    @classmethod
    def initial_for(cls, theme: Theme) -> dict[str, Any]:
        return {
            name: getattr(theme, name)
            for name in ("name", "code", "audience", "icon", "order", "description", "keywords")
        } | {"active": theme.active}

    def show_errors(self, exc: ValidationError) -> None:
        """Put an action's errors next to the fields they concern."""
        if not hasattr(exc, "error_dict"):
            for message in exc.messages:
                self.add_error(None, message)
            return
        for key, messages in exc.message_dict.items():
            for message in messages:
                self.add_error(key if key in self.fields else None, message)


class ItemDisplayForm(forms.Form):
    """The item editor's themes (checkboxes grouped 个人 / 法人) and ``preferred`` flag.

    A POST without the ``display-sent`` marker (a script, an older page) changes neither.
    """

    prefix = "display"

    sent = forms.CharField(required=False, initial="1", widget=forms.HiddenInput)
    person_themes = forms.MultipleChoiceField(
        label=_("Themes for individuals (个人办事)"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    enterprise_themes = forms.MultipleChoiceField(
        label=_("Themes for businesses (法人办事)"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    preferred = forms.BooleanField(
        label=_("Show first among items of the same name"),
        required=False,
        help_text=_(
            "When other departments or levels publish an item of the same name, citizens see "
            "this one first, marked as recommended."
        ),
    )

    def __init__(self, data=None, *, item: ServiceItem | None = None):
        initial: dict[str, Any] = {"sent": "1"}
        themes = list(Theme.objects.order_by("order", "pk"))
        if item is not None and data is None:
            chosen = set(item.themes.values_list("code", flat=True))
            for name, audience in (
                ("person_themes", Audience.PERSON),
                ("enterprise_themes", Audience.ENTERPRISE),
            ):
                initial[name] = [
                    t.code for t in themes if t.audience == audience and t.code in chosen
                ]
            initial["preferred"] = item.preferred
        super().__init__(data, initial=initial)
        for name, audience in (
            ("person_themes", Audience.PERSON),
            ("enterprise_themes", Audience.ENTERPRISE),
        ):
            field = self.fields[name]
            assert isinstance(field, forms.MultipleChoiceField)
            hidden = _("hidden")
            field.choices = [
                (t.code, t.name if t.active else f"{t.name}（{hidden}）")
                for t in themes
                if t.audience == audience
            ]

    @property
    def was_sent(self) -> bool:
        return not self.is_bound or bool(self.data.get(self.add_prefix("sent")))

    def values(self) -> dict[str, Any]:
        """Keyword arguments for ``actions.set_item_display``."""
        data = self.cleaned_data
        return {
            "themes": [*data.get("person_themes", []), *data.get("enterprise_themes", [])],
            "preferred": bool(data.get("preferred")),
        }


def facet_value(request_value: str | None, *, digits: bool = False, limit: int = 10) -> str:
    """A facet parameter as given, or "" when it cannot be one (nothing is looked up here)."""
    value = (request_value or "").strip()[:limit]
    if digits and not value.isdigit():
        return ""
    return value
