"""Every state change of a 12345 ticket. Views, APIs, commands and tasks call these.

Each action validates, checks permission, writes the ticket and its timeline,
appends the audit entry in the same transaction, and notifies on commit.

Roles (``yiwang.orgs.Role``): agents and dispatchers act within their post's
region subtree (their department, 数据局 or none, does not limit them);
handlers act on tickets whose lead department is theirs, within their region.
"""

from __future__ import annotations

import logging
import math
import uuid
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from yiwang.accounts.models import normalise_phone
from yiwang.audit.actions import record
from yiwang.gmcrypto.core import blind_index
from yiwang.notify.actions import notify
from yiwang.orgs.models import Department, Post, Role
from yiwang.orgs.scope import can_act, posts_of
from yiwang.privacy.actions import disclosing, record_disclosure
from yiwang.privacy.models import Purpose
from yiwang.regions.models import Level, Region
from yiwang.web.params import shown
from yiwang.web.uploads import CheckedFile, check_photo
from yiwang.workdays import calendar as workdays

from . import rules
from .closure_sms import send_closure_sms
from .models import (
    CONTENT_MAX_CHARS,
    COUNTY_CODE,
    DEFAULT_TIME_LIMITS,
    OPEN_STATUSES,
    RUNNING_STATUSES,
    Category,
    Channel,
    DispatchRule,
    EventAction,
    ExtensionRequest,
    PhotoStage,
    Satisfaction,
    Status,
    Ticket,
    TicketEvent,
    TicketPhoto,
    TicketType,
    TimeLimit,
    category_tree,
    intake_regions,
)

log = logging.getLogger(__name__)

#: 大埔县's bounding box (lat_min, lat_max, lng_min, lng_max); coordinates outside are refused.
COUNTY_BBOX = (Decimal("24.0"), Decimal("24.75"), Decimal("116.3"), Decimal("117.0"))
#: The county's division code (tickets without a town or village belong to it).
PHONE_INDEX_PURPOSE = "hotline_phone"
MAX_PHOTOS = 9
MAX_REASON_CHARS = 1000
MAX_EXTENSION_DAYS = 30
#: Escalate (升级督办) tickets still open this many working days after their deadline.
ESCALATE_AFTER_WORKDAYS = 3
#: Duplicate detection: a candidate is proposed from this text similarity (Jaccard of words) …
DUPLICATE_MIN_SIMILARITY = 0.3
#: … when it is in the same category or within this distance (metres).
DUPLICATE_MAX_METRES = 300
#: The most recent candidates looked at (the newest matter most to a caller's story).
DUPLICATE_CANDIDATES = 50
MAX_TOKENS = 200

STAFF_INTAKE_ROLES = (Role.AGENT, Role.DISPATCHER)
SYSTEM_CHANNELS = (Channel.OPEN311, Channel.SENSOR, Channel.GRID)


class Registered(NamedTuple):
    ticket: Ticket
    duplicates: list[Ticket]


# --- helpers ----------------------------------------------------------------


def _is_user(actor) -> bool:
    return bool(getattr(actor, "is_authenticated", False) and getattr(actor, "is_active", False))


def _user_or_none(actor):
    return actor if getattr(actor, "pk", None) else None


def in_region_scope(user, roles: Iterable[str], region: Region | None) -> bool:
    """Whether ``user`` holds one of ``roles`` in a post whose region covers ``region``
    (whatever the post's department)."""
    if not _is_user(user):
        return False
    if user.is_superuser:
        return True
    if region is None:
        return False
    return any(region.path.startswith(p.region.path) for p in posts_of(user, roles))


def _assigned_to_grid_in(user, region: Region) -> bool:
    """Whether ``user`` is assigned to a grid of ``region`` (a grid worker's assignment covers
    the grid's village even beyond the region of their post)."""
    from yiwang.grid.models import GridAssignment

    return (
        _is_user(user)
        and GridAssignment.objects.filter(user=user, grid__village_id=region.pk).exists()
    )


def is_handler_of(user, ticket: Ticket) -> bool:
    return can_act(
        user, roles=[Role.HANDLER], department=ticket.lead_department_id, region=ticket.region
    )


def visible_tickets(user, queryset=None):
    """THE scoped queryset of tickets a staff member may see.

    Agents, dispatchers, leaders and auditors: their posts' region subtrees.
    Handlers: tickets led or co-handled by their department within their region.
    """
    qs = Ticket.objects.all() if queryset is None else queryset
    if not _is_user(user):
        return qs.none()
    if user.is_superuser:
        return qs
    combined = Q(pk__in=[])
    for post in posts_of(user, [Role.AGENT, Role.DISPATCHER, Role.LEADER, Role.AUDITOR]):
        combined |= Q(region__path__startswith=post.region.path)
    through = Ticket.co_departments.through
    for post in posts_of(user, [Role.HANDLER]):
        in_region = Q(region__path__startswith=post.region.path)
        if post.department_id is None:
            combined |= in_region
            continue
        co = Exists(
            through.objects.filter(ticket_id=OuterRef("pk"), department_id=post.department_id)
        )
        combined |= in_region & (Q(lead_department_id=post.department_id) | co)
    return qs.filter(combined)


def _snapshot(ticket: Ticket) -> dict:
    return {
        "status": ticket.status,
        "lead_department": ticket.lead_department_id,
        "due_at": ticket.due_at.isoformat() if ticket.due_at else None,
        "deadline_status": ticket.deadline_status,
        "satisfaction": ticket.satisfaction,
        "merged_into": ticket.merged_into_id,
    }


def _event(
    ticket: Ticket,
    actor,
    action: str,
    note: str = "",
    from_status: str = "",
    department=None,
    **data,
) -> TicketEvent:
    return TicketEvent.objects.create(
        ticket=ticket,
        action=action,
        actor=_user_or_none(actor),
        department=department,
        from_status=from_status,
        to_status=ticket.status,
        note=note,
        data=data,
    )


#: Steps taken by the lead department's handlers; only these name a department on the
#: timeline (next to a dispatcher's or agent's step it would read as the actor's department).
HANDLER_ACTIONS = frozenset(
    {EventAction.SIGN, EventAction.REPLY, EventAction.RETURN, EventAction.EXTENSION_REQUEST}
)


