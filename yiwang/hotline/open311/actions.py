"""Every state change of the Open311 app: clients (api keys) and submitted service requests."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils.translation import gettext as _

from yiwang.audit.actions import record
from yiwang.audit.actors import SystemActor, is_system
from yiwang.gmcrypto.core import sm3_hex
from yiwang.grid.actions import locate
from yiwang.hotline import actions as hotline
from yiwang.hotline.models import (
    COUNTY_CODE,
    Category,
    Channel,
    Ticket,
    TicketType,
    category_tree,
)
from yiwang.orgs.models import Role
from yiwang.orgs.scope import has_role
from yiwang.regions.models import Region

from .models import Open311Client, Open311Request

KEY_PREFIX_CHARS = 8
MAX_FIELD_CHARS = 100
#: The ticket type when a client does not send ``attribute[type]``.
DEFAULT_TYPE = TicketType.HELP


def hash_key(key: str) -> str:
    return sm3_hex(key or "")


def _ensure_admin(actor) -> None:
    """Clients are managed from the command line (a ``SystemActor``) or by an administrator."""
    if is_system(actor):
        return
    if not (getattr(actor, "is_superuser", False) or has_role(actor, Role.AUTHORITY)):
        raise PermissionDenied(_("Only an administrator can manage Open311 clients."))


@transaction.atomic
def create_client(*, actor, name: str) -> tuple[Open311Client, str]:
    """Create a client; returns it with its api key, which is shown only this once."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": [_("Enter the client's name.")]})
    if len(name) > 100:
        raise ValidationError({"name": [_("The name may be at most 100 characters long.")]})
    _ensure_admin(actor)
    if Open311Client.objects.filter(name=name).exists():
        raise ValidationError(
            {
                "name": [
                    _("A client named “%(name)s” already exists; choose another name.")
                    % {"name": name}
                ]
            }
        )
    key = secrets.token_urlsafe(32)
    client = Open311Client.objects.create(
        name=name, key_prefix=key[:KEY_PREFIX_CHARS], key_hash=hash_key(key)
    )
    record(actor=actor, action="open311.create_client", obj=client, after={"name": name})
    return client, key


@transaction.atomic
def deactivate_client(*, actor, client: Open311Client) -> Open311Client:
    _ensure_admin(actor)
    client = Open311Client.objects.select_for_update().get(pk=client.pk)
    if client.active:
        client.active = False
        client.save(update_fields=["active"])
        record(
            actor=actor,
            action="open311.deactivate_client",
            obj=client,
            before={"active": True},
            after={"active": False},
        )
    return client


def authenticate(key: str) -> Open311Client | None:
    """The active client owning ``key``, or None."""
    if not key or len(key) > 200:
        return None
    return Open311Client.objects.filter(key_hash=hash_key(key), active=True).first()


@dataclass
class Submission:
    """A POST /requests body, already decoded (field names as in the specification)."""

    service_code: str = ""
    lat: str = ""
    long: str = ""
    address_string: str = ""
    address_id: str = ""
    email: str = ""
    device_id: str = ""
    account_id: str = ""
    first_name: str = ""
    last_name: str = ""
    phone: str = ""
    description: str = ""
    media_url: str = ""
    attributes: dict = field(default_factory=dict)


def resolve_region(lat, lng, address: str) -> Region | None:
    """The village (from the grid polygons) or the town/village named in the address; None = county."""
    if lat not in (None, "") and lng not in (None, ""):
        try:
            grid = locate(float(lat), float(lng))
        except (ValueError, TypeError):
            grid = None
        if grid is not None:
            return grid.village
    address = (address or "").strip()
    if address:
        prefix = f"{COUNTY_CODE}/"
        candidates = Region.objects.filter(path__contains=prefix, level__gte=4).values_list(
            "id", "name", "level"
        )
        best = None
        for pk, name, level in candidates:
            if name and name in address and (best is None or level > best[1]):
                best = (pk, level)
        return Region.objects.select_related("parent").get(pk=best[0]) if best else None
    return None


