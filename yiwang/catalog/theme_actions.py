"""State changes of themes and of how items are presented to citizens (re-exported by
``catalog.actions``).

- Themes (``create_theme``, ``update_theme``, ``ensure_standard_themes``) are managed by the
  catalogue authority (``permissions.is_catalog_authority``).
- An item's themes and its ``preferred`` flag (``set_item_display``, ``place_item``) are set
  by whoever manages the item. They are presentation, not guide content: changing them does
  not mark a published item as changed since publication.
- ``place_unthemed_items`` puts every published item without a theme into the themes its
  keywords suggest, with one summary audit entry.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext

from yiwang.audit.actions import record

from .models import ServiceItem, Theme
from .permissions import can_manage, is_catalog_authority
from .theme_icons import ICONS
from .themes import HOME_CACHE_KEY, THEME_FIELDS, load_standard_themes, suggest_themes

__all__ = [
    "PlacementResult",
    "create_theme",
    "ensure_standard_themes",
    "place_item",
    "place_unthemed_items",
    "set_item_display",
    "update_theme",
]

EDITABLE = (*THEME_FIELDS, "active")
CODE_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
KEYWORD_SPLIT = re.compile(r"[\s,，、;；]+")
MAX_KEYWORD = 20
MAX_KEYWORDS_TEXT = 2000
MAX_ORDER = 9999


def _drop_home_cache() -> None:
    transaction.on_commit(lambda: cache.delete(HOME_CACHE_KEY))


def _require_authority(actor) -> None:
    if not is_catalog_authority(actor):
        raise PermissionDenied(
            gettext("Only the data authority (catalogue administrators) can manage the themes.")
        )


def _require_item(actor, item: ServiceItem) -> None:
    if not can_manage(actor, department=item.department, region=item.region):
        raise PermissionDenied(
            gettext(
                "You may not change how “%(name)s” is shown: only the administrator of its "
                "department or the data authority can."
            )
            % {"name": item.name}
        )


# --- themes -------------------------------------------------------------------------------


def _clean_keywords(value: Any, errors: dict[str, list[str]]) -> str:
    words = [w for w in KEYWORD_SPLIT.split(str(value or "").strip()) if w]
    bad = [w for w in words if w == "-" or len(w) > MAX_KEYWORD]
    if bad:
        errors.setdefault("keywords", []).append(
            gettext("Keywords are words of 1–%(n)d characters; not allowed: %(bad)s.")
            % {"n": MAX_KEYWORD, "bad": "、".join(bad)}
        )
    text = " ".join(dict.fromkeys(words))
    if len(text) > MAX_KEYWORDS_TEXT:
        errors.setdefault("keywords", []).append(
            gettext("The keywords are too long: at most %(n)d characters.")
            % {"n": MAX_KEYWORDS_TEXT}
        )
    return text


def _clean_order(value: Any, errors: dict[str, list[str]]) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_ORDER:
        errors.setdefault("order", []).append(
            gettext("The order is a whole number from 0 to %(n)d.") % {"n": MAX_ORDER}
        )
        return 0
    return value


def _clean_text(data: dict, errors: dict, key: str, limit: int, *, required: bool) -> None:
    value = str(data.get(key) or "").strip()
    if required and not value:
        errors.setdefault(key, []).append(gettext("This field is required."))
    elif len(value) > limit:
        errors.setdefault(key, []).append(gettext("At most %(n)d characters.") % {"n": limit})
    data[key] = value


def _clean_theme(
    fields: dict[str, Any], instance: Theme | None
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Check ``fields`` (all of them for a new theme); returns (clean data, errors by field)."""
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise TypeError(f"unknown theme fields: {', '.join(sorted(unknown))}")
    data = dict(fields)
    if instance is None:
        data.setdefault("order", 0)
        data.setdefault("active", True)
        for key in ("code", "name", "audience", "icon", "description", "keywords"):
            data.setdefault(key, "")
    errors: dict[str, list[str]] = {}
    if "name" in data:
        _clean_text(data, errors, "name", 30, required=True)
    if "description" in data:
        _clean_text(data, errors, "description", 300, required=False)
    if "code" in data:
        code = str(data["code"] or "").strip().lower()
        data["code"] = code
        if not code or len(code) > 50 or not CODE_RE.match(code):
            errors.setdefault("code", []).append(
                gettext(
                    "The code is 1–50 lower-case latin letters, digits and hyphens, e.g. "
                    "after-death; it is part of the theme's address."
                )
            )
    if "audience" in data and data["audience"] not in dict(Theme.AUDIENCES):
        errors.setdefault("audience", []).append(
            gettext("Choose whether the theme is for individuals or for businesses.")
        )
    if "icon" in data and data["icon"] not in ICONS:
        errors.setdefault("icon", []).append(
            gettext("“%(icon)s” is not one of the icons; choose one from the list.")
            % {"icon": data["icon"]}
        )
    if "order" in data:
        data["order"] = _clean_order(data["order"], errors)
    if "active" in data and not isinstance(data["active"], bool):
        errors.setdefault("active", []).append(gettext("Must be yes or no."))
    if "keywords" in data:
        data["keywords"] = _clean_keywords(data["keywords"], errors)
    others = Theme.objects.exclude(pk=instance.pk) if instance is not None else Theme.objects
    if data.get("code") and "code" not in errors and others.filter(code=data["code"]).exists():
        errors.setdefault("code", []).append(
            gettext("Another theme already has the code “%(code)s”.") % {"code": data["code"]}
        )
    if data.get("name") and "name" not in errors and others.filter(name=data["name"]).exists():
        errors.setdefault("name", []).append(
            gettext("Another theme is already called “%(name)s”; theme names must differ.")
            % {"name": data["name"]}
        )
    return data, errors


