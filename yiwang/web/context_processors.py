from django.conf import settings

from yiwang.accounts.preferences import elder_mode_on


def site(request):
    user = getattr(request, "user", None)
    authenticated = user is not None and user.is_authenticated
    roles: set[str] = set()
    if authenticated and user.kind == "staff":
        from yiwang.orgs.scope import posts_of

        roles = {p.role for p in posts_of(user)}
        if user.is_superuser:
            roles |= {"window", "authority", "dept_admin", "auditor"}
    return {
        "elder_mode": elder_mode_on(request),
        "public_url": settings.YIWANG_PUBLIC_URL,
        "staff_roles": roles,
    }
