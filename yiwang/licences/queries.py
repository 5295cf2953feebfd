"""Whose licences: a holder's wallet (证照夹), as a person or as the enterprise an agent acts
for. A licence is the holder's by its account link or, for licences imported or issued before
the account existed, by the holder's ID number or USCC (through its blind index). Also what
the holder sees of the use of their licences: grants, the use log and shared copies."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import timezone

from yiwang.accounts.queries import current_enterprise

from .actions import holder_index
from .models import AnnotatedCopy, HolderKind, Licence, LicenceUse, UseGrant


def held_by_person(user) -> QuerySet[Licence]:
    if not getattr(user, "is_authenticated", False):
        return Licence.objects.none()
    match = Q(holder_user_id=user.pk)
    if user.id_number:
        match |= Q(holder_index=holder_index(user.id_number))
    return _wallet(Licence.objects.filter(match, holder_kind=HolderKind.PERSON))


def held_by_enterprise(enterprise) -> QuerySet[Licence]:
    match = Q(holder_enterprise_id=enterprise.pk) | Q(holder_index=holder_index(enterprise.uscc))
    return _wallet(Licence.objects.filter(match, holder_kind=HolderKind.ENTERPRISE))


def _wallet(qs: QuerySet[Licence]) -> QuerySet[Licence]:
    return qs.select_related("licence_type", "issuer").order_by("-issued_on", "-id")


def wallet_of(request) -> tuple[QuerySet[Licence], object | None]:
    """The licences the request's user holds now: the enterprise's when the user acts for
    one (an agent), else their own; and that enterprise (or None)."""
    enterprise = current_enterprise(request)
    if enterprise is not None:
        return held_by_enterprise(enterprise), enterprise
    return held_by_person(request.user), None


def holder_of(request) -> tuple[str, str, str] | None:
    """Whom the request's user acts as, as a licence holder: (kind, holder index, name) of
    the enterprise an agent acts for, else of the person. None for an account without an ID
    number: its licences cannot be named to a department by code, so it cannot grant."""
    enterprise = current_enterprise(request)
    if enterprise is not None:
        return HolderKind.ENTERPRISE, holder_index(enterprise.uscc), enterprise.name
    user = request.user
    if not getattr(user, "is_authenticated", False) or not user.id_number:
        return None
    return HolderKind.PERSON, holder_index(user.id_number), user.real_name or user.get_full_name()


def grants_of(kind: str, index: str) -> QuerySet[UseGrant]:
    """A holder's use grants, newest first (active, withdrawn and expired alike)."""
    return UseGrant.objects.filter(holder_kind=kind, holder_index=index).select_related(
        "licence_type", "department"
    )


def uses_of(licences: QuerySet[Licence]) -> QuerySet[LicenceUse]:
    """The departments' readings of these licences (用证记录), newest first."""
    return LicenceUse.objects.filter(licence__in=licences.values("pk")).select_related(
        "licence", "department", "case"
    )


def active_copies(licence: Licence) -> QuerySet[AnnotatedCopy]:
    """A licence's annotated copies that still open (not withdrawn, not expired)."""
    return licence.copies.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())
