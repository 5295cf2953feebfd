"""Approval processes as data: step schema, validation and the default process.

A step is ``{"key": str, "name": str, "kind": "accept"|"review"|"decide"|"conclude",
"role": <orgs.Role value>, "limit_days": int ≥ 0, "department": optional USCC}``.
Rules: keys unique; exactly one ``accept`` and it comes first; exactly one ``decide``;
one ``conclude`` and it comes last; any number of ``review`` steps in between (e.g.
现场核查, joint review by another department named by ``department``).
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from yiwang.orgs.models import Department, Role

KINDS = ("accept", "review", "decide", "conclude")
KIND_LABELS = {
    "accept": _("Acceptance"),
    "review": _("Review"),
    "decide": _("Decision"),
    "conclude": _("Conclusion and delivery"),
}
STEP_KEYS = {"key", "name", "kind", "role", "limit_days", "department"}
# The roles that work on cases (the cases app's inboxes): a step for anyone else would sit
# in nobody's inbox.
STEP_ROLES = (Role.WINDOW.value, Role.REVIEWER.value, Role.APPROVER.value)
KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,29}$")
MAX_STEPS = 20


def default_process(item) -> list[dict]:
    """受理 → 审查 → 决定 → 办结, with limits that add up to the promised limit.

    A 即办件 (promised limit 0) keeps one working day for each of acceptance, review and
    decision; a promise of 1 or 2 days shortens review and decision to fit inside it.
    """
    promised = int(getattr(item, "promised_limit", 0) or 0)
    if promised:
        decide = 1 if promised >= 2 else 0
        review = promised - 1 - decide
    else:
        decide, review = 1, 1
    return [
        {
            "key": "accept",
            "name": "受理",
            "kind": "accept",
            "role": Role.REVIEWER.value,
            "limit_days": 1,
        },
        {
            "key": "review",
            "name": "审查",
            "kind": "review",
            "role": Role.REVIEWER.value,
            "limit_days": review,
        },
        {
            "key": "decide",
            "name": "决定",
            "kind": "decide",
            "role": Role.APPROVER.value,
            "limit_days": decide,
        },
        {
            "key": "conclude",
            "name": "办结",
            "kind": "conclude",
            "role": Role.REVIEWER.value,
            "limit_days": 0,
        },
    ]


Problems = list[tuple[int | None, str]]  # (step index or None, message)


def step_errors(steps) -> Problems:
    """Problems as ``(step index or None, message)``; an empty list means the steps are valid."""
    if not isinstance(steps, list) or not steps:
        return [(None, gettext("The process needs a list of steps (受理 → 审查 → 决定 → 办结)."))]
    if len(steps) > MAX_STEPS:
        return [(None, gettext("A process may have at most %(n)d steps.") % {"n": MAX_STEPS})]
    errors: Problems = []
    seen: dict[str, int] = {}  # key -> index of the step that has it
    usccs: dict[int, str] = {}  # index -> the joint-review department's USCC
    for i, step in enumerate(steps):
        if not isinstance(step, dict):
            message = gettext(
                "Step %(n)d must be an object with key, name, kind, role and limit_days."
            )
            errors.append((i, message % {"n": i + 1}))
            continue
        errors += [(i, message) for message in _one_step_errors(i + 1, step, seen)]
        department = step.get("department")
        if department in (None, ""):
            continue
        if isinstance(department, str):
            usccs[i] = department.strip().upper()
        else:
            message = gettext(
                "Step %(n)d: the department must be given by its unified social credit code."
            )
            errors.append((i, message % {"n": i + 1}))
    errors += _department_errors(usccs)
    errors += _order_errors([s.get("kind") if isinstance(s, dict) else None for s in steps])
    return errors


def _one_step_errors(n: int, step: dict, seen: dict[str, int]) -> list[str]:
    """The problems of step number ``n`` on its own (its key is recorded in ``seen``)."""
    errors = []
    unknown = sorted(set(step) - STEP_KEYS)
    if unknown:
        errors.append(
            gettext(
                "Step %(n)d has unknown attributes: %(words)s (allowed: key, "
                "name, kind, role, limit_days, department)."
            )
            % {"n": n, "words": ", ".join(unknown)}
        )
    key = step.get("key")
    if not isinstance(key, str) or not KEY_RE.match(key):
        errors.append(
            gettext(
                "Step %(n)d: the key “%(key)s” must be 1–30 lower-case latin "
                "letters, digits or underscores, starting with a letter."
            )
            % {"n": n, "key": key}
        )
    elif key in seen:
        errors.append(
            gettext(
                "Step %(n)d: the key “%(key)s” is already used by step %(m)d; keys must be unique."
            )
            % {"n": n, "key": key, "m": seen[key] + 1}
        )
    else:
        seen[key] = n - 1
    name = step.get("name")
    if not isinstance(name, str) or not name.strip() or len(name) > 30:
        errors.append(gettext("Step %(n)d needs a name of 1–30 characters (e.g. 审查).") % {"n": n})
    if step.get("kind") not in KINDS:
        errors.append(
            gettext(
                "Step %(n)d: the kind “%(kind)s” is not one of accept, review, decide, conclude."
            )
            % {"n": n, "kind": step.get("kind")}
        )
    if step.get("role") not in STEP_ROLES:
        errors.append(
            gettext("Step %(n)d: the role “%(role)s” is not one of %(roles)s.")
            % {"n": n, "role": step.get("role"), "roles": ", ".join(STEP_ROLES)}
        )
    days = step.get("limit_days")
    if isinstance(days, bool) or not isinstance(days, int) or not 0 <= days <= 365:
        errors.append(
            gettext(
                "Step %(n)d: the time limit must be a whole number of working days from 0 to 365."
            )
            % {"n": n}
        )
    return errors


def _department_errors(usccs: dict[int, str]) -> Problems:
    """Joint-review departments that do not exist (one query for all steps)."""
    if not usccs:
        return []
    known = set(
        Department.objects.filter(uscc__in=set(usccs.values())).values_list("uscc", flat=True)
    )
    message = gettext("Step %(n)d: no department has the unified social credit code %(code)s.")
    return [
        (i, message % {"n": i + 1, "code": code}) for i, code in usccs.items() if code not in known
    ]


def _order_errors(kinds: list) -> Problems:
    """One acceptance first, one decision, one conclusion last, the decision before it."""
    errors: Problems = []
    if kinds.count("accept") != 1 or kinds[0] != "accept":
        errors.append(
            (
                None,
                gettext("The process must start with exactly one acceptance step (kind accept)."),
            )
        )
    if kinds.count("decide") != 1:
        errors.append(
            (
                None,
                gettext(
                    "The process must have exactly one decision step (kind decide); it has %(n)d."
                )
                % {"n": kinds.count("decide")},
            )
        )
    if kinds.count("conclude") != 1 or kinds[-1] != "conclude":
        errors.append(
            (
                None,
                gettext("The process must end with exactly one conclusion step (kind conclude)."),
            )
        )
    elif "decide" in kinds and kinds.index("decide") > kinds.index("conclude"):
        errors.append((None, gettext("The decision step must come before the conclusion step.")))
    return errors


def total_days(steps) -> int:
    """The working days of all steps together (steps that are not well formed count 0)."""
    return sum(
        s["limit_days"]
        for s in steps
        if isinstance(s, dict)
        and isinstance(s.get("limit_days"), int)
        and not isinstance(s["limit_days"], bool)
    )


def limit_errors(steps, promised_limit: int | None) -> list[str]:
    """The steps' limits against the item's promise: together they may not take longer.

    A promised limit of 0 (即办件) or none sets no bound here.
    """
    if not promised_limit or not isinstance(steps, list):
        return []
    total = total_days(steps)
    if total <= promised_limit:
        return []
    return [
        gettext(
            "The steps take %(total)d working days together, more than the promised limit of "
            "%(promised)d working days: shorten the steps or change the promised limit."
        )
        % {"total": total, "promised": promised_limit}
    ]


def normalize_steps(steps: list[dict]) -> list[dict]:
    """Steps with stripped names, upper-case USCCs and no empty ``department``."""
    out = []
    for step in steps:
        clean = {k: step[k] for k in ("key", "name", "kind", "role", "limit_days")}
        clean["name"] = clean["name"].strip()
        if step.get("department"):
            clean["department"] = step["department"].strip().upper()
        out.append(clean)
    return out


def validate_steps(steps) -> list[dict]:
    """Raise ``ValidationError`` listing every problem; return the normalised steps."""
    errors = step_errors(steps)
    if errors:
        raise ValidationError([message for _, message in errors], code="invalid_process")
    return normalize_steps(steps)
