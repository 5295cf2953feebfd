"""The back-office item editor: guide fields, materials, form builder and process editor.

:class:`ItemEditor` binds the four parts to one request, validates them together so that
every problem (a guide field, a material, a form field, a step, the item rules the actions
apply) is shown in the same round, and saves through the audited actions
(``create_item`` / ``update_item``, ``set_materials``, ``set_process``) in one transaction.

The application form comes from the field list (:mod:`yiwang.catalog.editor_fields`) unless
the expert JSON was edited; both changed at once is refused rather than guessed.
"""

from __future__ import annotations

import json

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext

from . import actions
from .editor_fields import FieldFormSet, rows_from_schema, schema_from_rows
from .editor_steps import StepFormSet, rows_from_steps
from .forms import ItemForm, MaterialFormSet, materials_from_formset
from .forms_schema import schema_errors
from .models import ServiceItem
from .permissions import manageable_departments
from .process import default_process
from .theme_forms import ItemDisplayForm
from .validation import clean_item_fields, material_errors


def _material_rows(item: ServiceItem | None) -> list[dict]:
    if item is None:
        return []
    return [
        {
            "id": m.pk,
            "name": m.name,
            "form": m.form,
            "count": m.count,
            "required": m.required,
            "source": m.source,
            "replaceable_by": m.replaceable_by,
            "replaced_by": m.replaced_by,
            "notes": m.notes,
        }
        for m in item.materials.all()
    ]


def _shown_schema(data) -> dict:
    """The schema the page showed (its hidden copy), or {} when it is not a usable one."""
    try:
        base = json.loads(data.get("form_schema_base") or "{}")
    except (json.JSONDecodeError, RecursionError):
        return {}
    return base if isinstance(base, dict) and not schema_errors(base) else {}


