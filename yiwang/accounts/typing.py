"""Request types for view annotations, so mypy knows what the middleware attached.

Django types ``request.user`` as ``User | AnonymousUser`` and knows nothing of
django-htmx's ``request.htmx``. Views behind ``login_required`` annotate their request
as ``AuthenticatedRequest``; views that only read ``.htmx`` use ``HtmxRequest``. These
are annotations only: Django still passes a plain ``HttpRequest`` at run time, and the
decorator and middleware are what make the declared attributes true.
"""

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from .models import User


class HtmxRequest(HttpRequest):
    """A request that passed ``django_htmx.middleware.HtmxMiddleware`` (every request does)."""

    htmx: HtmxDetails


class AuthenticatedRequest(HtmxRequest):
    """A request whose view is behind ``login_required``: the user is a signed-in ``User``."""

    user: User
