"""The GB/T 30428 code lists: the kinds (component, event), the major classes and their
subclasses, and the memoised list forms and labels read."""

from __future__ import annotations

from typing import NamedTuple

from django.db import models
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from yiwang.web.memo import SharedMemo


class Kind(models.TextChoices):
    COMPONENT = "component", _("Component")
    EVENT = "event", _("Event")


class ComponentClass(models.TextChoices):
    PUBLIC_FACILITY = "public_facility", _("Public facilities")
    ROAD_TRAFFIC = "road_traffic", _("Roads and traffic")
    CITY_APPEARANCE = "city_appearance", _("City appearance and environment")
    GREENING = "greening", _("Parks and greening")
    HOUSING_LAND = "housing_land", _("Buildings and land")
    OTHER_FACILITY = "other_facility", _("Other facilities")
    EXTENDED = "extended", _("Extended components")


class EventClass(models.TextChoices):
    CITY_APPEARANCE = "city_appearance", _("City appearance and environment")
    ADVERTISING = "advertising", _("Publicity and advertising")
    CONSTRUCTION = "construction", _("Construction management")
    EMERGENCY = "emergency", _("Emergencies")
    STREET_ORDER = "street_order", _("Street order")
    EXTENDED = "extended", _("Extended events")


class CaseClass(models.Model):
    """A major class (大类) of GB/T 30428.2 components or events.

    ``key`` is what components (``component_class``) and cases (``category``) store, and what
    time limits and figures are keyed by; ``code`` is the standard's two digits. The classes
    are the standard's and are not edited; their subclasses are (``CaseSubclass``).
    """

    kind = models.CharField(
        pgettext_lazy("city event", "type"), max_length=10, choices=Kind.choices
    )
    key = models.CharField(_("key"), max_length=20)
    code = models.CharField(_("code"), max_length=2)
    name = models.CharField(_("name"), max_length=50)

    class Meta:
        ordering = ["kind", "code"]
        verbose_name = _("case class")
        verbose_name_plural = _("case classes")
        constraints = [
            models.UniqueConstraint(fields=["kind", "key"], name="case_class_kind_key_unique"),
            models.UniqueConstraint(fields=["kind", "code"], name="case_class_kind_code_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class CaseSubclass(models.Model):
    """A subclass (小类): its class's code followed by two digits, e.g. 0101 上水井盖.

    ``standard`` subclasses come from the data file (``yiwang/grid/data/gbt30428.json``); a
    county adds its own (e.g. under 扩展事件) in the back office. None is ever deleted: cases
    refer to them; ``active`` takes one out of the forms.
    """

    case_class = models.ForeignKey(
        CaseClass, on_delete=models.PROTECT, related_name="subclasses", verbose_name=_("class")
    )
    code = models.CharField(_("code"), max_length=4)
    name = models.CharField(_("name"), max_length=50)
    description = models.CharField(
        pgettext_lazy("code list", "description"), max_length=200, blank=True
    )
    standard = models.BooleanField(_("from GB/T 30428"), default=False)
    active = models.BooleanField(pgettext_lazy("city event", "active"), default=True)

    class Meta:
        ordering = ["case_class__kind", "code"]
        verbose_name = _("case subclass")
        verbose_name_plural = _("case subclasses")
        constraints = [
            models.UniqueConstraint(
                fields=["case_class", "code"], name="case_subclass_class_code_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class CodeList(NamedTuple):
    # In order: each class with its subclasses (in use or not), by code.
    classes: list[tuple[CaseClass, list[CaseSubclass]]]
    by_id: dict[int, CaseSubclass]  # every subclass, its ``case_class`` attached
    by_key: dict[str, CaseSubclass]  # "event:0116" → subclass


def subclass_key(kind: str, code: str) -> str:
    """How forms and callers name a subclass: the codes repeat across components and events."""
    return f"{kind}:{code}"


def _build_code_list() -> CodeList:
    classes = list(CaseClass.objects.order_by("kind", "code"))
    by_class: dict[int, tuple[CaseClass, list[CaseSubclass]]] = {c.pk: (c, []) for c in classes}
    by_id, by_key = {}, {}
    for sub in CaseSubclass.objects.order_by("code", "pk"):
        case_class, members = by_class[sub.case_class_id]
        sub.case_class = case_class
        members.append(sub)
        by_id[sub.pk] = sub
        by_key[subclass_key(case_class.kind, sub.code)] = sub
    return CodeList([by_class[c.pk] for c in classes], by_id, by_key)


#: The code lists, per process (read-only; see yiwang.web.memo): forms and labels read them.
code_list = SharedMemo("grid:code-list:v1", _build_code_list)


@receiver([post_save, post_delete], sender=CaseClass)
@receiver([post_save, post_delete], sender=CaseSubclass)
def _forget_code_list(sender, **kwargs) -> None:
    code_list.forget()


def subclass_label(subclass_id: int | None, note: str = "") -> str:
    """A subclass's name without a query (the memoised list), else the free-text note."""
    if subclass_id is not None:
        sub = code_list.get().by_id.get(subclass_id)
        if sub is not None:
            return sub.name
    return note
