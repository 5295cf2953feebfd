"""Where the elder-friendly mode (适老化) of a request comes from, decided in one place.

The mode lives on the account (``User.elder_mode``) and in the ``elder`` cookie. When both
were consulted ("cookie or account"), a stale cookie could keep the large layout on after the
account had turned it off, and a toggle flipped one of them while the page followed the other.
So: for a logged-in user the account is the truth and the cookie only mirrors it (it is
rewritten at login and on every toggle); anonymous visitors have only the cookie.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

ELDER_COOKIE = "elder"
ELDER_COOKIE_MAX_AGE = 365 * 24 * 3600


def elder_mode_on(request: HttpRequest) -> bool:
    """Whether pages for this request render in elder-friendly mode."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return bool(user.elder_mode)
    return request.COOKIES.get(ELDER_COOKIE) == "1"


def remember_elder_mode(response: HttpResponse, enabled: bool) -> HttpResponse:
    """Make the browser's cookie say ``enabled`` (kept for pages seen after logging out)."""
    response.set_cookie(
        ELDER_COOKIE, "1" if enabled else "0", max_age=ELDER_COOKIE_MAX_AGE, samesite="Lax"
    )
    return response
