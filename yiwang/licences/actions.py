"""Issuing licences and changing their status. Every change goes through here.

- ``issue``: a new licence (or, with ``previous``, its renewal or change: a new version
  with a new identifier that names the one it replaces, which stops being valid);
- ``suspend`` / ``restore`` / ``revoke`` / ``cancel``: the status, with reasons;
- ``expire_due``: the worker's sweep of licences whose validity has ended.

Each issuance signs the metadata with the issuing department's seal and keeps the licence's
PDF with its SM3 digest (``rendering.store_document``), and each change of status signs a
short statement of it (``LicenceEvent``); both are audited as ``licences.<verb>``. A refusal (no seal, a type that does not fit the holder, a transition
the status does not allow) raises before anything is written, so nothing is issued half-way.
"""

from __future__ import annotations

import base64
import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yiwang.audit.actions import record
from yiwang.audit.actors import SYSTEM
from yiwang.gmcrypto.core import blind_index
from yiwang.seals import signing
from yiwang.workdays.calendar import local_date

from .identifiers import LicenceIdentifier
from .metadata import (
    HOLDER_RESIDENT_ID,
    HOLDER_USCC,
    LicenceMetadata,
    MetadataError,
    canonical_json,
)
from .models import HolderKind, Licence, LicenceEvent, LicenceType, Operation, SerialCounter, Status
from .permissions import require_issuer
from .rendering import store_document

HOLDER_INDEX = "licence-holder"
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Holder:
    """Whom a licence is issued to."""

    kind: str
    name: str
    code: str  # resident ID number or USCC
    user: Any = None
    enterprise: Any = None

    @classmethod
    def person(cls, user) -> Holder:
        return cls(HolderKind.PERSON, user.real_name or user.get_full_name(), user.id_number, user)

    @classmethod
    def of_enterprise(cls, enterprise) -> Holder:
        return cls(HolderKind.ENTERPRISE, enterprise.name, enterprise.uscc, enterprise=enterprise)

    @property
    def code_type(self) -> str:
        return HOLDER_RESIDENT_ID if self.kind == HolderKind.PERSON else HOLDER_USCC


def holder_index(code: str) -> str:
    """The blind index that finds a holder's licences by ID number or USCC."""
    return blind_index(code.strip().upper(), HOLDER_INDEX)


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def validity(licence_type: LicenceType, valid_from: dt.date) -> dt.date | None:
    """The last day of validity: the day before the anniversary (None: 长期有效)."""
    if licence_type.validity_years is None:
        return None
    return _add_years(valid_from, licence_type.validity_years) - dt.timedelta(days=1)


def _clean_fields(licence_type: LicenceType, values: dict[str, Any] | None) -> dict[str, str]:
    allowed = [f["key"] for f in licence_type.fields]
    values = values or {}
    unknown = [k for k in values if k not in allowed]
    if unknown:
        raise ValidationError(
            _("The licence type %(type)s has no field “%(field)s”.")
            % {"type": licence_type.name, "field": unknown[0]},
            code="unknown_field",
        )
    return {k: str(values[k]).strip() for k in allowed if str(values.get(k, "")).strip()}


def _statement(identifier: str, operation: str, status: str, reason: str, at) -> bytes:
    return canonical_json(
        {
            "identifier": identifier,
            "operation": operation,
            "status": status,
            "reason": reason,
            "at": at.astimezone(dt.UTC).isoformat(timespec="seconds"),
        }
    )


def _seal(licence_type: LicenceType):
    seal = signing.department_seal(licence_type.issuer)
    if seal is None:
        raise ValidationError(
            _("%(department)s has no active e-seal to sign licences with.")
            % {"department": licence_type.issuer.name},
            code="no_seal",
        )
    return seal


def _event(actor, licence: Licence, operation: str, reason: str, seal) -> LicenceEvent:
    at = timezone.now()
    statement = _statement(licence.identifier, operation, licence.status, reason, at)
    signed = signing.sign(
        seal, statement, purpose=f"licence.{operation} {licence.identifier}", actor=actor
    )
    return _save_event(actor, licence, operation, reason, at, statement, signed)


def _save_event(actor, licence, operation, reason, at, statement: bytes, signed) -> LicenceEvent:
    return LicenceEvent.objects.create(
        licence=licence,
        operation=operation,
        status=licence.status,
        reason=reason,
        actor=actor if getattr(actor, "pk", None) else None,
        at=at,
        statement=statement.decode("utf-8"),
        signature=signed.signature_b64,
        key_id=signed.key_id,
    )