def _save(ticket: Ticket, actor, action: str, before: dict, note: str = "", **data) -> Ticket:
    ticket.version += 1
    ticket.save()
    _event(
        ticket,
        actor,
        action,
        note=note,
        from_status=before.get("status", ""),
        department=ticket.lead_department if action in HANDLER_ACTIONS else None,
        **data,
    )
    record(
        actor=actor,
        action=f"hotline.{action}",
        obj=ticket,
        before=before,
        after=_snapshot(ticket),
    )
    return ticket


def _lock(ticket: Ticket) -> Ticket:
    return (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("region", "lead_department", "category")
        .get(pk=ticket.pk)
    )


def _ensure_dispatcher(actor, ticket: Ticket) -> None:
    if not in_region_scope(actor, [Role.DISPATCHER], ticket.region):
        raise PermissionDenied(
            _("Only a 12345 dispatcher responsible for %(region)s can do this.")
            % {"region": ticket.region.name}
        )


def _ensure_agent(actor, ticket: Ticket) -> None:
    if not in_region_scope(actor, [Role.AGENT, Role.DISPATCHER], ticket.region):
        raise PermissionDenied(
            _("Only a 12345 agent responsible for %(region)s can do this.")
            % {"region": ticket.region.name}
        )


def _ensure_handler(actor, ticket: Ticket) -> None:
    if not is_handler_of(actor, ticket):
        dept = ticket.lead_department.name if ticket.lead_department else _("no department")
        raise PermissionDenied(
            _(
                "You cannot handle ticket %(number)s: it is assigned to %(dept)s in %(region)s, "
                "which is outside your post."
            )
            % {"number": ticket.number, "dept": dept, "region": ticket.region.name}
        )


def _clean_text(value: str, field: str, label: str, max_chars: int, errors: dict) -> str:
    value = (value or "").strip()
    if not value:
        errors.setdefault(field, []).append(_("Enter the %(label)s.") % {"label": label})
    elif len(value) > max_chars:
        errors.setdefault(field, []).append(
            _("The %(label)s is %(length)d characters long; at most %(max)d are allowed.")
            % {"label": label, "length": len(value), "max": max_chars}
        )
    return value


