"""The GB/T 30428 code lists: a county's own subclasses, names, descriptions, in or out of
use; and the standard's lists restored where a database lacks them."""

from __future__ import annotations

import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from yiwang.audit.actions import record
from yiwang.audit.actors import SYSTEM

from .. import classification
from ..models import CaseClass, CaseSubclass, code_list
from ._common import _apply_change, _bounded_text, _may_manage_registry

SUBCLASS_CODE_RE = re.compile(r"^[0-9]{4}$")


def _clean_subclass_text(errors: dict[str, list], name, description) -> tuple[str, str]:
    name = (name or "").strip()
    if not name or len(name) > 50:
        errors["name"] = [_("Give the subclass's name (1 to 50 characters).")]
    return name, _bounded_text(errors, "description", description, 200, _("The description"))


@transaction.atomic
def create_subclass(
    *, actor, case_class: CaseClass, code: str, name: str, description: str = ""
) -> CaseSubclass:
    """A county's own subclass (e.g. under 扩展事件): its code is the class's two digits and two
    more, not yet used in the class."""
    errors: dict[str, list] = {}
    code = (code or "").strip()
    if not isinstance(case_class, CaseClass):
        errors["case_class"] = [_("Choose the class the subclass belongs to.")]
    elif not SUBCLASS_CODE_RE.match(code) or not code.startswith(case_class.code):
        errors["code"] = [
            _("The code is four digits starting with the class code %(prefix)s, e.g. %(prefix)s99.")
            % {"prefix": case_class.code}
        ]
    elif case_class.subclasses.filter(code=code).exists():
        errors["code"] = [
            _("The class %(cls)s already has a subclass %(code)s.")
            % {"cls": case_class, "code": code}
        ]
    name, description = _clean_subclass_text(errors, name, description)
    if (
        "name" not in errors
        and isinstance(case_class, CaseClass)
        and case_class.subclasses.filter(name=name).exists()
    ):
        errors["name"] = [
            _("The class %(cls)s already has a subclass named %(name)s.")
            % {"cls": case_class, "name": name}
        ]
    if errors:
        raise ValidationError(errors)
    if not _may_manage_registry(actor):
        raise PermissionDenied(
            _("Only dispatchers and the data authority can change the code lists.")
        )
    subclass = CaseSubclass.objects.create(
        case_class=case_class, code=code, name=name, description=description
    )
    record(
        actor=actor or SYSTEM,
        action="grid.subclass_created",
        obj=subclass,
        after={"kind": case_class.kind, "class": case_class.key, "code": code, "name": name},
    )
    return subclass


@transaction.atomic
def update_subclass(
    *, actor, subclass: CaseSubclass, name: str, description: str, active: bool
) -> CaseSubclass:
    """Rename (a county's own subclass only: the standard's names are the standard's), describe,
    or take out of use / back into use. The code and the class never change: cases refer to them."""
    current = (
        CaseSubclass.objects.select_for_update().select_related("case_class").get(pk=subclass.pk)
    )
    errors: dict[str, list] = {}
    name, description = _clean_subclass_text(errors, name, description)
    if "name" not in errors and name != current.name:
        if current.standard:
            errors["name"] = [
                _(
                    "%(subclass)s is named by GB/T 30428 and keeps its name; describe how the "
                    "county uses it instead."
                )
                % {"subclass": current}
            ]
        elif current.case_class.subclasses.filter(name=name).exclude(pk=current.pk).exists():
            errors["name"] = [
                _("The class %(cls)s already has a subclass named %(name)s.")
                % {"cls": current.case_class, "name": name}
            ]
    if errors:
        raise ValidationError(errors)
    if not _may_manage_registry(actor):
        raise PermissionDenied(
            _("Only dispatchers and the data authority can change the code lists.")
        )
    data = {"name": name, "description": description, "active": bool(active)}
    before = {k: getattr(current, k) for k, v in data.items() if getattr(current, k) != v}
    after = {k: data[k] for k in before}
    if not after:
        return current
    return _apply_change(
        current, after, actor=actor, action="grid.subclass_updated", before=before, after=after
    )


# --- the standard's lists ----------------------------------------------------------------


@transaction.atomic
def ensure_code_lists() -> tuple[int, int]:
    """Load the standard's classes and subclasses that are missing, as the migration does (a
    database emptied since, e.g. by a test, lacks them); returns (classes, subclasses) created.

    Reference data of the standard rather than a county's change, so not audited, like the
    migration. Names and descriptions edited in the back office are kept.
    """
    created = classification.load(CaseClass, CaseSubclass)
    if any(created):
        code_list.forget()  # bulk-created subclasses send no post_save
    return created
