"""The GB/T 30428 case state machine and time limits: one place for each rule.

collected → filed (or cancelled) → dispatched (timer starts) → handled → verified
(a failed verification sends it back to dispatched) → closed → evaluated.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from .models import ComponentClass, EventClass, EventStatus, Kind

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


def target(action: str) -> str | None:
    return TRANSITIONS[action][1]


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
