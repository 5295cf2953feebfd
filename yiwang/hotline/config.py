"""Audited changes to the hotline's reference data: the category tree, the dispatch
catalogue (派单目录) and the time limits.

Every function here is an action (docs/dev/actions.md): validate → permission → write →
``record()`` in the same transaction. The back-office pages (``config_views``) call them;
the Django admin shows this data read-only.

Who may change it (``can_configure``): superusers, and holders of a data-authority or
dispatcher post whose region is the county itself. A post's department does not matter
(the demo's authority and dispatcher sit in 数据局), so this is a region check, not
``orgs.scope.can_act``. Town dispatchers, handlers, agents and citizens may not.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from yiwang.audit.actions import record
from yiwang.orgs.models import Department, Role
from yiwang.orgs.scope import posts_of
from yiwang.regions.models import Region

from .actions import COUNTY_CODE
from .models import (
    DEFAULT_TIME_LIMITS,
    Category,
    DispatchRule,
    TicketType,
    TimeLimit,
)

CONFIG_ROLES = (Role.AUTHORITY, Role.DISPATCHER)
MAX_LEVEL = 3
MAX_LIMIT_DAYS = 60
PRIORITY_MIN, PRIORITY_MAX = -999, 999
CODE_MAX_CHARS = 20
CODE_RE = re.compile(r"^[0-9A-Za-z_-]+$")
NAME_MAX_CHARS = 50
TEXT_MAX_CHARS = 300
NOTE_MAX_CHARS = 200


# --- permission -------------------------------------------------------------------


def is_system(actor) -> bool:
    """``None`` or a label such as ``"demo"`` means the platform itself."""
    return actor is None or isinstance(actor, str)


def can_configure(user) -> bool:
    """Whether ``user`` may change categories, the dispatch catalogue and time limits.

    No query beyond the user's posts (cached per request), so list pages can ask it.
    """
    if is_system(user):
        return True
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return any(p.region.code == COUNTY_CODE for p in posts_of(user, CONFIG_ROLES))


def ensure_can_configure(actor) -> None:
    if can_configure(actor):
        return
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied(_("Please log in with a staff account."))
    raise PermissionDenied(
        _(
            "Only the data authority or a county-level 12345 dispatcher can change the "
            "hotline's categories, dispatch catalogue and time limits; none of your posts "
            "is one of these."
        )
    )


# --- helpers ------------------------------------------------------------------------


def _text(value, field: str, label: str, max_chars: int, errors: dict, required=False) -> str:
    value = " ".join(str(value or "").split())  # one line, single spaces
    if required and not value:
        errors.setdefault(field, []).append(_("Enter the %(label)s.") % {"label": label})
    elif len(value) > max_chars:
        errors.setdefault(field, []).append(
            _("The %(label)s is %(length)d characters long; at most %(max)d are allowed.")
            % {"label": label, "length": len(value), "max": max_chars}
        )
    return value


#: The largest sort order (the column is a 32-bit integer).
MAX_SORT = 2**31 - 1


def _int(value) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def _raise(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


# --- categories ---------------------------------------------------------------------


def category_snapshot(category: Category) -> dict:
    return {
        "code": category.code,
        "name": category.name,
        "level": category.level,
        "parent": category.parent.code if category.parent_id else None,
        "keywords": category.keywords,
        "description": category.description,
        "default_urgent": category.default_urgent,
        "active": category.active,
        "sort": category.sort,
    }


def _clean_category_fields(fields: dict, errors: dict) -> dict:
    """Normalise the editable fields present in ``fields`` (name, keywords, ...)."""
    cleaned = {}
    if "name" in fields:
        cleaned["name"] = _text(
            fields["name"], "name", _("category name"), NAME_MAX_CHARS, errors, required=True
        )
    if "keywords" in fields:
        cleaned["keywords"] = _text(
            fields["keywords"], "keywords", _("keywords"), TEXT_MAX_CHARS, errors
        )
    if "description" in fields:
        cleaned["description"] = _text(
            fields["description"],
            "description",
            _("service description"),
            TEXT_MAX_CHARS,
            errors,
        )
    for flag in ("default_urgent", "active"):
        if flag in fields:
            cleaned[flag] = bool(fields[flag])
    if "sort" in fields:
        sort = _int(fields["sort"])
        if sort is None or sort < 0:
            errors["sort"] = [_("The sort order must be a whole number, 0 or more.")]
        elif sort > MAX_SORT:
            errors["sort"] = [_("The sort order may be at most %(max)d.") % {"max": MAX_SORT}]
        cleaned["sort"] = sort
    return cleaned


def _check_sibling_name(name: str, parent_id: int | None, exclude_pk, errors: dict) -> None:
    siblings = Category.objects.filter(parent_id=parent_id, name=name)
    if exclude_pk is not None:
        siblings = siblings.exclude(pk=exclude_pk)
    if name and siblings.exists():
        errors.setdefault("name", []).append(
            _("Another category at this place in the tree is already called “%(name)s”.")
            % {"name": name}
        )


@transaction.atomic
def create_category(
    *,
    actor,
    code: str,
    name: str,
    parent: Category | None = None,
    level: int | None = None,
    keywords: str = "",
    description: str = "",
    default_urgent: bool = False,
    active: bool = True,
    sort: int = 0,
) -> Category:
    """Add a 大类 (no parent), 中类 or 小类: its level is its parent's level + 1."""
    errors: dict = {}
    code = str(code or "").strip()
    if not code:
        errors["code"] = [_("Enter the category code.")]
    elif len(code) > CODE_MAX_CHARS or not CODE_RE.match(code):
        errors["code"] = [
            _(
                "The code may contain only letters, digits, “-” and “_”, at most %(max)d "
                "characters (e.g. 0101 for a 中类 under 01)."
            )
            % {"max": CODE_MAX_CHARS}
        ]
    fields = _clean_category_fields(
        {
            "name": name,
            "keywords": keywords,
            "description": description,
            "default_urgent": default_urgent,
            "active": active,
            "sort": sort,
        },
        errors,
    )
    _raise(errors)
    ensure_can_configure(actor)

    if parent is not None:
        parent = Category.objects.select_for_update().get(pk=parent.pk)
    expected = 1 if parent is None else parent.level + 1
    if parent is not None and parent.level >= MAX_LEVEL:
        errors["parent"] = [
            _(
                "“%(name)s” is a 小类 (level 3), the lowest level: categories have at most "
                "3 levels (大类 / 中类 / 小类). Choose a 大类 or 中类 as the parent."
            )
            % {"name": parent.name}
        ]
    elif level is not None and _int(level) != expected:
        errors["level"] = [
            _(
                "The level must be one below the parent's: %(expected)d here "
                "(1 = 大类 without a parent, 2 = 中类, 3 = 小类)."
            )
            % {"expected": expected}
        ]
    if parent is not None and fields["active"] and not parent.active:
        errors["active"] = [
            _(
                "The parent “%(name)s” is not in use: activate it first, or add this category "
                "as not in use."
            )
            % {"name": parent.name}
        ]
    code_taken = [
        _("The code %(code)s is already used by another category; codes must be unique.")
        % {"code": code}
    ]
    if Category.objects.filter(code=code).exists():
        errors["code"] = code_taken
    _check_sibling_name(fields["name"], parent.pk if parent else None, None, errors)
    _raise(errors)

    try:
        with transaction.atomic():  # a concurrent twin fails on the unique code
            category = Category.objects.create(code=code, parent=parent, level=expected, **fields)
    except IntegrityError:
        raise ValidationError({"code": code_taken}, code="duplicate") from None
    record(
        actor=actor,
        action="hotline.category_created",
        obj=category,
        after=category_snapshot(category),
    )
    return category


