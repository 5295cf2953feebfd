"""Helpers for tests of other apps that need a logged-in session with the second factor."""

from __future__ import annotations

from .login_flow import PASSED_KEY


def force_login_with_second_factor(client, user) -> None:
    """``client.force_login(user)`` plus the session mark a completed second step leaves.

    The admin site admits only such sessions (``admin_site.YiwangAdminSite``).
    """
    client.force_login(user)
    session = client.session
    session[PASSED_KEY] = {"factor": "totp", "at": 0}
    session.save()
