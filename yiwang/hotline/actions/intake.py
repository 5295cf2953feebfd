"""Intake: registering a ticket from any channel (phone, web, grid, sensor, Open311).

``register_ticket`` is the one way in: it checks the input (every problem at once), who may
use the channel, numbers the ticket, stores its photos, proposes duplicates and writes the
timeline and the audit entry. Channels with their own rows (Open311) add them through
``on_registered`` in the same transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yiwang.accounts.models import User, normalise_phone
from yiwang.audit.actions import record
from yiwang.audit.actors import is_system
from yiwang.gmcrypto.core import blind_index
from yiwang.grid.models import GridAssignment
from yiwang.orgs.models import Role
from yiwang.orgs.scope import county_region, covers
from yiwang.regions.extent import county_bounds, in_county
from yiwang.regions.models import Region
from yiwang.web.params import shown
from yiwang.web.uploads import CheckedFile
from yiwang.workdays import calendar as workdays

from ..models import (
    CONTENT_MAX_CHARS,
    COUNTY_CODE,
    Category,
    Channel,
    EventAction,
    PhotoStage,
    Status,
    Ticket,
    TicketType,
    category_tree,
)
from ._common import (
    add_event,
    check_photos,
    clean_text,
    delete_files,
    is_user,
    snapshot,
    store_photos,
    user_or_none,
)
from .duplicates import find_duplicates, tokens_of

#: The purpose of the callers' phone blind index (``queries.caller_history`` looks up by it).
PHONE_INDEX_PURPOSE = "hotline_phone"
STAFF_INTAKE_ROLES = (Role.AGENT, Role.DISPATCHER)
SYSTEM_CHANNELS = (Channel.OPEN311, Channel.SENSOR, Channel.GRID)
MICRODEGREE = Decimal("0.000001")


class Registered(NamedTuple):
    ticket: Ticket
    duplicates: list[Ticket]


@dataclass
class Intake:
    """A registration's input once checked: what the new ticket is made of."""

    channel: str
    type: str
    category: Category
    content: str
    caller_name: str
    phone: str
    anonymous: bool
    address: str
    lat: Decimal | None
    lng: Decimal | None
    region: Region
    urgent: bool
    answered_from_kb: int | None
    source_ref: str
    citizen: User | None = None  # the citizen's account when they report on the web themselves


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

    ``actor``: the agent or grid worker, a ``SystemActor`` for connected systems (Open311,
    sensors), or ``None`` for a citizen reporting on the web after SMS verification (the
    view checks the code): the one self-service channel.

    ``category``: a leaf Category or its pk/code. ``region``: the town or village
    (None: the county). A consultation with ``answered_from_kb`` (an article id)
    is closed at once (即时办结). ``urgent=None``: the category's default.
    ``on_registered(ticket)``: a channel's own rows, written in the same transaction before
    the audit entry (which holds the chain's lock until commit).
    """
    errors: dict[str, list] = {}
    _check_channel_and_type(channel, type, answered_from_kb, errors)
    cat = resolve_category(category, errors)
    content = clean_text(content, "content", _("description"), CONTENT_MAX_CHARS, errors)
    phone = _clean_phone(caller_phone, errors)
    address = (address or "").strip()
    if len(address) > 200:
        errors["address"] = [_("The address may be at most 200 characters long.")]
    lat_d, lng_d = _clean_point(lat, lng, errors)
    place = _clean_region(region, errors)
    checked = check_photos(photos, "photos", errors)
    if errors or cat is None:
        raise ValidationError(errors)
    if lat_d is None and lng_d is None:
        lat_d, lng_d = _photo_position(checked)
    _ensure_may_register(actor, channel, place)
    intake = Intake(
        channel=channel,
        type=type,
        category=cat,
        content=content,
        caller_name=(caller_name or "").strip()[:50],
        phone=phone,
        anonymous=bool(anonymous),
        address=address,
        lat=lat_d,
        lng=lng_d,
        region=place,
        urgent=bool(cat.default_urgent if urgent is None else urgent),
        answered_from_kb=int(answered_from_kb) if answered_from_kb else None,
        source_ref=(source_ref or "")[:64],
    )
    _fill_in_caller(intake, actor)
    now = timezone.now()
    ticket = _insert(_new_ticket(intake, actor, now), now)
    # Before record(): the audit entry locks the chain's head until commit, so nothing slow
    # may run after it.
    duplicates = [] if ticket.status == Status.CLOSED else find_duplicates(ticket)
    saved = store_photos(ticket, checked, actor, PhotoStage.REPORT)
    try:
        _write_timeline_and_audit(ticket, actor, intake, on_registered, audit_extra)
    except Exception:
        delete_files(saved)
        raise
    return Registered(ticket, duplicates)


# --- checking the input -------------------------------------------------------------------


def _check_channel_and_type(channel: str, type_: str, answered_from_kb, errors: dict) -> None:
    if channel not in Channel.values:
        errors["channel"] = [_("Unknown channel “%(value)s”.") % {"value": channel}]
    if type_ not in TicketType.values:
        errors["type"] = [
            _(
                "Unknown ticket type “%(value)s”; choose consultation, help, complaint, report or suggestion."
            )
            % {"value": type_}
        ]
    if answered_from_kb and type_ != TicketType.CONSULT:
        errors.setdefault("type", []).append(
            _("Only consultations can be answered from the knowledge base and closed at once.")
        )


def resolve_category(category, errors: dict) -> Category | None:
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


def _clean_phone(value: str, errors: dict) -> str:
    phone = normalise_phone(value or "")
    if phone and not (phone.isdigit() and 7 <= len(phone) <= 20):
        errors["caller_phone"] = [
            _(
                "%(value)s is not a phone number; enter digits only, e.g. 13812345678 or 07535512345."
            )
            % {"value": value}
        ]
    return phone


def _coord(value, name: str, errors: dict) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        result = Decimal(str(value)).quantize(MICRODEGREE)
        if not result.is_finite():  # NaN passes quantize and then fails every comparison
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        errors.setdefault(name, []).append(
            _("%(value)s is not a number; enter decimal degrees such as 24.3512.")
            % {"value": shown(value)}
        )
        return None
    return result


def _clean_point(lat, lng, errors: dict) -> tuple[Decimal | None, Decimal | None]:
    """Latitude and longitude as decimal degrees, both or neither, inside the county."""
    lat_d, lng_d = _coord(lat, "lat", errors), _coord(lng, "lng", errors)
    if (lat_d is None) != (lng_d is None) and "lat" not in errors and "lng" not in errors:
        errors["lat"] = [_("Give both latitude and longitude, or neither.")]
    elif lat_d is not None and lng_d is not None and not in_county(lat_d, lng_d):
        errors["lat"] = [
            _(
                "The location (%(lat)s, %(lng)s) is outside Dabu County; 12345 Dabu only handles "
                "requests within the county (latitude %(lat_min)s–%(lat_max)s, longitude "
                "%(lng_min)s–%(lng_max)s). Check the point on the map."
            )
            % {
                "lat": lat_d,
                "lng": lng_d,
                **county_bounds().as_params(),
            }
        ]
    return lat_d, lng_d


def _clean_region(region: Region | None, errors: dict) -> Region:
    """The town or village given, or the county when none is."""
    if region is None:
        return county_region()
    if f"{COUNTY_CODE}/" not in region.path:
        errors["region"] = [
            _("%(region)s is not in Dabu County; choose a town or village of the county.")
            % {"region": region.name}
        ]
    return region


def _photo_position(checked: Sequence[CheckedFile]) -> tuple[Decimal | None, Decimal | None]:
    """Where the first located photo was taken, when in the county and the caller gave no
    point: the position stays with the ticket, the stored photo carries none."""
    for item in checked:
        if item.gps is None:
            continue
        lat, lng = (Decimal(str(v)).quantize(MICRODEGREE) for v in item.gps)
        if in_county(lat, lng):
            return lat, lng
    return None, None


# --- who may register ---------------------------------------------------------------------


def _assigned_to_grid_in(user, region: Region) -> bool:
    """Whether ``user`` is assigned to a grid of ``region`` (a grid worker's assignment covers
    the grid's village even beyond the region of their post)."""
    return (
        is_user(user)
        and GridAssignment.objects.filter(user=user, grid__village_id=region.pk).exists()
    )


def _ensure_may_register(actor, channel: str, region: Region) -> None:
    """Staff intake by agents/dispatchers (grid workers for grid reports); citizens (logged in
    or SMS-verified, checked by the view) on the web; connected systems for the APIs."""
    if channel == Channel.PHONE:
        if not covers(actor, STAFF_INTAKE_ROLES, region):
            raise PermissionDenied(_("Only a 12345 agent can register phone calls."))
    elif channel == Channel.GRID:
        if not (
            is_system(actor)
            or covers(actor, [Role.GRID_WORKER, *STAFF_INTAKE_ROLES], region)
            or _assigned_to_grid_in(actor, region)
        ):
            raise PermissionDenied(
                _("Only a grid worker of %(region)s can report here.") % {"region": region.name}
            )
    elif channel in (Channel.OPEN311, Channel.SENSOR) and not (
        is_system(actor) or (is_user(actor) and actor.is_superuser)
    ):
        # a connected system names itself (SystemActor("open311:…"), the sensor actor)
        raise PermissionDenied(_("This channel is reserved for connected systems."))


# --- writing ------------------------------------------------------------------------------


def _fill_in_caller(intake: Intake, actor) -> None:
    """A citizen reporting on the web is the caller: their account, name and number."""
    if intake.channel == Channel.WEB and is_user(actor) and not actor.is_staff:
        intake.citizen = actor
        intake.caller_name = intake.caller_name or actor.real_name
        intake.phone = intake.phone or normalise_phone(getattr(actor, "phone", "") or "")


def _new_ticket(intake: Intake, actor, now: datetime) -> Ticket:
    """The ticket to insert (numbered by ``_insert``); closed at once when answered from the
    knowledge base."""
    phone = intake.phone
    ticket = Ticket(
        number=f"tmp-{uuid.uuid4().hex[:27]}",
        channel=intake.channel,
        type=intake.type,
        urgent=intake.urgent,
        category=intake.category,
        content=intake.content,
        tokens=" ".join(tokens_of(intake.content)),
        citizen=intake.citizen,
        caller_name="" if intake.anonymous else intake.caller_name,
        caller_phone=phone,
        caller_phone_index=blind_index(phone, PHONE_INDEX_PURPOSE) if phone else "",
        anonymous=intake.anonymous,
        address=intake.address,
        lat=intake.lat,
        lng=intake.lng,
        region=intake.region,
        town=intake.region.town,
        status=Status.NEW,
        registered_by=user_or_none(actor),
        source_ref=intake.source_ref,
        version=1,
    )
    if intake.answered_from_kb:
        ticket.status = Status.CLOSED
        ticket.kb_article_id = intake.answered_from_kb
        ticket.closed_at = now
        ticket.reply = _("Answered from the knowledge base during the call (article %(id)s).") % {
            "id": intake.answered_from_kb
        }
    return ticket


def _insert(ticket: Ticket, now: datetime) -> Ticket:
    """Insert the ticket with its number ``12345-<date>-<id>``."""
    reserved = _reserve_ticket_id()
    if reserved is not None:  # the number goes in with the row
        ticket.pk, ticket.number = reserved, _ticket_number(now, reserved)
        ticket.save(force_insert=True)
    else:
        ticket.save()
        ticket.number = _ticket_number(now, ticket.pk)
        Ticket.objects.filter(pk=ticket.pk).update(number=ticket.number)
    return ticket


def _ticket_number(now: datetime, pk: int) -> str:
    return f"12345-{workdays.local_date(now):%Y%m%d}-{pk:06d}"


def _reserve_ticket_id() -> int | None:
    """On PostgreSQL, the ticket's id drawn from its sequence before the INSERT, so the number
    is written with the row: an UPDATE would rewrite every index of the table."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cur:
        cur.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id'))", [Ticket._meta.db_table])
        row = cur.fetchone()
    return int(row[0]) if row else None


def _write_timeline_and_audit(
    ticket: Ticket,
    actor,
    intake: Intake,
    on_registered: Callable[[Ticket], None] | None,
    audit_extra: dict | None,
) -> None:
    add_event(ticket, actor, EventAction.REGISTER, channel=intake.channel)
    if intake.answered_from_kb:
        add_event(ticket, actor, EventAction.CLOSE_AT_ONCE, kb_article_id=intake.answered_from_kb)
    if on_registered is not None:
        on_registered(ticket)
    # One audit entry per intake; channels add what they know (e.g. the Open311 client).
    record(
        actor=actor,
        action="hotline.register",
        obj=ticket,
        after=snapshot(ticket),
        **(audit_extra or {}),
    )
