"""Duplicate tickets: finding the open tickets that look like the same matter, and merging one
into another (the master's reply and closing then apply to it)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import datetime, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from yiwang.regions.models import Region
from yiwang.search.text import segment

from ..models import OPEN_STATUSES, Category, EventAction, Status, Ticket
from ._common import add_event, lock_both, transition
from .access import ensure_dispatcher

#: Duplicate detection: a candidate is proposed from this text similarity (Jaccard of words) …
DUPLICATE_MIN_SIMILARITY = 0.3
#: … when it is in the same category or within this distance (metres).
DUPLICATE_MAX_METRES = 300
#: The most recent candidates looked at (the newest matter most to a caller's story).
DUPLICATE_CANDIDATES = 50
MAX_TOKENS = 200

#: The columns read for each candidate (as with ``.only()``: no second query for the few proposed).
CANDIDATE_FIELDS = ["id", "number", "content", "tokens", "category_id", "lat", "lng", "status"]
CANDIDATE_COLUMNS = [*CANDIDATE_FIELDS, "created_at"]


def tokens_of(text: str) -> list[str]:
    """Distinct search words of ``text`` (rjieba via ``yiwang.search``), in order."""
    seen: dict[str, None] = {}
    for tok in segment(text or ""):
        if len(tok) > 1 or not tok.isascii():
            seen.setdefault(tok, None)
        if len(seen) >= MAX_TOKENS:
            break
    return list(seen)


def jaccard(a: Iterable[str], b: Iterable[str]) -> float:
    sa = a if isinstance(a, set | frozenset) else set(a)
    sb = b if isinstance(b, set | frozenset) else set(b)
    if not sa or not sb:
        return 0.0
    return len(sa & sb) / len(sa | sb)


def distance_m(lat1, lng1, lat2, lng2) -> float:
    """Great-circle distance in metres (haversine)."""
    p1, p2 = math.radians(float(lat1)), math.radians(float(lat2))
    dp, dl = p2 - p1, math.radians(float(lng2) - float(lng1))
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371000 * math.asin(math.sqrt(h))


def find_duplicates(
    ticket: Ticket | None = None,
    *,
    text: str = "",
    category: Category | int | None = None,
    town: Region | int | None = None,
    lat=None,
    lng=None,
    window_days: int = 3,
    now: datetime | None = None,
    limit: int = 5,
) -> list[Ticket]:
    """Open tickets of the last ``window_days`` in the same town that look like the same
    matter: similar words (Jaccard ≥ ``DUPLICATE_MIN_SIMILARITY``) and the same category
    or within ``DUPLICATE_MAX_METRES``. Each result carries ``.similarity``."""
    category_id: int | None
    town_id: int | None
    region_id: int | None = None
    exclude: int | None = None
    if ticket is not None:
        words = ticket.tokens.split() if ticket.tokens else tokens_of(ticket.content)
        category_id, town_id = ticket.category_id, ticket.town_id
        lat, lng, exclude = ticket.lat, ticket.lng, ticket.pk
        region_id = ticket.region_id
    else:
        words = tokens_of(text)
        category_id = category.pk if isinstance(category, Category) else category
        town_id = town.pk if isinstance(town, Region) else town
    if not words:
        return []
    since = (now or timezone.now()) - timedelta(days=window_days)
    # One filter() call with as few lookups as the rule needs: building the query costs more
    # than running it, and this runs on every intake. (Merged tickets are not open; the new
    # ticket itself is skipped below.)
    where = Q(status__in=OPEN_STATUSES, created_at__gte=since)
    if town_id is not None:
        where &= Q(town_id=town_id)
    elif region_id is not None:
        where &= Q(region_id=region_id)
    qs = Ticket.objects.filter(where & _same_matter(category_id, lat, lng))
    candidates = qs.order_by("-created_at").values_list(*CANDIDATE_COLUMNS)[:DUPLICATE_CANDIDATES]
    found = _similar(candidates, set(words), category_id, lat, lng, exclude)
    return [_as_ticket(row, score, qs.db) for score, row in found[:limit]]


def _same_matter(category_id: int | None, lat, lng) -> Q:
    """Only the same category or a box around the point can qualify: the database narrows
    the candidates, Python measures words and exact distance on plain tuples."""
    same = Q(category_id=category_id)
    if lat is not None and lng is not None:
        here_lat, here_lng = Decimal(str(lat)), Decimal(str(lng))
        dlat = Decimal(DUPLICATE_MAX_METRES / 111_000)
        dlng = Decimal(DUPLICATE_MAX_METRES / (111_000 * math.cos(math.radians(float(lat)))))
        same |= Q(
            lat__range=(here_lat - dlat, here_lat + dlat),
            lng__range=(here_lng - dlng, here_lng + dlng),
        )
    return same


def _similar(
    candidates: Iterable[tuple], words: set[str], category_id, lat, lng, exclude: int | None
) -> list[tuple[float, tuple]]:
    """(similarity, row) of the candidates that qualify, most similar (then newest) first."""
    found = []
    for row in candidates:
        pk, _number, _content, tokens, other_category, other_lat, other_lng, *_rest = row
        if pk == exclude:
            continue
        score = jaccard(words, tokens.split())
        if score < DUPLICATE_MIN_SIMILARITY:
            continue
        near = (
            lat is not None
            and other_lat is not None
            and distance_m(lat, lng, other_lat, other_lng) <= DUPLICATE_MAX_METRES
        )
        if other_category == category_id or near:
            found.append((round(score, 2), row))
    found.sort(key=lambda f: (-f[0], -f[1][0]))
    return found


def _as_ticket(row: tuple, score: float, db: str) -> Ticket:
    """A candidate row as a Ticket with only the columns read, carrying ``.similarity``."""
    # Model.from_db() takes the values in the model's field order, not the order they
    # were selected in: rearrange each row, or the description would show the tokens.
    values = dict(zip(CANDIDATE_COLUMNS, row, strict=True))
    ordered = [f.attname for f in Ticket._meta.concrete_fields if f.attname in values]
    other = Ticket.from_db(db, ordered, [values[name] for name in ordered])
    other.similarity = score
    return other


@transaction.atomic
def merge(*, actor, ticket: Ticket, into: Ticket, note: str = "") -> Ticket:
    """Merge a duplicate into an open master ticket; the master's reply and closing apply to it."""
    if ticket.pk == into.pk:
        raise ValidationError(_("A ticket cannot be merged into itself."), code="merge_self")
    ticket, into = lock_both(ticket, into)
    ensure_dispatcher(actor, ticket)
    ensure_dispatcher(actor, into)
    with transition(
        "merge", actor=actor, ticket=ticket, by=ensure_dispatcher, note=note, into=into.number
    ) as change:
        if into.status not in OPEN_STATUSES or into.merged_into_id is not None:
            raise ValidationError(
                _("Ticket %(number)s is “%(status)s”; merge into an open ticket.")
                % {"number": into.number, "status": into.get_status_display()},
                code="merge_target_closed",
            )
        ticket = change.ticket
        ticket.status, ticket.merged_into = Status.MERGED, into
    # Tickets merged into this one follow it to the master.
    Ticket.objects.filter(merged_into=ticket).update(merged_into=into)
    add_event(into, actor, EventAction.MERGE, note=note, merged=ticket.number)
    return ticket
