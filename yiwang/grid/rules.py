"""The GB/T 30428 case state machine and time limits: one place for each rule.

collected → filed (or cancelled) → dispatched (timer starts) → handled → verified
(a failed verification sends it back to dispatched) → closed → evaluated.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from .models import (
    CaseSubclass,
    ComponentClass,
    EventClass,
    EventStatus,
    Kind,
    code_list,
    subclass_key,
)

S = EventStatus

# action → (statuses it may start from, status it leads to; None = decided by the action)
TRANSITIONS: dict[str, tuple[frozenset[str], str | None]] = {
    "file": (frozenset({S.COLLECTED}), S.FILED),
    "cancel": (frozenset({S.COLLECTED, S.FILED}), S.CANCELLED),
    "dispatch": (frozenset({S.FILED}), S.DISPATCHED),
    "handle": (frozenset({S.DISPATCHED}), S.HANDLED),
    "verify": (frozenset({S.HANDLED}), None),  # passed → verified, failed → dispatched
    "close": (frozenset({S.VERIFIED}), S.CLOSED),
    "evaluate": (frozenset({S.CLOSED}), S.EVALUATED),
}

ACTION_NAMES = {
    "report": gettext_lazy("Report"),
    "file": gettext_lazy("File"),
    "cancel": pgettext_lazy("city event", "Cancel"),
    "dispatch": pgettext_lazy("city event", "Dispatch"),
    "handle": gettext_lazy("Reply as handled"),
    "verify": gettext_lazy("Verify on site"),
    "verify_failed": gettext_lazy("Verification failed"),
    "close": gettext_lazy("Close"),
    "evaluate": gettext_lazy("Evaluate"),
    "alert": pgettext_lazy("city event", "Sensor alert"),
}

# What has to happen first, per action, to explain a refusal.
_HINTS = {
    "file": gettext_lazy("Only a newly collected case can be filed."),
    "cancel": gettext_lazy(
        "Only a case that has not been dispatched yet can be cancelled as invalid."
    ),
    "dispatch": gettext_lazy("File the case first; a case is dispatched once, right after filing."),
    "handle": gettext_lazy("Only a case dispatched to a department can be replied to."),
    "verify": gettext_lazy("Only a case the department has replied to can be verified on site."),
    "close": gettext_lazy("Only a case verified on site by the grid worker can be closed."),
    "evaluate": gettext_lazy("Only a closed case can be evaluated."),
}


def allowed(action: str, status: str) -> bool:
    return status in TRANSITIONS[action][0]


def ensure_allowed(action: str, event) -> None:
    if not allowed(action, event.status):
        raise ValidationError(
            _("Case %(number)s is “%(status)s”, so “%(action)s” is not possible. %(hint)s")
            % {
                "number": event.number,
                "status": event.get_status_display(),
                "action": ACTION_NAMES[action],
                "hint": _HINTS[action],
            },
            code="transition_not_allowed",
        )


def target(action: str) -> str:
    """The status ``action`` leads to. Verification decides its own (passed or sent back), so
    asking for it is a programming error."""
    leads_to = TRANSITIONS[action][1]
    if leads_to is None:
        raise ValueError(f"the action {action!r} decides the status it leads to")
    return leads_to


def possible_actions(status: str) -> list[str]:
    return [a for a, (sources, _t) in TRANSITIONS.items() if status in sources]


# --- classification ------------------------------------------------------------------


def classes_for(kind: str):
    return ComponentClass if kind == Kind.COMPONENT else EventClass


def clean_classification(kind: str, category: str) -> tuple[str, str]:
    errors = {}
    if kind not in Kind.values:
        errors["kind"] = [
            _("Choose whether the case concerns a component or an event (got “%(kind)s”).")
            % {"kind": kind}
        ]
    else:
        choices = classes_for(kind)
        if category not in choices.values:
            errors["category"] = [
                _("“%(category)s” is not a %(kind)s class. Choose one of: %(choices)s.")
                % {
                    "category": category,
                    "kind": Kind(kind).label,
                    "choices": "、".join(str(label) for label in choices.labels),
                }
            ]
    if errors:
        raise ValidationError(errors)
    return kind, category


def find_subclass(value, kind: str | None = None) -> CaseSubclass | None:
    """The subclass ``value`` names: a ``CaseSubclass`` or its id, ``"event:0116"``, or a bare
    code such as ``"0116"`` when ``kind`` says which list. None when empty or unknown."""
    if value is None or value == "":
        return None
    lists = code_list.get()
    if isinstance(value, CaseSubclass):
        return lists.by_id.get(value.pk)
    if isinstance(value, int) and not isinstance(value, bool):
        return lists.by_id.get(value)
    text = str(value).strip()
    if ":" not in text and kind:
        text = subclass_key(kind, text)
    return lists.by_key.get(text)


def clean_subclass(kind: str, category: str, value, *, current_id: int | None = None):
    """The subclass of a component or case of class ``kind``/``category``, or None.

    It must be in the code lists, belong to that class, and be in use (a subclass taken out of
    use is still accepted where it is already set, ``current_id``). One rule for every form,
    action and import."""
    if value is None or value == "":
        return None
    sub = find_subclass(value, kind)
    if sub is None:
        raise ValidationError(
            {
                "subclass": [
                    _(
                        "“%(value)s” is not in the GB/T 30428 code lists; choose a subclass from the list."
                    )
                    % {"value": str(value)[:30]}
                ]
            }
        )
    if (sub.case_class.kind, sub.case_class.key) != (kind, category):
        raise ValidationError(
            {
                "subclass": [
                    _("%(subclass)s belongs to the class %(its)s, not to %(chosen)s.")
                    % {
                        "subclass": sub,
                        "its": sub.case_class,
                        "chosen": _class_label(kind, category),
                    }
                ]
            }
        )
    if not sub.active and sub.pk != current_id:
        raise ValidationError(
            {
                "subclass": [
                    _("%(subclass)s is no longer in use; choose another subclass.")
                    % {"subclass": sub}
                ]
            }
        )
    return sub


def _class_label(kind: str, category: str) -> str:
    try:
        return str(classes_for(kind)(category).label)
    except ValueError:
        return category


def clean_classification_with_subclass(kind: str, category: str, subclass):
    """(kind, class, subclass) of a new case: the class may be left out when the subclass is
    given (it names its class)."""
    if not kind and not category:
        sub = find_subclass(subclass)
        if sub is not None:
            kind, category = sub.case_class.kind, sub.case_class.key
    kind, category = clean_classification(kind, category)
    return kind, category, clean_subclass(kind, category, subclass)


def subclass_groups(kind: str | None = None, selected=None) -> list[dict]:
    """The code lists for a select, grouped by class (classes without a subclass left out):
    ``[{"label", "kind", "key", "options": [{"value", "label", "description"}]}]``. Subclasses
    out of use are left out unless ``selected`` (a subclass or its id) is one of them."""
    chosen = find_subclass(selected)
    groups = []
    for case_class, members in code_list.get().classes:
        if kind is not None and case_class.kind != kind:
            continue
        options = [
            {
                "value": subclass_key(case_class.kind, sub.code),
                "label": f"{sub.code} {sub.name}",
                "description": sub.description,
            }
            for sub in members
            if sub.active or (chosen is not None and sub.pk == chosen.pk)
        ]
        if options:
            label = f"{case_class.code} {_class_label(case_class.kind, case_class.key)}"
            if kind is None:
                label = f"{Kind(case_class.kind).label} · {label}"
            groups.append(
                {"label": label, "kind": case_class.kind, "key": case_class.key, "options": options}
            )
    return groups


# --- time limits (working days, counted from dispatch) ------------------------------------

DEFAULT_LIMITS: dict[str, int] = {
    "component:public_facility": 3,
    "component:road_traffic": 3,
    "component:city_appearance": 2,
    "component:greening": 3,
    "component:housing_land": 5,
    "component:other_facility": 5,
    "component:extended": 5,
    "event:city_appearance": 1,
    "event:advertising": 2,
    "event:construction": 3,
    "event:emergency": 1,
    "event:street_order": 1,
    "event:extended": 3,
}


def limit_days(kind: str, category: str) -> int:
    """The handling time limit; ``settings.YIWANG_GRID_LIMITS`` (same keys) overrides the defaults."""
    limits = {**DEFAULT_LIMITS, **(getattr(settings, "YIWANG_GRID_LIMITS", None) or {})}
    return int(limits.get(f"{kind}:{category}", 3))