def _theme_dict(theme: Theme) -> dict[str, Any]:
    return {f: getattr(theme, f) for f in EDITABLE}


@transaction.atomic
def create_theme(*, actor, **fields) -> Theme:
    """A new theme: code, name, audience (person / enterprise), icon, order, description,
    keywords, active."""
    data, errors = _clean_theme(fields, None)
    if errors:
        raise ValidationError(errors)
    _require_authority(actor)
    theme = Theme.objects.create(**data)
    record(actor=actor, action="catalog.create_theme", obj=theme, after=_theme_dict(theme))
    _drop_home_cache()
    return theme


@transaction.atomic
def update_theme(*, actor, theme: Theme, **fields) -> Theme:
    """Change some of a theme's fields (those given)."""
    current = Theme.objects.select_for_update().get(pk=theme.pk)
    data, errors = _clean_theme(fields, current)
    if errors:
        raise ValidationError(errors)
    _require_authority(actor)
    changed = [f for f in EDITABLE if f in data and data[f] != getattr(current, f)]
    if changed:
        before = {f: getattr(current, f) for f in changed}
        for f in changed:
            setattr(current, f, data[f])
        current.save(update_fields=changed)
        record(
            actor=actor,
            action="catalog.update_theme",
            obj=current,
            before=before,
            after={f: getattr(current, f) for f in changed},
        )
        _drop_home_cache()
    for f in EDITABLE:
        setattr(theme, f, getattr(current, f))
    return theme


@transaction.atomic
def ensure_standard_themes(*, actor) -> list[Theme]:
    """Create the standard themes (``data/themes.json``) that are missing, by code; themes
    that exist keep their edits. One audit entry when any is created."""
    _require_authority(actor)
    created = load_standard_themes(Theme)
    if created:
        record(
            actor=actor,
            action="catalog.ensure_standard_themes",
            after={"created": [t.code for t in created]},
        )
        _drop_home_cache()
    return created


# --- items --------------------------------------------------------------------------------


