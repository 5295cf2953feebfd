"""State changes of the exchange: credentials per grant, and the evidence checkpoints.

| action | what | who |
|---|---|---|
| ``issue_credentials`` | a new client id and secret for a grant; the grant's live credential, if any, is revoked (rotation) | the consumer department's data administrator (``dept_admin``) |
| ``revoke_credentials`` | revoke the grant's live credential | the consumer's data administrator or the data authority |
| ``write_checkpoint`` | append the signed heads of the evidence partitions to the checkpoint file | the platform (hourly task) |

The secret is returned once, by ``issue_credentials``; it is stored SM4-encrypted and never
shown again (nor written to the audit log). Evidence entries are appended by the API itself
(``evidence.append``), like the audit log's ``record``.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yiwang.audit.actions import record
from yiwang.audit.actors import is_system
from yiwang.datahub.models import Grant
from yiwang.datahub.sharing import rules
from yiwang.datahub.sharing.models import GrantStatus

from .checkpoints import write_checkpoint
from .models import Credential

__all__ = ["Issued", "issue_credentials", "revoke_credentials", "write_checkpoint"]

#: Client ids start with this, so a leaked one is recognisable (e.g. by secret scanners).
CLIENT_PREFIX = "ywc_"


@dataclass(frozen=True)
class Issued:
    credential: Credential
    #: The plain secret: show it once, then forget it.
    secret: str


def _user(actor):
    return actor if getattr(actor, "pk", None) and not is_system(actor) else None


def _live(grant: Grant):
    return Credential.objects.select_for_update().filter(grant=grant, revoked_at__isnull=True)


def _summary(credential: Credential) -> dict:
    return {
        "client_id": credential.client_id,
        "grant": credential.grant_id,
        "revoked_at": credential.revoked_at.isoformat() if credential.revoked_at else None,
    }


@transaction.atomic
def issue_credentials(*, actor, grant: Grant, now: datetime | None = None) -> Issued:
    """A new credential for ``grant``; revokes the one in use (so a rotation is one step)."""
    now = now or timezone.now()
    grant = Grant.objects.select_related("consumer", "consumer__region").get(pk=grant.pk)
    if not rules.is_dept_admin_of(actor, grant.consumer):
        raise PermissionDenied(
            _("Only the data administrator of %(department)s can issue its API credentials.")
            % {"department": grant.consumer.name}
        )
    locked = Grant.objects.select_for_update().get(pk=grant.pk)
    if locked.status != GrantStatus.ACTIVE or locked.expires_at <= now:
        status = (
            locked.get_status_display()
            if locked.status != GrantStatus.ACTIVE
            else GrantStatus.EXPIRED.label
        )
        raise ValidationError(
            {
                "grant": ValidationError(
                    _("Grant #%(id)d is %(status)s: no credentials can be issued for it.")
                    % {"id": grant.pk, "status": status},
                    code="grant_not_usable",
                )
            }
        )
    replaced = list(_live(grant))
    for old in replaced:
        old.revoked_at, old.revoked_by = now, _user(actor)
        old.save(update_fields=["revoked_at", "revoked_by"])
    secret = secrets.token_hex(32)
    credential = Credential.objects.create(
        grant=grant,
        client_id=CLIENT_PREFIX + secrets.token_hex(16),
        secret=secret,
        created_at=now,
        created_by=_user(actor),
    )
    record(
        actor=actor,
        action="exchange.credentials_issue",
        obj=credential,
        after=_summary(credential),
        replaced=[c.client_id for c in replaced],
    )
    return Issued(credential=credential, secret=secret)


@transaction.atomic
def revoke_credentials(*, actor, grant: Grant, now: datetime | None = None) -> list[Credential]:
    """Revoke the grant's live credential: its calls are refused from now on."""
    now = now or timezone.now()
    grant = Grant.objects.select_related("consumer", "consumer__region").get(pk=grant.pk)
    if not (rules.is_dept_admin_of(actor, grant.consumer) or rules.is_authority(actor)):
        raise PermissionDenied(
            _(
                "Only the data administrator of %(department)s or the data authority can revoke "
                "its API credentials."
            )
            % {"department": grant.consumer.name}
        )
    live = list(_live(grant))
    if not live:
        raise ValidationError(
            {
                "grant": ValidationError(
                    _("Grant #%(id)d has no credential in use.") % {"id": grant.pk},
                    code="nothing_to_revoke",
                )
            }
        )
    for credential in live:
        before = _summary(credential)
        credential.revoked_at, credential.revoked_by = now, _user(actor)
        credential.save(update_fields=["revoked_at", "revoked_by"])
        record(
            actor=actor,
            action="exchange.credentials_revoke",
            obj=credential,
            before=before,
            after=_summary(credential),
        )
    return live
