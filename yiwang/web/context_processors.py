from django.conf import settings
from django.http import HttpRequest

from yiwang.accounts.preferences import elder_mode_on
from yiwang.orgs.scope import posts_of


def site(request: HttpRequest) -> dict[str, object]:
    # A request that never reached the authentication middleware (an early error page) has
    # no ``user``.
    user = getattr(request, "user", None)
    roles: set[str] = set()
    if user is not None and user.is_authenticated and user.kind == "staff":
        roles = {p.role for p in posts_of(user)}
        if user.is_superuser:
            roles |= {"window", "authority", "dept_admin", "auditor"}
    return {
        "elder_mode": elder_mode_on(request),
        "public_url": settings.YIWANG_PUBLIC_URL,
        "staff_roles": roles,
    }