def _next_serial(licence_type: LicenceType) -> str:
    """The type's next serial: one UPDATE … RETURNING, whose row lock lasts until the issuing
    transaction ends (serials are never given twice; a failed issuance gives its number back)."""
    with connection.cursor() as cursor:
        for _attempt in range(2):
            cursor.execute(
                "UPDATE licences_serialcounter SET last = last + 1 "
                "WHERE licence_type_id = %s RETURNING last",
                [licence_type.pk],
            )
            row = cursor.fetchone()
            if row is not None:
                return f"{row[0]:07d}"
            SerialCounter.objects.get_or_create(licence_type=licence_type)
    raise RuntimeError("the serial counter could not be created")


def issue(
    *,
    actor,
    licence_type: LicenceType,
    holder: Holder,
    valid_from: dt.date | None = None,
    fields: dict[str, Any] | None = None,
    number: str = "",
    case=None,
    previous: Licence | None = None,
    related_items: tuple[str, ...] = (),
    issued_on: dt.date | None = None,
    valid_until: dt.date | None = None,
) -> Licence:
    """Issue a licence of ``licence_type`` to ``holder``, signed by the issuer's seal.

    ``issued_on`` and ``valid_until`` are for a licence issued before this platform (an
    import of historical licences): by default today and the type's validity rule."""
    issuer = licence_type.issuer
    require_issuer(actor, issuer)
    if not licence_type.active:
        raise ValidationError(
            _("The licence type %(type)s is no longer issued.") % {"type": licence_type.name},
            code="type_inactive",
        )
    if holder.kind != licence_type.holder_kind:
        raise ValidationError(
            _("A %(type)s is issued to a %(kind)s only.")
            % {"type": licence_type.name, "kind": HolderKind(licence_type.holder_kind).label},
            code="wrong_holder",
        )
    extension = _clean_fields(licence_type, fields)
    seal = _seal(licence_type)
    today = local_date(timezone.now())
    valid_from = valid_from or today
    issued_on = issued_on or today
    with transaction.atomic():
        if previous is not None:
            previous = Licence.objects.select_for_update().get(pk=previous.pk)
            if previous.status != Status.VALID or hasattr(previous, "next_version"):
                raise ValidationError(
                    _("Only a valid licence that has no newer version can be renewed or changed."),
                    code="not_renewable",
                )
            current = LicenceIdentifier.build(
                licence_type.code, issuer.uscc, previous.serial, previous.version
            )
            identifier = current.next_version()
        else:
            identifier = LicenceIdentifier.build(
                licence_type.code, issuer.uscc, _next_serial(licence_type), "001"
            )
        serial, version = identifier.serial, identifier.version
        number = (
            number or ""
        ).strip() or f"{issuer.region.code[:6]}{licence_type.code[-3:]}{serial}"
        try:
            metadata = LicenceMetadata(
                identifier=str(identifier),
                type_code=licence_type.code,
                type_name=licence_type.name,
                number=number,
                name=licence_type.name,
                version=version,
                issued_on=issued_on,
                issuer_name=issuer.name,
                issuer_code=issuer.uscc,
                definer=licence_type.definer,
                valid_from=valid_from,
                valid_until=valid_until or validity(licence_type, valid_from),
                division_code=issuer.region.code[:6],
                holder_name=holder.name,
                holder_code=holder.code,
                holder_code_type=holder.code_type,
                related_items=tuple(related_items),
                extension=extension,
            )
        except MetadataError as error:
            raise ValidationError(str(error), code="bad_metadata") from error
        operation = Operation.ISSUE
        if previous is not None:
            same = _same_content(previous.metadata, metadata.as_dict())
            operation = Operation.RENEW if same else Operation.CHANGE
        now = timezone.now()
        # The licence, the statement of its issue (and of the version it replaces) are signed
        # as one act: one use of the key, one audit entry.
        statements = [_statement(str(identifier), operation, Status.VALID, "", now)]
        if previous is not None:
            statements.append(
                _statement(
                    previous.identifier, Operation.REPLACED, Status.EXPIRED, str(identifier), now
                )
            )
        signed, *signed_statements = signing.sign_all(
            seal,
            [metadata.canonical(), *statements],
            purpose=f"licence.{operation} {identifier}",
            actor=actor,
        )
        licence = Licence.objects.create(
            identifier=str(identifier),
            licence_type=licence_type,
            serial=serial,
            version=version,
            number=number,
            name=licence_type.name,
            issuer=issuer,
            holder_kind=holder.kind,
            holder_name=holder.name,
            holder_code=holder.code,
            holder_index=holder_index(holder.code),
            holder_user=holder.user,
            holder_enterprise=holder.enterprise,
            issued_on=issued_on,
            valid_from=valid_from,
            valid_until=metadata.valid_until,
            status=Status.VALID,
            status_changed_at=now,
            metadata=metadata.as_dict(),
            signature=signed.signature_b64,
            key_id=signed.key_id,
            previous=previous,
            case=case,
        )
        if previous is not None:
            previous.status, previous.status_changed_at = Status.EXPIRED, now
            previous.save(update_fields=["status", "status_changed_at"])
            _save_event(
                actor,
                previous,
                Operation.REPLACED,
                str(identifier),
                now,
                statements[1],
                signed_statements[1],
            )
        _save_event(actor, licence, operation, "", now, statements[0], signed_statements[0])
        record(
            actor=actor,
            action=f"licences.{operation}",
            obj=licence,
            after={"identifier": licence.identifier, "type": licence_type.code},
        )
    _render(licence)
    return licence


