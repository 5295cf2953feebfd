"""The item editor's process editor: one formset row per approval step.

Like the form builder, a plain Django formset (ordering and deletion included) that
``static/catalog/editor.js`` enhances. The rows become the process steps the cases engine
uses (:mod:`yiwang.catalog.process`); their rules are checked by ``process.step_errors`` (the
same check as ``actions.set_process``) and the total of the limits against the item's
promised limit by ``process.limit_errors``.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.renderers import BaseRenderer
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from yiwang.orgs.models import Department, Role

from .process import KIND_LABELS, MAX_STEPS, STEP_ROLES, limit_errors, step_errors

CONTENT = ("name", "limit_days")


def rows_from_steps(steps) -> list[dict]:
    """Initial rows for a list of process steps."""
    return [
        {
            "key": s.get("key", ""),
            "name": s.get("name", ""),
            "kind": s.get("kind", "review"),
            "role": s.get("role", Role.REVIEWER.value),
            "department": s.get("department", ""),
            "limit_days": s.get("limit_days"),
        }
        for s in steps or []
        if isinstance(s, dict)
    ]


def _department_choices():
    departments = Department.objects.order_by("id").values_list("uscc", "name")
    return [("", _("The item's implementing agency")), *departments]


class StepRowForm(forms.Form):
    """One step. A row without a name or time limit is ignored."""

    key = forms.CharField(required=False, max_length=30, widget=forms.HiddenInput)
    name = forms.CharField(label=_("Step name"), max_length=30, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=list(KIND_LABELS.items()), initial="review")
    role = forms.ChoiceField(
        label=_("Handled by"),
        choices=[(r, Role(r).label) for r in STEP_ROLES],
        initial=Role.REVIEWER.value,
    )
    # Empty: the item's implementing agency in the case's own region (which the item's
    # case-region setting decides: applicant, premises, hall or the item's region).
    department = forms.ChoiceField(label=_("Department"), required=False)
    limit_days = forms.IntegerField(
        label=_("Time limit (working days)"), min_value=0, max_value=365, required=False
    )

    def __init__(self, *args, department_choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        department = self.fields["department"]
        assert isinstance(
            department, forms.ChoiceField
        )  # declared above; ``fields`` is typed loosely
        department.choices = department_choices or _department_choices()

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not str(data.get("name") or "").strip() and data.get("limit_days") is None

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if self.is_blank() or self.errors:
            return data
        if not str(data.get("name") or "").strip():
            self.add_error("name", gettext("Give the step a name (e.g. 审查)."))
        if data.get("limit_days") is None:
            self.add_error(
                "limit_days",
                gettext("Give the step's time limit in working days (0: the same day)."),
            )
        return data


class BaseStepFormSet(forms.BaseFormSet):
    """The steps in their order; after ``is_valid()``, ``steps`` is the process they describe."""

    steps: list[dict] | None = None
    renderer: BaseRenderer  # set by BaseFormSet.__init__ (the stubs do not declare it)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # One query for the department list, shared by every row.
        self._departments = _department_choices()

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "department_choices": self._departments}

    @property
    def empty_form(self):
        form = self.form(
            auto_id=self.auto_id,
            prefix=self.add_prefix("__prefix__"),
            empty_permitted=True,
            use_required_attribute=False,
            department_choices=self._departments,
            renderer=self.renderer,
        )
        self.add_fields(form, None)
        return form

    def _kept(self) -> list[tuple[int, forms.Form]]:
        kept = [
            (i, form)
            for i, form in enumerate(self.forms)
            if getattr(form, "cleaned_data", None) is not None
            and not (self.can_delete and form.cleaned_data.get(forms.formsets.DELETION_FIELD_NAME))
            and not form.is_blank()
        ]

        def position(entry):
            order = entry[1].cleaned_data.get(forms.formsets.ORDERING_FIELD_NAME)
            return (order is None, order or 0, entry[0])

        return sorted(kept, key=position)

    def clean(self):
        self.steps = None
        if any(self.errors):
            return
        kept = [form for _, form in self._kept()]
        steps = []
        used = {f.cleaned_data["key"] for f in kept if f.cleaned_data.get("key")}
        for form in kept:
            data = form.cleaned_data
            key = data.get("key") or ""
            if not key:  # new steps: named after their kind (review, review_2 …)
                key, n = data["kind"], 1
                while key in used:
                    n += 1
                    key = f"{data['kind']}_{n}"
                used.add(key)
            step = {
                "key": key,
                "name": data["name"].strip(),
                "kind": data["kind"],
                "role": data["role"],
                "limit_days": data["limit_days"],
            }
            if data.get("department"):
                step["department"] = data["department"]
            steps.append(step)
        problems = step_errors(steps)
        general = []
        for index, message in problems:
            if index is None:
                general.append(message)
            else:
                kept[index].add_error(None, message)
        if general:
            raise forms.ValidationError(general)
        if not problems:
            self.steps = steps

    def check_limits(self, promised_limit) -> bool:
        """Add the error when the steps take longer than ``promised_limit``; True when fine."""
        problems = limit_errors(self.steps, promised_limit) if self.steps else []
        if problems:
            self._non_form_errors = self.error_class([*self.non_form_errors(), *problems])
        return not problems

    def total_days(self) -> int:
        """The limits of the steps as shown (for the running total next to the table)."""
        total = 0
        for form in self.forms:
            value = form["limit_days"].value()
            if str(value or "").strip().isdigit() and not form["DELETE"].value():
                total += int(value)
        return total


StepFormSet: type[BaseStepFormSet] = forms.formset_factory(  # type: ignore[assignment]
    StepRowForm,
    formset=BaseStepFormSet,
    extra=1,
    can_order=True,
    can_delete=True,
    max_num=MAX_STEPS,
    validate_max=True,
)