@transaction.atomic
def update_category(
    *,
    actor,
    category: Category,
    name: str | None = None,
    keywords: str | None = None,
    description: str | None = None,
    default_urgent: bool | None = None,
    active: bool | None = None,
    sort: int | None = None,
) -> Category:
    """Change a category's editable fields (``None``: unchanged). Code, level and parent
    are fixed once created: tickets, Open311 clients and statistics refer to them."""
    given = {
        k: v
        for k, v in {
            "name": name,
            "keywords": keywords,
            "description": description,
            "default_urgent": default_urgent,
            "active": active,
            "sort": sort,
        }.items()
        if v is not None
    }
    errors: dict = {}
    fields = _clean_category_fields(given, errors)
    _raise(errors)
    ensure_can_configure(actor)

    # Lock the parent before the category (the order create_category uses), so activating
    # a child and deactivating its parent cannot both pass their checks.
    parent_id = Category.objects.values_list("parent_id", flat=True).get(pk=category.pk)
    if parent_id is not None:
        Category.objects.select_for_update().get(pk=parent_id)
    category = (
        Category.objects.select_for_update(of=("self",))
        .select_related("parent")
        .get(pk=category.pk)
    )
    before = category_snapshot(category)

    if fields.get("active") is False and category.active:
        active_children = list(
            category.children.filter(active=True)
            .order_by("sort", "code")[:5]
            .values_list("name", flat=True)
        )
        if active_children:
            errors["active"] = [
                _(
                    "“%(name)s” still has sub-categories in use (%(children)s): deactivate "
                    "them first."
                )
                % {"name": category.name, "children": "、".join(active_children)}
            ]
    if fields.get("active") is True and category.parent and not category.parent.active:
        errors["active"] = [
            _("The parent “%(name)s” is not in use: activate it first.")
            % {"name": category.parent.name}
        ]
    if "name" in fields:
        _check_sibling_name(fields["name"], category.parent_id, category.pk, errors)
    _raise(errors)

    for field, value in fields.items():
        setattr(category, field, value)
    after = category_snapshot(category)
    if after == before:
        return category
    category.save()
    changed = [k for k in after if after[k] != before[k]]
    record(
        actor=actor,
        action="hotline.category_updated",
        obj=category,
        before={k: before[k] for k in changed},
        after={k: after[k] for k in changed},
        code=category.code,
    )
    return category