def _render(licence: Licence) -> None:
    """The PDF and its digest. Drawn once the numbering, seal and audit locks are released
    (when the caller holds no transaction of its own), so that issuances do not queue behind
    one another's drawing. The signed licence is whole without it: a PDF that fails to draw
    now is drawn when the holder first downloads it."""
    try:
        with transaction.atomic():
            store_document(licence)
    except Exception:
        logger.exception("licence %s: the PDF could not be drawn now", licence.identifier)


def _same_content(previous: dict, metadata: dict) -> bool:
    keep = ("holder_name", "extension", "related_items")
    return all(previous.get(k) == metadata.get(k) for k in keep)


# --- status -----------------------------------------------------------------------------------

#: operation -> (statuses it applies to, status after, reason required)
TRANSITIONS: dict[str, tuple[tuple[str, ...], str, bool]] = {
    Operation.SUSPEND: ((Status.VALID,), Status.SUSPENDED, True),
    Operation.RESTORE: ((Status.SUSPENDED,), Status.VALID, False),
    Operation.REVOKE: ((Status.VALID, Status.SUSPENDED), Status.REVOKED, True),
    Operation.CANCEL: ((Status.VALID, Status.SUSPENDED), Status.CANCELLED, True),
}


def _change(actor, licence: Licence, operation: str, reason: str = "") -> Licence:
    require_issuer(actor, licence.issuer)
    allowed, after, needs_reason = TRANSITIONS[operation]
    reason = " ".join((reason or "").split())
    if needs_reason and not reason:
        raise ValidationError(
            {"reason": [_("Give the reason; the holder sees it.")]}, code="reason_required"
        )
    seal = _seal(licence.licence_type)
    with transaction.atomic():
        licence = Licence.objects.select_for_update().get(pk=licence.pk)
        if licence.status not in allowed:
            raise ValidationError(
                _("A licence that is %(status)s cannot be %(operation)s.")
                % {
                    "status": Status(licence.status).label,
                    "operation": Operation(operation).label,
                },
                code="status_not_allowed",
            )
        before = licence.status
        licence.status, licence.status_changed_at = after, timezone.now()
        licence.save(update_fields=["status", "status_changed_at"])
        _event(actor, licence, operation, reason, seal)
        record(
            actor=actor,
            action=f"licences.{operation}",
            obj=licence,
            before={"status": before},
            after={"status": after, "reason": reason},
        )
    return licence


def suspend(*, actor, licence: Licence, reason: str) -> Licence:
    return _change(actor, licence, Operation.SUSPEND, reason)


def restore(*, actor, licence: Licence, reason: str = "") -> Licence:
    return _change(actor, licence, Operation.RESTORE, reason)


def revoke(*, actor, licence: Licence, reason: str) -> Licence:
    return _change(actor, licence, Operation.REVOKE, reason)


def cancel(*, actor, licence: Licence, reason: str) -> Licence:
    return _change(actor, licence, Operation.CANCEL, reason)


def expire_due(today: dt.date | None = None, limit: int = 1000) -> int:
    """Mark valid or suspended licences whose last day of validity has passed as expired
    (the worker, daily); returns how many."""
    today = today or local_date(timezone.now())
    due = list(
        Licence.objects.filter(
            status__in=[Status.VALID, Status.SUSPENDED], valid_until__lt=today
        ).select_related("licence_type__issuer")[:limit]
    )
    for licence in due:
        with transaction.atomic():
            locked = Licence.objects.select_for_update().get(pk=licence.pk)
            if locked.status not in (Status.VALID, Status.SUSPENDED):
                continue
            before = locked.status
            locked.status, locked.status_changed_at = Status.EXPIRED, timezone.now()
            locked.save(update_fields=["status", "status_changed_at"])
            _event(SYSTEM, locked, Operation.EXPIRE, "", _seal(licence.licence_type))
            record(
                actor=SYSTEM,
                action="licences.expire",
                obj=locked,
                before={"status": before},
                after={"status": Status.EXPIRED},
            )
    return len(due)


def signature_bytes(licence: Licence) -> bytes:
    return base64.b64decode(licence.signature)
