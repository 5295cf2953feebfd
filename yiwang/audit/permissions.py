"""Who may read the audit trail."""

import rules

from yiwang.orgs.models import Role


@rules.predicate
def is_auditor(user) -> bool:
    """A superuser, or a user holding an active Post with the auditor role."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return user.posts.filter(role=Role.AUDITOR, active=True).exists()
