from django.conf import settings


def site(request):
    user = getattr(request, "user", None)
    elder = request.COOKIES.get("elder") == "1" or bool(
        user is not None and user.is_authenticated and user.elder_mode
    )
    return {"elder_mode": elder, "public_url": settings.YIWANG_PUBLIC_URL}