def _clean_attributes(raw: dict) -> tuple[str, dict]:
    attributes = {str(k)[:50]: str(v)[:200] for k, v in (raw or {}).items()}
    unknown = sorted(set(attributes) - {"type"})
    if unknown:
        raise ValidationError(
            {
                "attribute": [
                    _("Unknown attribute %(codes)s; this service only takes attribute[type].")
                    % {"codes": ", ".join(unknown)}
                ]
            }
        )
    type_ = attributes.get("type") or DEFAULT_TYPE
    if type_ not in TicketType.values:
        raise ValidationError(
            {
                "attribute": [
                    _("attribute[type] must be one of %(values)s, not “%(value)s”.")
                    % {"values": ", ".join(TicketType.values), "value": type_}
                ]
            }
        )
    return type_, attributes


def _checked(data: Submission) -> tuple[Category | None, str, dict]:
    """The service's category, the ticket type and the attributes of a submission; every
    problem at once in a ``ValidationError`` keyed by the specification's field names."""
    errors: dict[str, list] = {}
    category = None
    if not data.service_code:
        errors["service_code"] = [_("service_code is required; see GET services.json.")]
    else:
        category = category_tree.get().by_code.get(data.service_code)
        if category is None:
            errors["service_code"] = [
                _("Unknown service_code “%(code)s”; see GET services.json for the valid codes.")
                % {"code": data.service_code[:50]}
            ]
    if not (data.lat or data.long or data.address_string):
        if data.address_id:
            errors["lat"] = [
                _("address_id is not supported here; send lat and long, or address_string.")
            ]
        else:
            errors["lat"] = [_("A location is required: lat and long, or address_string.")]
    elif bool(data.lat) != bool(data.long):
        errors["lat"] = [_("Give both lat and long, or neither.")]
    if data.media_url:
        try:
            URLValidator(schemes=["http", "https"])(data.media_url)
        except ValidationError:
            errors["media_url"] = [
                _("media_url must be an http or https URL, not “%(value)s”.")
                % {"value": data.media_url[:100]}
            ]
        if len(data.media_url) > 500:
            errors["media_url"] = [_("media_url may be at most 500 characters long.")]
    try:
        type_, attributes = _clean_attributes(data.attributes)
    except ValidationError as exc:
        errors.update(exc.message_dict)
        type_, attributes = DEFAULT_TYPE, {}
    if errors:
        raise ValidationError(errors)
    return category, type_, attributes


def submit_request(*, actor: Open311Client, data: Submission) -> Ticket:
    """POST /requests: register a ticket through the hotline (channel open311, status new)."""
    if not isinstance(actor, Open311Client) or not actor.active:
        raise PermissionDenied(_("Invalid api_key."))
    category, type_, attributes = _checked(data)
    address = (data.address_string or "").strip()
    region = resolve_region(data.lat, data.long, address)
    parts = [data.last_name.strip(), data.first_name.strip()]
    # Chinese names are written family name first without a space; others "Last First".
    glue = "" if any(not p.isascii() for p in parts) else " "
    name = glue.join(filter(None, parts))[:50]

    def keep_request(ticket: Ticket) -> None:
        Open311Request.objects.create(
            ticket=ticket,
            client=actor,
            media_url=data.media_url,
            device_id=data.device_id[:MAX_FIELD_CHARS],
            account_id=data.account_id[:MAX_FIELD_CHARS],
            attributes=attributes,
        )

    # One transaction: register_ticket is atomic and writes the Open311 row through the hook.
    ticket = hotline.register_ticket(
        actor=SystemActor(f"open311:{actor.name}"),
        channel=Channel.OPEN311,
        type=type_,
        category=category,
        content=data.description,
        caller_name=name,
        caller_phone=data.phone,
        anonymous=not name and not data.phone,
        address=address,
        lat=data.lat or None,
        lng=data.long or None,
        region=region,
        source_ref=f"open311:{actor.pk}",
        audit_extra={
            "open311": {"client": actor.pk, "service_code": data.service_code, "type": type_}
        },
        on_registered=keep_request,
    ).ticket
    return ticket
