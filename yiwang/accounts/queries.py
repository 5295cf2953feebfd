"""Read-side helpers for identities."""

from __future__ import annotations

from django.utils import timezone

from yiwang.gmcrypto.core import blind_index

from .models import Enterprise, EnterpriseAgent, User, normalise_phone, normalise_resident_id

ACTING_ENTERPRISE_SESSION_KEY = "acting_enterprise_id"
_REQUEST_CACHE_ATTR = "_yiwang_acting_enterprise"


def is_locked(user: User) -> bool:
    return bool(user.locked_until and user.locked_until > timezone.now())


def user_by_phone(phone: str) -> User | None:
    phone = normalise_phone(phone)
    if not phone:
        return None
    return User.objects.filter(phone_index=blind_index(phone, "phone")).first()


def user_by_id_number(id_number: str) -> User | None:
    number = normalise_resident_id(id_number)
    if not number:
        return None
    return User.objects.filter(id_number_index=blind_index(number, "id")).first()


def agent_memberships(user, *, valid_only: bool = True) -> list[EnterpriseAgent]:
    """The enterprises ``user`` may act for (authorisations not yet expired when ``valid_only``)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    qs = EnterpriseAgent.objects.filter(user_id=user.pk).select_related(
        "enterprise", "enterprise__region"
    )
    if valid_only:
        qs = qs.exclude(valid_until__lt=timezone.localdate())
    return list(qs.order_by("enterprise__name", "id"))


def current_enterprise(request) -> Enterprise | None:
    """The enterprise the logged-in agent has chosen to act for (session ``acting_enterprise_id``).

    Re-checked on every request: an expired or withdrawn authorisation yields ``None``
    and clears the choice.
    """
    if hasattr(request, _REQUEST_CACHE_ATTR):
        return getattr(request, _REQUEST_CACHE_ATTR)
    enterprise = None
    user = getattr(request, "user", None)
    enterprise_id = (
        request.session.get(ACTING_ENTERPRISE_SESSION_KEY) if hasattr(request, "session") else None
    )
    if enterprise_id and user is not None and user.is_authenticated:
        agent = (
            EnterpriseAgent.objects.filter(user_id=user.pk, enterprise_id=enterprise_id)
            .exclude(valid_until__lt=timezone.localdate())
            .select_related("enterprise")
            .first()
        )
        if agent is not None:
            enterprise = agent.enterprise
        else:
            request.session.pop(ACTING_ENTERPRISE_SESSION_KEY, None)
    setattr(request, _REQUEST_CACHE_ATTR, enterprise)
    return enterprise