def _resolve_themes(themes: Iterable[Theme | str], errors: dict[str, list[str]]) -> list[Theme]:
    wanted = list(themes)
    codes = [t for t in wanted if isinstance(t, str)]
    found = {t.code: t for t in Theme.objects.filter(code__in=codes)} if codes else {}
    missing = [c for c in codes if c not in found]
    if missing:
        errors.setdefault("themes", []).append(
            gettext("Unknown themes: %(codes)s.") % {"codes": "、".join(missing)}
        )
    out: list[Theme] = []
    for t in wanted:
        theme = found.get(t) if isinstance(t, str) else t
        if theme is not None and theme.pk is not None and theme not in out:
            out.append(theme)
    return out


def _display(item: ServiceItem, theme_codes: list[str]) -> dict[str, Any]:
    return {"themes": sorted(theme_codes), "preferred": item.preferred}


@transaction.atomic
def set_item_display(
    *,
    actor,
    item: ServiceItem,
    themes: Iterable[Theme | str] | None = None,
    preferred: bool | None = None,
) -> ServiceItem:
    """Set the item's themes (Theme instances or codes; None: unchanged) and whether it is
    shown first among items of the same name (None: unchanged)."""
    errors: dict[str, list[str]] = {}
    chosen = _resolve_themes(themes, errors) if themes is not None else None
    if preferred is not None and not isinstance(preferred, bool):
        errors.setdefault("preferred", []).append(gettext("Must be yes or no."))
    if errors:
        raise ValidationError(errors)
    current = (
        ServiceItem.objects.select_for_update(of=("self",))
        .select_related("department", "region")
        .get(pk=item.pk)
    )
    _require_item(actor, current)
    old_codes = list(current.themes.values_list("code", flat=True))
    before = _display(current, old_codes)
    new_codes = [t.code for t in chosen] if chosen is not None else old_codes
    if chosen is not None and set(new_codes) != set(old_codes):
        current.themes.set(chosen)
    if preferred is not None and preferred != current.preferred:
        current.preferred = preferred
        current.save(update_fields=["preferred"])
    after = _display(current, new_codes)
    if after != before:
        record(
            actor=actor, action="catalog.set_item_display", obj=current, before=before, after=after
        )
    item.preferred = current.preferred
    return item


def place_item(*, actor, item: ServiceItem, candidates: list[Theme] | None = None) -> list[Theme]:
    """Put an item that has no theme into the themes its keywords suggest (``candidates``:
    the themes, loaded once by a caller placing many items). Returns the themes applied."""
    if item.pk is None or item.themes.exists():
        return []
    suggested = suggest_themes(item, candidates)
    if suggested:
        set_item_display(actor=actor, item=item, themes=suggested)
    return suggested


@dataclass
class PlacementResult:
    checked: int = 0  # published items without a theme
    placed: int = 0  # of those, items now in at least one theme
    by_theme: dict[str, int] = field(default_factory=dict)  # theme name → items added


@transaction.atomic
def place_unthemed_items(*, actor) -> PlacementResult:
    """Put every published item without a theme into the themes its keywords suggest."""
    _require_authority(actor)
    candidates = list(Theme.objects.filter(active=True))
    items = list(
        ServiceItem.objects.published()
        .filter(themes__isnull=True)
        .only("pk", "name", "aliases", "audience")
        .order_by("pk")
    )
    Link = ServiceItem.themes.through
    links = []
    counts: Counter[str] = Counter()
    placed = 0
    for item in items:
        suggested = suggest_themes(item, candidates)
        placed += bool(suggested)
        for theme in suggested:
            links.append(Link(serviceitem_id=item.pk, theme_id=theme.pk))
            counts[theme.name] += 1
    Link.objects.bulk_create(links, batch_size=500)
    result = PlacementResult(checked=len(items), placed=placed, by_theme=dict(counts))
    record(
        actor=actor,
        action="catalog.place_unthemed_items",
        after={"checked": result.checked, "placed": result.placed, "by_theme": result.by_theme},
    )
    _drop_home_cache()
    return result
