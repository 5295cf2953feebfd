from django.conf import settings


def site(request):
    user = getattr(request, "user", None)
    authenticated = user is not None and user.is_authenticated
    elder = request.COOKIES.get("elder") == "1" or bool(authenticated and user.elder_mode)
    roles: set[str] = set()
    if authenticated and user.kind == "staff":
        from yiwang.orgs.scope import posts_of

        roles = {p.role for p in posts_of(user)}
        if user.is_superuser:
            roles |= {"window", "authority", "dept_admin", "auditor"}
    return {"elder_mode": elder, "public_url": settings.YIWANG_PUBLIC_URL, "staff_roles": roles}
