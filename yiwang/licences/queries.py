"""Whose licences: a holder's wallet (证照夹), as a person or as the enterprise an agent acts
for. A licence is the holder's by its account link or, for licences imported or issued before
the account existed, by the holder's ID number or USCC (through its blind index)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from yiwang.accounts.queries import current_enterprise

from .actions import holder_index
from .models import HolderKind, Licence


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