def _raise(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


def tokens_of(text: str) -> list[str]:
    """Distinct search words of ``text`` (rjieba via ``yiwang.search``), in order."""
    from yiwang.search.text import segment

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


def town_of(region: Region | None) -> Region | None:
    node = region
    while node is not None and node.level > Level.TOWN:
        node = node.parent
    return node if node is not None and node.level == Level.TOWN else None


def county_region() -> Region:
    county = intake_regions.get().county
    if county is None:
        raise Region.DoesNotExist(f"the county {COUNTY_CODE} is not loaded")
    return county


def _check_photos(photos: Sequence, field: str, errors: dict) -> list[CheckedFile]:
    photos = [p for p in (photos or ()) if p]
    if len(photos) > MAX_PHOTOS:
        errors.setdefault(field, []).append(
            _("At most %(max)d photos can be attached; you attached %(count)d.")
            % {"max": MAX_PHOTOS, "count": len(photos)}
        )
        return []
    checked = []
    for i, upload in enumerate(photos, start=1):
        try:
            checked.append(check_photo(upload, _("Photo %(n)d") % {"n": i}))
        except ValidationError as exc:
            errors.setdefault(field, []).extend(exc.messages)
    return checked


def _store_photos(ticket: Ticket, checked: list[CheckedFile], actor, stage: str) -> list[str]:
    """Save checked photos; returns the stored paths (the caller deletes them on failure)."""
    saved: list[str] = []
    try:
        for photo in checked:
            path = default_storage.save(
                f"hotline/{timezone.now():%Y/%m}/{photo.sha256[:16]}.{photo.extension}",
                ContentFile(photo.content),
            )
            saved.append(path)
            TicketPhoto.objects.create(
                ticket=ticket,
                stage=stage,
                file=path,
                original_name=photo.original_name,
                content_type=photo.content_type,
                size=photo.size,
                sha256=photo.sha256,
                uploaded_by=_user_or_none(actor),
            )
    except Exception:
        _delete_files(saved)
        raise
    return saved


def _delete_files(paths: Iterable[str]) -> None:
    for path in paths:
        try:
            default_storage.delete(path)
        except OSError:  # pragma: no cover - best effort
            log.warning("could not delete %s", path)


def _coord(value, name: str, errors: dict) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        result = Decimal(str(value)).quantize(Decimal("0.000001"))
        if not result.is_finite():  # NaN passes quantize and then fails every comparison
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        errors.setdefault(name, []).append(
            _("%(value)s is not a number; enter decimal degrees such as 24.3512.")
            % {"value": shown(value)}
        )
        return None
    return result


def _photo_position(checked: Sequence[CheckedFile]) -> tuple[Decimal | None, Decimal | None]:
    """Where the first located photo was taken, when in the county and the caller gave no
    point: the position stays with the ticket, the stored photo carries none."""
    lat_min, lat_max, lng_min, lng_max = COUNTY_BBOX
    for item in checked:
        if item.gps is None:
            continue
        lat, lng = (Decimal(str(v)).quantize(Decimal("0.000001")) for v in item.gps)
        if lat_min <= lat <= lat_max and lng_min <= lng <= lng_max:
            return lat, lng
    return None, None


def _time_limit(type_: str, urgent: bool) -> tuple[int, int]:
    row = TimeLimit.objects.filter(type=type_, urgent=urgent).first()
    if row is not None:
        return row.days, row.sign_days
    return DEFAULT_TIME_LIMITS[(TicketType(type_), urgent)]


def start_clock(ticket: Ticket, now: datetime) -> None:
    """Set ``due_at`` and ``sign_due`` from the time limits, counted in working days."""
    days, sign_days = _time_limit(ticket.type, ticket.urgent)
    due = workdays.due_date(now, days)
    sign = workdays.due_date(now, sign_days)
    ticket.due_at, ticket.sign_due = due.date, min(sign.date, due.date)
    ticket.due_provisional = due.provisional
    ticket.supervised_at = None
    ticket.escalated, ticket.escalated_at = False, None
    refresh_deadline(ticket, now)


def refresh_deadline(ticket: Ticket, now: datetime | None = None) -> None:
    now = now or timezone.now()
    if ticket.status in RUNNING_STATUSES and ticket.due_at:
        ticket.deadline_status = workdays.deadline_status(ticket.due_at, workdays.local_date(now))
    elif ticket.status not in (Status.REPLIED,):
        ticket.deadline_status = workdays.DeadlineStatus.NORMAL


def _users_with(roles: Sequence[str], region: Region, department_id: int | None = None):
    posts = Post.objects.filter(active=True, role__in=roles, user__is_active=True).select_related(
        "user", "region"
    )
    if department_id is not None:
        posts = posts.filter(department_id=department_id)
    users = {}
    for post in posts:
        if region.path.startswith(post.region.path):
            users[post.user_id] = post.user
    return list(users.values())


def _notify_many(users, title: str, body: str, link: str) -> None:
    for user in users:
        notify(user=user, title=title, body=body, link=link)


def _link(ticket: Ticket) -> str:
    return f"/hotline/{ticket.pk}/"


def _notify_department(ticket: Ticket, title: str, body: str) -> None:
    if ticket.lead_department_id:
        _notify_many(
            _users_with([Role.HANDLER], ticket.region, ticket.lead_department_id),
            title,
            body,
            _link(ticket),
        )


def _notify_dispatchers(ticket: Ticket, title: str, body: str) -> None:
    _notify_many(_users_with([Role.DISPATCHER], ticket.region), title, body, _link(ticket))


# --- intake -----------------------------------------------------------------


@transaction.atomic
def register_ticket(
    *,
    actor,
    channel: str,
    type: str,
    category,
    content: str,
    caller_name: str = "",
    caller_phone: str = "",
    anonymous: bool = False,
    address: str = "",
    lat=None,
    lng=None,
    region: Region | None = None,
    urgent: bool | None = None,
    photos: Sequence = (),
    answered_from_kb: int | None = None,
    source_ref: str = "",
    audit_extra: dict | None = None,
    on_registered: Callable[[Ticket], None] | None = None,
) -> Registered:
    """Register a ticket from any channel; returns it with proposed duplicates.

    ``category``: a leaf Category or its pk/code. ``region``: the town or village
    (None: the county). A consultation with ``answered_from_kb`` (an article id)
    is closed at once (即时办结). ``urgent=None``: the category's default.
    ``on_registered(ticket)``: a channel's own rows, written in the same transaction before
    the audit entry (which holds the chain's lock until commit).
    """
    errors: dict[str, list] = {}
    if channel not in Channel.values:
        errors["channel"] = [_("Unknown channel “%(value)s”.") % {"value": channel}]
    if type not in TicketType.values:
        errors["type"] = [
            _(
                "Unknown ticket type “%(value)s”; choose consultation, help, complaint, report or suggestion."
            )
            % {"value": type}
        ]
    cat = _resolve_category(category, errors)
    content = _clean_text(content, "content", _("description"), CONTENT_MAX_CHARS, errors)
    caller_name = (caller_name or "").strip()[:50]
    phone = normalise_phone(caller_phone or "")
    if phone and not (phone.isdigit() and 7 <= len(phone) <= 20):
        errors["caller_phone"] = [
            _(
                "%(value)s is not a phone number; enter digits only, e.g. 13812345678 or 07535512345."
            )
            % {"value": caller_phone}
        ]
    address = (address or "").strip()
    if len(address) > 200:
        errors["address"] = [_("The address may be at most 200 characters long.")]
    lat_d, lng_d = _coord(lat, "lat", errors), _coord(lng, "lng", errors)
    if (lat_d is None) != (lng_d is None) and "lat" not in errors and "lng" not in errors:
        errors["lat"] = [_("Give both latitude and longitude, or neither.")]
    elif lat_d is not None and lng_d is not None:
        lat_min, lat_max, lng_min, lng_max = COUNTY_BBOX
        if not (lat_min <= lat_d <= lat_max and lng_min <= lng_d <= lng_max):
            errors["lat"] = [
                _(
                    "The location (%(lat)s, %(lng)s) is outside Dabu County; 12345 Dabu only handles "
                    "requests within the county (latitude %(lat_min)s–%(lat_max)s, longitude "
                    "%(lng_min)s–%(lng_max)s). Check the point on the map."
                )
                % {
                    "lat": lat_d,
                    "lng": lng_d,
                    "lat_min": lat_min,
                    "lat_max": lat_max,
                    "lng_min": lng_min,
                    "lng_max": lng_max,
                }
            ]
    if region is None:
        region = county_region()
    elif f"{COUNTY_CODE}/" not in region.path:
        errors["region"] = [
            _("%(region)s is not in Dabu County; choose a town or village of the county.")
            % {"region": region.name}
        ]
    if answered_from_kb and type != TicketType.CONSULT:
        errors.setdefault("type", []).append(
            _("Only consultations can be answered from the knowledge base and closed at once.")
        )
    checked = _check_photos(photos, "photos", errors)
    _raise(errors)
    if lat_d is None and lng_d is None:
        lat_d, lng_d = _photo_position(checked)

    # Permission: staff intake by agents/dispatchers (grid workers for grid reports);
    # citizens (logged in or SMS-verified, checked by the view) on the web; systems for APIs.
    if channel == Channel.PHONE:
        if not in_region_scope(actor, STAFF_INTAKE_ROLES, region):
            raise PermissionDenied(_("Only a 12345 agent can register phone calls."))
    elif channel == Channel.GRID:
        if not (
            actor is None
            or isinstance(actor, str)
            or in_region_scope(actor, [Role.GRID_WORKER, *STAFF_INTAKE_ROLES], region)
            or _assigned_to_grid_in(actor, region)
        ):
            raise PermissionDenied(
                _("Only a grid worker of %(region)s can report here.") % {"region": region.name}
            )
    elif (
        channel in (Channel.OPEN311, Channel.SENSOR) and _is_user(actor) and not actor.is_superuser
    ):
        raise PermissionDenied(_("This channel is reserved for connected systems."))
    if urgent is None:
        urgent = cat.default_urgent

    citizen = None
    if channel == Channel.WEB and _is_user(actor) and not actor.is_staff:
        citizen = actor
        caller_name = caller_name or actor.real_name
        phone = phone or normalise_phone(getattr(actor, "phone", "") or "")

    now = timezone.now()
    ticket = Ticket(
        number=f"tmp-{uuid.uuid4().hex[:27]}",
        channel=channel,
        type=type,
        urgent=bool(urgent),
        category=cat,
        content=content,
        tokens=" ".join(tokens_of(content)),
        citizen=citizen,
        caller_name="" if anonymous else caller_name,
        caller_phone=phone,
        caller_phone_index=blind_index(phone, PHONE_INDEX_PURPOSE) if phone else "",
        anonymous=bool(anonymous),
        address=address,
        lat=lat_d,
        lng=lng_d,
        region=region,
        town=town_of(region),
        status=Status.NEW,
        registered_by=_user_or_none(actor),
        source_ref=(source_ref or "")[:64],
    )
    if answered_from_kb:
        ticket.status = Status.CLOSED
        ticket.kb_article_id = int(answered_from_kb)
        ticket.closed_at = now
        ticket.reply = _("Answered from the knowledge base during the call (article %(id)s).") % {
            "id": answered_from_kb
        }
    ticket.version = 1
    reserved = _reserve_ticket_id()
    if reserved is not None:  # the number goes in with the row
        ticket.pk, ticket.number = reserved, _ticket_number(now, reserved)
        ticket.save(force_insert=True)
    else:
        ticket.save()
        ticket.number = _ticket_number(now, ticket.pk)
        Ticket.objects.filter(pk=ticket.pk).update(number=ticket.number)
    # Before record(): the audit entry locks the chain's head until commit, so nothing slow
    # may run after it.
    duplicates = [] if ticket.status == Status.CLOSED else find_duplicates(ticket)
    saved = _store_photos(ticket, checked, actor, PhotoStage.REPORT)
    try:
        _event(ticket, actor, EventAction.REGISTER, channel=channel)
        if answered_from_kb:
            _event(ticket, actor, EventAction.CLOSE_AT_ONCE, kb_article_id=int(answered_from_kb))
        if on_registered is not None:
            on_registered(ticket)
        # One audit entry per intake; channels add what they know (e.g. the Open311 client).
        record(
            actor=actor,
            action="hotline.register",
            obj=ticket,
            after=_snapshot(ticket),
            **(audit_extra or {}),
        )
    except Exception:
        _delete_files(saved)
        raise
    return Registered(ticket, duplicates)


def _ticket_number(now: datetime, pk: int) -> str:
    return f"12345-{workdays.local_date(now):%Y%m%d}-{pk:06d}"


def _reserve_ticket_id() -> int | None:
    """On PostgreSQL, the ticket's id drawn from its sequence before the INSERT, so the number
    is written with the row: an UPDATE would rewrite every index of the table."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cur:
        cur.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id'))", [Ticket._meta.db_table])
        return cur.fetchone()[0]


def _resolve_category(category, errors: dict) -> Category | None:
    """A Category, or its id or code, checked to be an active leaf (from the process's tree)."""
    tree = category_tree.get()
    cat = None
    if isinstance(category, Category):
        cat = category
    elif category not in (None, ""):
        found = [tree.by_code.get(str(category))]
        if str(category).isdigit():
            found.append(tree.by_id.get(int(category)))
        cat = max(filter(None, found), key=lambda c: c.level, default=None)
    if cat is None:
        errors["category"] = [
            _("Unknown category “%(value)s”; choose one from the category list.")
            % {"value": category or ""}
        ]
        return None
    if not cat.active:
        errors["category"] = [
            _("The category “%(name)s” is no longer in use; choose another one.")
            % {"name": cat.name}
        ]
    elif cat.pk in tree.groups:
        errors["category"] = [
            _("“%(name)s” is a group; choose one of its sub-categories.") % {"name": cat.name}
        ]
    return cat


# --- duplicates ---------------------------------------------------------------


def find_duplicates(
    ticket: Ticket | None = None,
    *,
    text: str = "",
    category=None,
    town: Region | None = None,
    lat=None,
    lng=None,
    window_days: int = 3,
    now: datetime | None = None,
    limit: int = 5,
) -> list[Ticket]:
    """Open tickets of the last ``window_days`` in the same town that look like the same
    matter: similar words (Jaccard ≥ ``DUPLICATE_MIN_SIMILARITY``) and the same category
    or within ``DUPLICATE_MAX_METRES``. Each result carries ``.similarity``."""
    if ticket is not None:
        words = ticket.tokens.split() if ticket.tokens else tokens_of(ticket.content)
        category_id, town_id = ticket.category_id, ticket.town_id
        lat, lng, exclude = ticket.lat, ticket.lng, ticket.pk
        region_id = ticket.region_id
    else:
        words = tokens_of(text)
        category_id = getattr(category, "pk", category)
        town_id, exclude, region_id = getattr(town, "pk", town), None, None
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
    # Only the same category or a box around the point can qualify: the database narrows
    # the candidates, Python measures words and exact distance on plain tuples.
    same_matter = Q(category_id=category_id)
    if lat is not None and lng is not None:
        here_lat, here_lng = Decimal(str(lat)), Decimal(str(lng))
        dlat = Decimal(DUPLICATE_MAX_METRES / 111_000)
        dlng = Decimal(DUPLICATE_MAX_METRES / (111_000 * math.cos(math.radians(float(lat)))))
        same_matter |= Q(
            lat__range=(here_lat - dlat, here_lat + dlat),
            lng__range=(here_lng - dlng, here_lng + dlng),
        )
    qs = Ticket.objects.filter(where & same_matter)
    fields = ["id", "number", "content", "tokens", "category_id", "lat", "lng", "status"]
    candidates = qs.order_by("-created_at").values_list(*fields, "created_at")[
        :DUPLICATE_CANDIDATES
    ]
    found = []
    word_set = set(words)
    for row in candidates:
        pk, _number, _content, tokens, other_category, other_lat, other_lng, *_rest = row
        if pk == exclude:
            continue
        score = jaccard(word_set, tokens.split())
        if score < DUPLICATE_MIN_SIMILARITY:
            continue
        near = (
            lat is not None
            and other_lat is not None
            and distance_m(lat, lng, other_lat, other_lng) <= DUPLICATE_MAX_METRES
        )
        if other_category == category_id or near:
            found.append((round(score, 2), pk, row))
    found.sort(key=lambda f: (-f[0], -f[1]))
    # Model.from_db() takes the values in the model's field order, not the order they
    # were selected in: rearrange each row, or the description would show the tokens.
    selected = [*fields, "created_at"]
    ordered = [f.attname for f in Ticket._meta.concrete_fields if f.attname in selected]
    result = []
    for score, _pk, row in found[:limit]:
        # The fields read, as with .only(): no second query for the few proposed.
        values = dict(zip(selected, row, strict=True))
        other = Ticket.from_db(qs.db, ordered, [values[name] for name in ordered])
        other.similarity = score
        result.append(other)
    return result


# --- dispatch -------------------------------------------------------------------


def suggest_dispatch(ticket: Ticket) -> tuple[Department | None, list[Department]]:
    """The 派单目录's suggestion: the most specific region, then category, then priority."""
    category_ids = []
    node = ticket.category
    while node is not None:
        category_ids.append(node.pk)
        node = node.parent
    rules_ = (
        DispatchRule.objects.filter(active=True, category_id__in=category_ids)
        .select_related("region", "lead_department")
        .prefetch_related("co_departments")
    )
    best, best_key = None, None
    for rule in rules_:
        if not ticket.region.path.startswith(rule.region.path):
            continue
        key = (len(rule.region.path), -category_ids.index(rule.category_id), rule.priority)
        if best_key is None or key > best_key:
            best, best_key = rule, key
    if best is None:
        return None, []
    return best.lead_department, list(best.co_departments.all())


def _clean_departments(lead, co, errors: dict) -> tuple[Department | None, list[Department]]:
    if lead is None:
        errors["lead_department"] = [_("Choose the lead department.")]
    co_list = []
    for dept in co or ():
        if lead is not None and dept.pk == lead.pk:
            continue
        if dept.pk not in {d.pk for d in co_list}:
            co_list.append(dept)
    return lead, co_list


def _assign(ticket: Ticket, actor, lead: Department, co: list[Department], now) -> None:
    ticket.lead_department = lead
    ticket.dispatcher = _user_or_none(actor)
    ticket.handler = None
    ticket.signed_at = None
    ticket.dispatched_at = now
    ticket.status = Status.DISPATCHED
    start_clock(ticket, now)


@transaction.atomic
def dispatch(
    *, actor, ticket: Ticket, lead_department: Department, co_departments=(), note: str = ""
) -> Ticket:
    """派单: send a new ticket to its lead department (主办) and co-handlers (协办); the clock starts."""
    errors: dict = {}
    lead, co = _clean_departments(lead_department, co_departments, errors)
    _raise(errors)
    ticket = _lock(ticket)
    _ensure_dispatcher(actor, ticket)
    rules.ensure_allowed("dispatch", ticket)
    before, now = _snapshot(ticket), timezone.now()
    _assign(ticket, actor, lead, co, now)
    _save(ticket, actor, EventAction.DISPATCH, before, note=(note or "").strip()[:MAX_REASON_CHARS])
    ticket.co_departments.set(co)
    _notify_department(
        ticket,
        _("New 12345 ticket"),
        _("Ticket %(number)s has been dispatched to you; sign for it by %(sign_due)s.")
        % {"number": ticket.number, "sign_due": ticket.sign_due},
    )
    return ticket


@transaction.atomic
def sign_for(*, actor, ticket: Ticket) -> Ticket:
    """签收 by a handler of the lead department."""
    ticket = _lock(ticket)
    _ensure_handler(actor, ticket)
    rules.ensure_allowed("sign_for", ticket)
    before = _snapshot(ticket)
    ticket.status, ticket.handler, ticket.signed_at = Status.SIGNED, actor, timezone.now()
    refresh_deadline(ticket)
    return _save(ticket, actor, EventAction.SIGN, before)


@transaction.atomic
def reply(*, actor, ticket: Ticket, text: str, photos: Sequence = ()) -> Ticket:
    """答复: the lead department's reply, with photos; the dispatcher then reviews it."""
    errors: dict = {}
    text = _clean_text(text, "text", _("reply"), CONTENT_MAX_CHARS, errors)
    checked = _check_photos(photos, "photos", errors)
    _raise(errors)
    ticket = _lock(ticket)
    _ensure_handler(actor, ticket)
    rules.ensure_allowed("reply", ticket)
    before = _snapshot(ticket)
    ticket.status, ticket.reply, ticket.replied_by = Status.REPLIED, text, actor
    ticket.replied_at = timezone.now()
    saved = _store_photos(ticket, checked, actor, PhotoStage.REPLY)
    try:
        _save(ticket, actor, EventAction.REPLY, before, note=text)
    except Exception:
        _delete_files(saved)
        raise
    Ticket.objects.filter(merged_into=ticket).update(reply=text, replied_at=ticket.replied_at)
    _notify_dispatchers(
        ticket,
        _("Reply to review"),
        _("%(dept)s replied to ticket %(number)s.")
        % {"dept": ticket.lead_department.name, "number": ticket.number},
    )
    return ticket


@transaction.atomic
def return_ticket(*, actor, ticket: Ticket, reason: str) -> Ticket:
    """退单: the lead department says the ticket is not theirs; the dispatcher reviews it."""
    errors: dict = {}
    reason = _clean_text(reason, "reason", _("reason for returning"), MAX_REASON_CHARS, errors)
    _raise(errors)
    ticket = _lock(ticket)
    _ensure_handler(actor, ticket)
    rules.ensure_allowed("return_ticket", ticket)
    before = _snapshot(ticket)
    ticket.status = Status.RETURNED
    refresh_deadline(ticket)
    _save(ticket, actor, EventAction.RETURN, before, note=reason)
    _notify_dispatchers(
        ticket,
        _("Ticket returned"),
        _("%(dept)s returned ticket %(number)s: %(reason)s")
        % {"dept": ticket.lead_department.name, "number": ticket.number, "reason": reason},
    )
    return ticket


@transaction.atomic
def redispatch(
    *, actor, ticket: Ticket, lead_department: Department, co_departments=(), note: str = ""
) -> Ticket:
    """改派: send a returned (or misrouted) ticket to another department; its clock restarts."""
    errors: dict = {}
    lead, co = _clean_departments(lead_department, co_departments, errors)
    _raise(errors)
    ticket = _lock(ticket)
    _ensure_dispatcher(actor, ticket)
    rules.ensure_allowed("redispatch", ticket)
    if lead.pk == ticket.lead_department_id and ticket.status == Status.RETURNED:
        raise ValidationError(
            {
                "lead_department": [
                    _(
                        "%(dept)s returned this ticket; choose another department, or reject the "
                        "return to send it back to them."
                    )
                    % {"dept": lead.name}
                ]
            }
        )
    before, now = _snapshot(ticket), timezone.now()
    _assign(ticket, actor, lead, co, now)
    _save(
        ticket,
        actor,
        EventAction.REDISPATCH,
        before,
        note=(note or "").strip()[:MAX_REASON_CHARS],
        previous_department=before["lead_department"],
    )
    ticket.co_departments.set(co)
    _notify_department(
        ticket,
        _("New 12345 ticket"),
        _("Ticket %(number)s has been re-dispatched to you; sign for it by %(sign_due)s.")
        % {"number": ticket.number, "sign_due": ticket.sign_due},
    )
    return ticket


@transaction.atomic
def reject_return(*, actor, ticket: Ticket, reason: str) -> Ticket:
    """The dispatcher refuses a return: the ticket goes back to the same department (clock unchanged)."""
    errors: dict = {}
    reason = _clean_text(reason, "reason", _("reason"), MAX_REASON_CHARS, errors)
    _raise(errors)
    ticket = _lock(ticket)
    _ensure_dispatcher(actor, ticket)
    rules.ensure_allowed("reject_return", ticket)
    before = _snapshot(ticket)
    ticket.status = Status.SIGNED if ticket.signed_at else Status.DISPATCHED
    refresh_deadline(ticket)
    _save(ticket, actor, EventAction.REJECT_RETURN, before, note=reason)
    _notify_department(
        ticket,
        _("Return rejected"),
        _("The return of ticket %(number)s was rejected: %(reason)s")
        % {"number": ticket.number, "reason": reason},
    )
    return ticket


@transaction.atomic
def request_extension(*, actor, ticket: Ticket, days: int, reason: str) -> ExtensionRequest:
    """延期申请: only before the deadline has passed, one pending request at a time."""
    errors: dict = {}
    reason = _clean_text(reason, "reason", _("reason for the extension"), MAX_REASON_CHARS, errors)
    try:
        days = int(days)
    except (TypeError, ValueError):
        days = 0
    if not 1 <= days <= MAX_EXTENSION_DAYS:
        errors["days"] = [
            _("Ask for between 1 and %(max)d working days.") % {"max": MAX_EXTENSION_DAYS}
        ]
    _raise(errors)
    ticket = _lock(ticket)
    _ensure_handler(actor, ticket)
    rules.ensure_allowed("request_extension", ticket)
    today = workdays.today()
    if ticket.due_at is None or today > ticket.due_at:
        raise ValidationError(
            _(
                "The deadline of ticket %(number)s (%(due)s) has passed; an extension must be asked "
                "for before the deadline. Reply as soon as possible and explain the delay."
            )
            % {"number": ticket.number, "due": ticket.due_at},
            code="extension_after_deadline",
        )
    if ticket.extensions.filter(approved__isnull=True).exists():
        raise ValidationError(
            _("An extension request for this ticket is already waiting for a decision."),
            code="extension_pending",
        )
    request = ExtensionRequest.objects.create(
        ticket=ticket, requested_by=actor, days=days, reason=reason, previous_due=ticket.due_at
    )
    before = _snapshot(ticket)
    _save(ticket, actor, EventAction.EXTENSION_REQUEST, before, note=reason, days=days)
    _notify_dispatchers(
        ticket,
        _("Extension requested"),
        _("%(dept)s asks for %(days)d more working days for ticket %(number)s.")
        % {"dept": ticket.lead_department.name, "days": days, "number": ticket.number},
    )
    return request


@transaction.atomic
def decide_extension(
    *, actor, request: ExtensionRequest, approve: bool, note: str = ""
) -> ExtensionRequest:
    """The dispatcher approves (deadline moves by the working days asked) or refuses."""
    note = (note or "").strip()[:MAX_REASON_CHARS]
    if not approve and not note:
        raise ValidationError({"note": [_("Give the reason for refusing the extension.")]})
    request = ExtensionRequest.objects.select_for_update().get(pk=request.pk)
    ticket = _lock(request.ticket)
    _ensure_dispatcher(actor, ticket)
    if not request.pending:
        raise ValidationError(
            _("This extension request has already been decided."), code="already_decided"
        )
    rules.ensure_allowed("decide_extension", ticket)
    before = _snapshot(ticket)
    request.approved, request.decided_by, request.decided_at = (
        bool(approve),
        actor,
        timezone.now(),
    )
    request.decision_note = note
    if approve:
        new_due = workdays.add_working_days(ticket.due_at, request.days)
        ticket.due_at, request.new_due = new_due.date, new_due.date
        ticket.due_provisional = ticket.due_provisional or new_due.provisional
        ticket.supervised_at = None
        refresh_deadline(ticket)
    request.save()
    _save(
        ticket,
        actor,
        EventAction.EXTENSION_DECISION,
        before,
        note=note,
        approved=bool(approve),
        days=request.days,
    )
    _notify_department(
        ticket,
        _("Extension approved") if approve else _("Extension refused"),
        _("Ticket %(number)s: deadline %(due)s.") % {"number": ticket.number, "due": ticket.due_at},
    )
    return request


def _close_merged(ticket: Ticket, now) -> None:
    Ticket.objects.filter(merged_into=ticket, status=Status.MERGED).update(
        status=Status.CLOSED,
        closed_at=now,
        reply=ticket.reply,
        replied_at=ticket.replied_at,
        lead_department=ticket.lead_department,
        updated_at=now,
    )


@transaction.atomic
def close(*, actor, ticket: Ticket, note: str = "") -> Ticket:
    """办结: the dispatcher accepts the reply; merged tickets close with it."""
    ticket = _lock(ticket)
    _ensure_dispatcher(actor, ticket)
    rules.ensure_allowed("close", ticket)
    before, now = _snapshot(ticket), timezone.now()
    ticket.status, ticket.closed_at = Status.CLOSED, now
    ticket.callback_at, ticket.satisfaction = None, Satisfaction.NONE
    refresh_deadline(ticket)
    _save(ticket, actor, EventAction.CLOSE, before, note=(note or "").strip()[:MAX_REASON_CHARS])
    phone_only = list(
        Ticket.objects.filter(merged_into=ticket, status=Status.MERGED, citizen__isnull=True)
        .exclude(caller_phone_index="")
        .values_list("pk", flat=True)
    )
    if not ticket.citizen_id and ticket.caller_phone:
        phone_only.append(ticket.pk)
    _close_merged(ticket, now)
    _text_phone_only_callers(phone_only)
    if ticket.citizen_id:
        citizen = ticket.citizen
        notify(
            user=citizen,
            title=_("Your 12345 request has been answered"),
            body=ticket.reply[:500],
            link=f"/hotline/mine/{ticket.pk}/",
        )
    return ticket


def _text_phone_only_callers(ticket_ids: list[int]) -> None:
    """After commit, text callers without an account that their ticket is closed. Only ids go
    into the task queue; the task reads each number from the encrypted column."""
    if not ticket_ids:
        return

    def enqueue() -> None:
        for pk in ticket_ids:
            try:
                send_closure_sms.enqueue(pk)
            except Exception:
                log.exception("could not queue the closure SMS of ticket %s", pk)

    transaction.on_commit(enqueue)


@transaction.atomic
def send_back(*, actor, ticket: Ticket, reason: str) -> Ticket:
    """The dispatcher does not accept the reply: back to the lead department (still signed)."""
    errors: dict = {}
    reason = _clean_text(reason, "reason", _("reason"), MAX_REASON_CHARS, errors)
    _raise(errors)
    ticket = _lock(ticket)
    _ensure_dispatcher(actor, ticket)
    rules.ensure_allowed("send_back", ticket)
    before = _snapshot(ticket)
    ticket.status = Status.SIGNED
    refresh_deadline(ticket)
    _save(ticket, actor, EventAction.SEND_BACK, before, note=reason)
    _notify_department(
        ticket,
        _("Reply not accepted"),
        _("The reply to ticket %(number)s was sent back: %(reason)s")
        % {"number": ticket.number, "reason": reason},
    )
    return ticket


@transaction.atomic
def record_callback(*, actor, ticket: Ticket, satisfaction: str, note: str = "") -> Ticket:
    """回访: the agent records the caller's satisfaction. The first 不满意 reopens the ticket
    to its lead department with a new deadline; a second one is only recorded."""
    if satisfaction not in (
        Satisfaction.SATISFIED,
        Satisfaction.BASIC,
        Satisfaction.DISSATISFIED,
    ):
        raise ValidationError(
            {"satisfaction": [_("Choose satisfied, basically satisfied or dissatisfied.")]}
        )
    note = (note or "").strip()[:MAX_REASON_CHARS]
    ticket = _lock(ticket)
    _ensure_agent(actor, ticket)
    rules.ensure_allowed("record_callback", ticket)
    if ticket.callback_at is not None:
        raise ValidationError(
            _("Ticket %(number)s was already called back on %(at)s.")
            % {"number": ticket.number, "at": timezone.localtime(ticket.callback_at).date()},
            code="already_called_back",
        )
    before, now = _snapshot(ticket), timezone.now()
    ticket.satisfaction, ticket.callback_at, ticket.callback_by = satisfaction, now, actor
    ticket.callback_note = note
    reopen = (
        satisfaction == Satisfaction.DISSATISFIED
        and ticket.reopened_count == 0
        and ticket.lead_department_id is not None
    )
    _save(ticket, actor, EventAction.CALLBACK, before, note=note, satisfaction=satisfaction)
    if reopen:
        before = _snapshot(ticket)
        ticket.status = Status.REOPENED
        ticket.reopened_count += 1
        ticket.callback_at, ticket.satisfaction = None, Satisfaction.NONE
        ticket.handler, ticket.signed_at, ticket.closed_at = None, None, None
        start_clock(ticket, now)
        _save(ticket, actor, EventAction.REOPEN, before, note=note)
        _notify_department(
            ticket,
            _("Ticket reopened"),
            _("The caller of ticket %(number)s is dissatisfied; handle it again by %(due)s.")
            % {"number": ticket.number, "due": ticket.due_at},
        )
    return ticket


# --- the caller's number (purpose-bound reveal) ------------------------------------------

#: Agents and dispatchers may still call back this many days after a ticket closed (beyond
#: the call-back itself, which stays possible until it is recorded).
REVEAL_DAYS_AFTER_CLOSE = 7
AGENT_REVEAL_PURPOSES = (Purpose.CALLBACK, Purpose.CONTACT)
HANDLER_REVEAL_PURPOSES = (Purpose.CONTACT,)


def _caller_reveal_basis(actor, ticket: Ticket) -> str:
    """On which footing (``"agent"`` or ``"handler"``) ``actor`` may see the caller's number now.

    Agents and dispatchers of the ticket's region: while it is open, and after closing until
    the call-back is recorded and for ``REVEAL_DAYS_AFTER_CLOSE`` days. The lead department's
    handlers: while they work it (dispatched, signed, reopened), and never for an anonymous
    caller: anonymity means the handling department does not learn who called; the 12345
    centre calls back. Raises PermissionDenied or ValidationError (code ``ticket_closed``).
    """
    if ticket.status == Status.MERGED:
        raise ValidationError(
            _(
                "Ticket %(number)s was merged: contact the caller from the ticket it was merged into."
            )
            % {"number": ticket.number},
            code="ticket_merged",
        )
    if in_region_scope(actor, [Role.AGENT, Role.DISPATCHER], ticket.region):
        if ticket.status in OPEN_STATUSES:
            return "agent"
        recent = ticket.closed_at is not None and timezone.now() - ticket.closed_at <= timedelta(
            days=REVEAL_DAYS_AFTER_CLOSE
        )
        if ticket.status == Status.CLOSED and (ticket.callback_at is None or recent):
            return "agent"
        raise ValidationError(
            _(
                "Ticket %(number)s was closed and called back more than %(days)d days ago: "
                "the caller's number is no longer shown."
            )
            % {"number": ticket.number, "days": REVEAL_DAYS_AFTER_CLOSE},
            code="ticket_closed",
        )
    if ticket.lead_department_id and is_handler_of(actor, ticket):
        if ticket.anonymous:
            raise PermissionDenied(
                _(
                    "The caller of ticket %(number)s asked to stay anonymous: the handling "
                    "department does not see their number. Ask the 12345 centre to pass on "
                    "your questions."
                )
                % {"number": ticket.number}
            )
        if ticket.status in RUNNING_STATUSES:
            return "handler"
        raise ValidationError(
            _(
                "Ticket %(number)s is %(status)s: handlers see the caller's number only while "
                "they work on the ticket."
            )
            % {"number": ticket.number, "status": ticket.status_label},
            code="ticket_closed",
        )
    raise PermissionDenied(
        _(
            "Only 12345 agents and dispatchers of %(region)s and the lead department's handlers "
            "working on ticket %(number)s can see the caller's number."
        )
        % {"region": ticket.region.name, "number": ticket.number}
    )


def may_reveal_caller(actor, ticket: Ticket) -> bool:
    """Whether the ticket page offers the reveal of the caller's number (the action checks again)."""
    if not ticket.caller_phone:
        return False
    try:
        _caller_reveal_basis(actor, ticket)
    except (PermissionDenied, ValidationError):
        return False
    return True


def caller_reveal_purposes(actor, ticket: Ticket) -> tuple[str, ...]:
    """The purposes the reveal form offers ``actor`` on ``ticket``."""
    if in_region_scope(actor, [Role.AGENT, Role.DISPATCHER], ticket.region):
        return tuple(AGENT_REVEAL_PURPOSES)
    return tuple(HANDLER_REVEAL_PURPOSES)


@disclosing
def reveal_caller_phone(*, actor, ticket: Ticket, purpose: str, reason: str) -> str:
    """Show the caller's full number to call back (回访) or contact them (联系来电人); counted
    against the per-staff limit and recorded (privacy.record_disclosure) with the audit entry.
    The number is returned for one rendering only: never stored in the session or a cookie."""
    ticket = Ticket.objects.select_related("region", "lead_department", "citizen").get(pk=ticket.pk)
    basis = _caller_reveal_basis(actor, ticket)
    allowed = AGENT_REVEAL_PURPOSES if basis == "agent" else HANDLER_REVEAL_PURPOSES
    if purpose in Purpose.values and purpose not in allowed:
        text = _("On this ticket the caller's number is shown to you only for: %(purposes)s.")
        purposes = "、".join(str(Purpose(p).label) for p in allowed)
        raise ValidationError(
            {"purpose": [ValidationError(text % {"purposes": purposes}, code="invalid_purpose")]}
        )
    if not ticket.caller_phone:
        raise ValidationError(
            _("The caller of ticket %(number)s left no phone number.") % {"number": ticket.number},
            code="no_value",
        )
    record_disclosure(
        actor=actor,
        obj=ticket,
        field="phone",
        purpose=purpose,
        reason=reason,
        subject=ticket.citizen,
        subject_phone=ticket.caller_phone,
        subject_label="" if ticket.anonymous else ticket.caller_name,
        department=ticket.lead_department if basis == "handler" else None,
        object_label=ticket.number,
        object_url=_link(ticket),
    )
    return ticket.caller_phone


@transaction.atomic
def merge(*, actor, ticket: Ticket, into: Ticket, note: str = "") -> Ticket:
    """Merge a duplicate into an open master ticket; the master's reply and closing apply to it."""
    if ticket.pk == into.pk:
        raise ValidationError(_("A ticket cannot be merged into itself."), code="merge_self")
    first, second = sorted([ticket.pk, into.pk])
    locked = {
        t.pk: t
        for t in Ticket.objects.select_for_update(of=("self",))
        .select_related("region", "lead_department", "category")
        .filter(pk__in=[first, second])
    }
    ticket, into = locked[ticket.pk], locked[into.pk]
    _ensure_dispatcher(actor, ticket)
    _ensure_dispatcher(actor, into)
    rules.ensure_allowed("merge", ticket)
    if into.status not in OPEN_STATUSES or into.merged_into_id is not None:
        raise ValidationError(
            _("Ticket %(number)s is “%(status)s”; merge into an open ticket.")
            % {"number": into.number, "status": into.get_status_display()},
            code="merge_target_closed",
        )
    before = _snapshot(ticket)
    ticket.status, ticket.merged_into = Status.MERGED, into
    ticket.deadline_status = workdays.DeadlineStatus.NORMAL
    _save(ticket, actor, EventAction.MERGE, before, note=note, into=into.number)
    # Tickets merged into this one follow it to the master.
    Ticket.objects.filter(merged_into=ticket).update(merged_into=into)
    _event(into, actor, EventAction.MERGE, note=note, merged=ticket.number)
    return ticket


# --- supervision ----------------------------------------------------------------


def supervise_overdue(now: datetime | None = None, batch: int = 500) -> dict[str, int]:
    """督办 (run by the worker): refresh deadline states; the day after a missed deadline
    notify the lead department's handlers and the dispatchers (once); escalate tickets
    still open ``ESCALATE_AFTER_WORKDAYS`` working days later to the leaders (once)."""
    now = now or timezone.now()
    counts = {"checked": 0, "warning": 0, "overdue": 0, "supervised": 0, "escalated": 0}
    with workdays.pinned():
        today = workdays.local_date(now)
        last = 0
        while True:
            ids = list(
                Ticket.objects.filter(
                    status__in=RUNNING_STATUSES, due_at__isnull=False, pk__gt=last
                )
                .order_by("pk")
                .values_list("pk", flat=True)[:batch]
            )
            if not ids:
                break
            last = ids[-1]
            for pk in ids:
                _supervise_one(pk, now, today, counts)
    return counts


@transaction.atomic
def _supervise_one(pk: int, now: datetime, today, counts: dict) -> None:
    ticket = (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("region", "lead_department")
        .get(pk=pk)
    )
    if ticket.status not in RUNNING_STATUSES:
        return
    before = _snapshot(ticket)
    old = (ticket.deadline_status, ticket.supervised_at, ticket.escalated)
    refresh_deadline(ticket, now)
    counts["checked"] += 1
    if ticket.deadline_status == workdays.DeadlineStatus.WARNING:
        counts["warning"] += 1
    if ticket.deadline_status == workdays.DeadlineStatus.OVERDUE:
        counts["overdue"] += 1
        if ticket.supervised_at is None:
            ticket.supervised_at = now
            counts["supervised"] += 1
            title = _("Overdue ticket: supervision")
            body = _("Ticket %(number)s (%(dept)s) missed its deadline of %(due)s.") % {
                "number": ticket.number,
                "dept": ticket.lead_department.name if ticket.lead_department else "",
                "due": ticket.due_at,
            }
            _notify_department(ticket, title, body)
            _notify_dispatchers(ticket, title, body)
            _event(ticket, None, EventAction.SUPERVISE, note=body, from_status=ticket.status)
            record(actor=None, action="hotline.supervise", obj=ticket, after=_snapshot(ticket))
        late = workdays.working_days_between(ticket.due_at, today)
        if not ticket.escalated and late >= ESCALATE_AFTER_WORKDAYS:
            ticket.escalated, ticket.escalated_at = True, now
            counts["escalated"] += 1
            body = _("Ticket %(number)s is %(days)d working days overdue.") % {
                "number": ticket.number,
                "days": late,
            }
            _notify_many(
                _users_with([Role.LEADER], ticket.region),
                _("Overdue ticket escalated"),
                body,
                _link(ticket),
            )
            _event(ticket, None, EventAction.ESCALATE, note=body, from_status=ticket.status)
            record(
                actor=None,
                action="hotline.escalate",
                obj=ticket,
                before=before,
                after=_snapshot(ticket),
            )
    if (ticket.deadline_status, ticket.supervised_at, ticket.escalated) != old:
        ticket.save(
            update_fields=[
                "deadline_status",
                "supervised_at",
                "escalated",
                "escalated_at",
                "updated_at",
            ]
        )