def category_in_use(category: Category) -> str:
    """Why ``category`` cannot be deleted ("" when it can)."""
    if category.children.exists():
        return _("It has sub-categories: delete them first.")
    if category.tickets.exists():
        return _(
            "Tickets use it, so it is kept for their history: deactivate it instead "
            "(untick “Active”)."
        )
    count = category.dispatch_rules.count()
    if count:
        return _("It is used by dispatch rules (%(count)d): delete them first.") % {"count": count}
    return ""


@transaction.atomic
def delete_category(*, actor, category: Category) -> None:
    """Remove a category nothing refers to (a mistake). A used one is deactivated instead."""
    ensure_can_configure(actor)
    category = (
        Category.objects.select_for_update(of=("self",))
        .select_related("parent")
        .get(pk=category.pk)
    )
    reason = category_in_use(category)
    if reason:
        raise ValidationError(
            _("“%(name)s” cannot be deleted. %(reason)s")
            % {"name": category.name, "reason": reason},
            code="in_use",
        )
    record(
        actor=actor,
        action="hotline.category_deleted",
        obj=category,
        before=category_snapshot(category),
    )
    category.delete()


# --- dispatch catalogue ---------------------------------------------------------------


def rule_snapshot(rule: DispatchRule, co_ids: Iterable[int] | None = None) -> dict:
    if co_ids is None:
        co_ids = [d.pk for d in rule.co_departments.all()]
    return {
        "category": rule.category.code,
        "region": rule.region.code,
        "lead_department": rule.lead_department_id,
        "co_departments": sorted(co_ids),
        "priority": rule.priority,
        "active": rule.active,
        "note": rule.note,
    }


