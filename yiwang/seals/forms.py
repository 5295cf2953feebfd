"""Forms of the seal pages. They only collect what was typed: the actions validate (one
message per problem, shown next to its field through ``accounts.forms.attach_errors``)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from yiwang.orgs.models import Department

from .actions import NAME_MAX, REASON_MAX
from .models import SealKind
from .permissions import manageable_departments


class SealForm(forms.Form):
    department = forms.ModelChoiceField(
        queryset=Department.objects.none(), label=_("Department"), empty_label=None
    )
    name = forms.CharField(
        label=_("Seal name"),
        required=False,
        max_length=NAME_MAX * 2,  # the action says what is too long, in its words
        help_text=_("Printed along the top of the seal. Leave empty for the department's name."),
    )
    kind = forms.ChoiceField(label=_("Seal kind"), choices=SealKind.choices)
    image = forms.FileField(
        label=_("Official seal image (optional)"),
        required=False,
        help_text=_(
            "A PNG of the seal, (nearly) square, at least 200 × 200 pixels, at most 2 MB, ideally with a "
            "transparent background. Without one, a seal picture is generated."
        ),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = manageable_departments(user)  # type: ignore[attr-defined]


class ImageForm(forms.Form):
    image = forms.FileField(
        label=_("Official seal image"),
        required=False,
        help_text=SealForm.base_fields["image"].help_text,
    )


class RotateForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (optional)"),
        required=False,
        max_length=REASON_MAX * 2,
        help_text=_("For example: scheduled renewal, or a private key that may have been exposed."),
    )
    confirm = forms.BooleanField(
        label=_(
            "I understand: from now on the seal signs with a new key; documents signed before "
            "stay valid."
        ),
        error_messages={"required": _("Tick the box to confirm the key rotation.")},
    )


class DeactivateForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=REASON_MAX * 2,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Give the reason; it is kept in the audit log.")},
    )
    confirm = forms.BooleanField(
        label=_("I understand: the seal will sign nothing any more and cannot be activated again."),
        error_messages={"required": _("Tick the box to confirm the deactivation.")},
    )
