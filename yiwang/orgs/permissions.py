"""Permissions that depend on posts, granted here for the kernel apps below ``orgs``.

``audit`` and ``regions`` are lower than ``orgs`` (posts belong to regions, and ``orgs`` records
its changes in the audit log), so they cannot ask ``orgs`` who holds which post. They ask for a
named permission through Django's ``has_perm`` (``audit.view_log``, ``regions.administer``), and
this module grants each with a ``rules`` predicate.
"""

import rules

from .models import Role
from .scope import has_role, posts_of


@rules.predicate
def is_auditor(user) -> bool:
    """Superusers and holders of an active auditor post (from the posts cached per request)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return bool(user.is_superuser or posts_of(user, [Role.AUDITOR]))


@rules.predicate
def is_data_authority(user) -> bool:
    """Superusers and data-authority administrators maintain the shared reference data."""
    return has_role(user, Role.AUTHORITY)


rules.add_perm("audit.view_log", is_auditor)
rules.add_perm("regions.administer", is_data_authority)