@transaction.atomic
def save_dispatch_rule(
    *,
    actor,
    rule: DispatchRule | None = None,
    category: Category | None,
    region: Region | None,
    lead_department: Department | None,
    co_departments: Iterable[Department] = (),
    priority: int = 0,
    active: bool = True,
    note: str = "",
) -> DispatchRule:
    """Create (``rule=None``) or change one 派单目录 rule: category × region subtree → lead
    department + co-handling departments. One rule per category and region."""
    errors: dict = {}
    if category is None:
        errors["category"] = [_("Choose the category the rule applies to.")]
    if region is None:
        errors["region"] = [_("Choose the region the rule applies to.")]
    elif not region.code.startswith(COUNTY_CODE):
        errors["region"] = [
            _("%(region)s is outside 大埔县: choose the county or one of its towns or villages.")
            % {"region": region.name}
        ]
    if lead_department is None:
        errors["lead_department"] = [_("Choose the lead department.")]
    co: list[Department] = []
    for dept in co_departments or ():
        if lead_department is not None and dept.pk == lead_department.pk:
            errors["co_departments"] = [
                _(
                    "%(name)s is the lead department, so it cannot also be a co-handling "
                    "department: untick it."
                )
                % {"name": dept.name}
            ]
        elif dept.pk not in {d.pk for d in co}:
            co.append(dept)
    priority = _int(priority)
    if priority is None or not PRIORITY_MIN <= priority <= PRIORITY_MAX:
        errors["priority"] = [
            _(
                "The priority must be a whole number from %(min)d to %(max)d (a larger number "
                "wins when two rules are equally specific)."
            )
            % {"min": PRIORITY_MIN, "max": PRIORITY_MAX}
        ]
    note = _text(note, "note", _("note"), NOTE_MAX_CHARS, errors)
    _raise(errors)
    ensure_can_configure(actor)

    clash = DispatchRule.objects.filter(category=category, region=region)
    if rule is not None:
        rule = DispatchRule.objects.select_for_update().get(pk=rule.pk)
        clash = clash.exclude(pk=rule.pk)
    duplicate = {
        "region": [
            _(
                "There is already a rule for “%(category)s” in %(region)s: edit that rule "
                "instead of adding a second one."
            )
            % {"category": category.full_name, "region": region.name}
        ]
    }
    if clash.exists():
        raise ValidationError(duplicate, code="duplicate")

    before = None if rule is None else rule_snapshot(rule)
    rule = rule or DispatchRule()
    rule.category, rule.region, rule.lead_department = category, region, lead_department
    rule.priority, rule.active, rule.note = priority, bool(active), note
    try:
        with transaction.atomic():  # a concurrent twin fails on the unique constraint
            rule.save()
    except IntegrityError:
        raise ValidationError(duplicate, code="duplicate") from None
    rule.co_departments.set(co)
    after = rule_snapshot(rule, [d.pk for d in co])
    if after != before:
        record(
            actor=actor,
            action="hotline.dispatch_rule_saved",
            obj=rule,
            before=before,
            after=after,
            created=before is None,
        )
    return rule


@transaction.atomic
def delete_dispatch_rule(*, actor, rule: DispatchRule) -> None:
    ensure_can_configure(actor)
    rule = (
        DispatchRule.objects.select_for_update(of=("self",))
        .select_related("category", "region")
        .get(pk=rule.pk)
    )
    record(
        actor=actor, action="hotline.dispatch_rule_deleted", obj=rule, before=rule_snapshot(rule)
    )
    rule.delete()


# --- time limits ----------------------------------------------------------------------


def effective_time_limits() -> dict[tuple[str, bool], tuple[int, int]]:
    """(type, urgent) → (days, sign_days): the stored rows over ``DEFAULT_TIME_LIMITS``
    (the same rule as ``actions._time_limit``, for all pairs in one query)."""
    limits = {(str(t), u): v for (t, u), v in DEFAULT_TIME_LIMITS.items()}
    for row in TimeLimit.objects.all():
        limits[(row.type, row.urgent)] = (row.days, row.sign_days)
    return limits