class ItemEditor:
    """The editor's forms for ``item`` (None: a new item), bound to ``data`` on POST."""

    def __init__(self, *, user, item: ServiceItem | None, data=None):
        self.user = user
        self.item = item
        self.process = item.active_process() if item is not None else None
        departments = manageable_departments(user)
        # New items start from the default process; it is fitted to their promised limit
        # when saved unless the rows were changed.
        steps = self.process.steps if self.process is not None else default_process(item)
        if data is None:
            initial = ItemForm.initial_for(item, self.process) if item is not None else {}
            self.base_schema = item.form_schema if item is not None else {}
            self.form = ItemForm(initial=initial, departments=departments)
            self.materials = MaterialFormSet(initial=_material_rows(item), prefix="materials")
            self.fields = FieldFormSet(initial=rows_from_schema(self.base_schema), prefix="fields")
            self.steps = StepFormSet(initial=rows_from_steps(steps), prefix="steps")
        else:
            self.base_schema = _shown_schema(data)
            self.form = ItemForm(data, departments=departments)
            self.materials = MaterialFormSet(data, prefix="materials")
            self.fields = FieldFormSet(
                data, initial=rows_from_schema(self.base_schema), prefix="fields"
            )
            self.steps = StepFormSet(data, initial=rows_from_steps(steps), prefix="steps")
        self.fields.base_schema = self.base_schema
        self.display = ItemDisplayForm(data, item=item)  # themes and 默认展示
        # A client that posts no field list or no steps (a script, an old page) changes
        # neither: the JSON alone decides the form, and the process stays as it is.
        self.fields_sent = data is None or "fields-TOTAL_FORMS" in data
        self.steps_sent = data is None or "steps-TOTAL_FORMS" in data
        self.schema: dict | None = None
        self.json_errors = False

    # --- validation -------------------------------------------------------------

    def _choose_schema(self) -> dict | None:
        """The form's schema from the field list or the JSON; errors go where they belong."""
        form = self.form
        posted = form.cleaned_data.get("form_schema") if "form_schema" not in form.errors else None
        json_changed = posted is None or posted != self.base_schema
        baseline = schema_from_rows(rows_from_schema(self.base_schema), self.base_schema)
        builder_changed = self.fields_sent and (
            not self.fields.is_valid() or self.fields.schema != baseline
        )
        if json_changed and builder_changed:
            self.json_errors = True
            if "form_schema" not in form.errors:
                form.add_error(
                    "form_schema",
                    gettext(
                        "You changed both the field list and the JSON. Keep one of the changes: "
                        "undo the other, or save them one after the other."
                    ),
                )
            return None
        if json_changed:
            self.json_errors = True
            if posted is None:
                return None
            problems = schema_errors(posted)
            for message in problems:
                form.add_error("form_schema", message)
            return None if problems else posted
        if not builder_changed:
            return self.base_schema
        return self.fields.schema

    def _steps_to_save(self) -> list[dict] | None:
        """The rows' steps; None keeps the active process (a new item: the default one)."""
        if not self.steps_sent or (self.item is None and not self.steps.has_changed()):
            return None
        return self.steps.steps

    def is_valid(self) -> bool:
        """Validate every part in one round (each part's errors attached to it)."""
        form_ok = self.form.is_valid()  # before the schema's errors are added to it
        materials_ok = self.materials.is_valid()
        results = [
            form_ok,
            materials_ok,
            not self.fields_sent or self.fields.is_valid(),
            not self.steps_sent or self.steps.is_valid(),
            self.display.is_valid(),
        ]
        if materials_ok:
            # The list's own rules (e.g. a material listed twice), as set_materials checks them.
            _, problems = material_errors(materials_from_formset(self.materials))
            if problems:
                self._add_formset_errors(self.materials, [message for _, _, message in problems])
                results.append(False)
        self.schema = self._choose_schema()
        if self.schema is None:
            results.append(False)
        if form_ok:
            # The actions' own item rules, run ahead so they show with everything else (with
            # the form as it was when the new one is not usable: its errors are shown already).
            fields = self.item_fields()
            if self.schema is None:
                fields["form_schema"] = self.base_schema
            _, errors = clean_item_fields(fields, instance=self.item)
            self.apply_errors(ValidationError(errors) if errors else None)
            results.append(not errors)
        promised = self.form.cleaned_data.get("promised_limit")
        if self.steps.steps is not None and self._steps_to_save() is not None:
            results.append(self.steps.check_limits(promised))
        return all(results)

    def item_fields(self) -> dict:
        fields = self.form.item_fields()
        fields["form_schema"] = self.schema
        return fields

    def apply_errors(self, exc: ValidationError | None) -> None:
        """Show action errors next to the parts they concern."""
        if exc is None:
            return
        if not hasattr(exc, "error_dict"):
            for message in exc.messages:
                self.form.add_error(None, message)
            return
        for field, errors in exc.message_dict.items():
            if field == "materials":
                self._add_formset_errors(self.materials, errors)
            elif field == "steps":
                self._add_formset_errors(self.steps, errors)
            elif field == "form_schema" and not self.json_errors:
                self._add_formset_errors(self.fields, errors)
            elif field in self.form.fields:
                for message in errors:
                    self.form.add_error(field, message)
            else:
                for message in errors:
                    self.form.add_error(None, message)

    @staticmethod
    def _add_formset_errors(formset, errors) -> None:
        known = list(formset.non_form_errors())
        new = [m for m in errors if m not in known]
        formset._non_form_errors = formset.error_class([*known, *new], renderer=formset.renderer)

    # --- saving ---------------------------------------------------------------

    def save(self) -> ServiceItem | None:
        """Run the actions in one transaction; on failure attach the errors and roll back."""
        actor = self.user
        item = self.item
        try:
            with transaction.atomic():
                if item is None:
                    item = actions.create_item(actor=actor, **self.item_fields())
                else:
                    actions.update_item(actor=actor, item=item, **self.item_fields())
                actions.set_materials(
                    actor=actor, item=item, materials=materials_from_formset(self.materials)
                )
                steps = self._steps_to_save()
                if steps is None and self.process is None:
                    steps = default_process(item)  # fitted to the promised limit just saved
                if steps is not None:
                    try:
                        actions.set_process(actor=actor, item=item, steps=steps)
                    except ValidationError as exc:
                        raise ValidationError({"steps": exc.messages}) from exc
                self._save_display(item)
        except ValidationError as exc:
            self.apply_errors(exc)
            return None
        return item

    def _save_display(self, item: ServiceItem) -> None:
        """Themes and 默认展示 as posted; a new item left without themes is placed by keyword."""
        if not self.display.was_sent:
            return
        values = self.display.values()
        actions.set_item_display(actor=self.user, item=item, **values)
        if self.item is None and not values["themes"]:
            actions.place_item(actor=self.user, item=item)