def time_limit_errors(type_, days, sign_days) -> dict:
    """Field errors for one time limit (``type``, ``days``, ``sign_days``); empty when valid."""
    errors: dict = {}
    if type_ not in TicketType.values:
        errors["type"] = [_("Unknown ticket type “%(value)s”.") % {"value": type_}]
    days_n, sign_n = _int(days), _int(sign_days)
    if days_n is None or not 0 <= days_n <= MAX_LIMIT_DAYS:
        errors["days"] = [
            _(
                "The time to handle must be a whole number of working days from 0 to %(max)d "
                "(0 means the same day)."
            )
            % {"max": MAX_LIMIT_DAYS}
        ]
    if sign_n is None or not 0 <= sign_n <= MAX_LIMIT_DAYS:
        errors["sign_days"] = [
            _(
                "The time to sign for must be a whole number of working days from 0 to "
                "%(max)d (0 means the same day)."
            )
            % {"max": MAX_LIMIT_DAYS}
        ]
    elif days_n is not None and "days" not in errors and sign_n > days_n:
        errors["sign_days"] = [
            _(
                "The time to sign for (%(sign)d working days) cannot be longer than the time "
                "to handle (%(days)d): a ticket must be signed for by its deadline. 0 means "
                "the same day, so a same-day ticket must also be signed for the same day (0)."
            )
            % {"sign": sign_n, "days": days_n}
        ]
    return errors


def _write_time_limit(actor, type_: str, urgent: bool, days: int, sign_days: int, current):
    row, _created = TimeLimit.objects.select_for_update().get_or_create(
        type=type_, urgent=urgent, defaults={"days": days, "sign_days": sign_days}
    )
    before = {"days": current[0], "sign_days": current[1]}
    row.days, row.sign_days = days, sign_days
    row.save()
    record(
        actor=actor,
        action="hotline.time_limit_set",
        obj=row,
        before=before,
        after={"days": days, "sign_days": sign_days},
        type=type_,
        urgent=urgent,
    )
    return row


@transaction.atomic
def set_time_limit(*, actor, type: str, urgent: bool, days: int, sign_days: int) -> TimeLimit:
    """Working days to handle and to sign for a ticket of ``type`` (and urgency). Applies to
    tickets dispatched from now on; running deadlines do not move."""
    _raise(time_limit_errors(type, days, sign_days))
    ensure_can_configure(actor)
    current = effective_time_limits()[(type, bool(urgent))]
    return _write_time_limit(actor, type, bool(urgent), _int(days), _int(sign_days), current)


def limit_field(type_: str, urgent: bool, field: str) -> str:
    """The form field name of one cell of the time-limit table, e.g. ``help-urgent-days``."""
    return f"{type_}-{'urgent' if urgent else 'normal'}-{field}"


@transaction.atomic
def set_time_limits(
    *, actor, limits: Mapping[tuple[str, bool], tuple[int, int]]
) -> list[TimeLimit]:
    """The whole table at once: every pair is checked first (errors keyed by
    ``limit_field``), then only the changed pairs are written, one audit entry each."""
    errors: dict = {}
    for (type_, urgent), (days, sign_days) in limits.items():
        for field, msgs in time_limit_errors(type_, days, sign_days).items():
            key = "__all__" if field == "type" else limit_field(type_, urgent, field)
            errors.setdefault(key, []).extend(msgs)
    _raise(errors)
    ensure_can_configure(actor)
    current = effective_time_limits()
    written = []
    for (type_, urgent), (days, sign_days) in limits.items():
        new = (_int(days), _int(sign_days))
        old = current[(type_, bool(urgent))]
        if new != old:
            written.append(_write_time_limit(actor, type_, bool(urgent), *new, old))
    return written
