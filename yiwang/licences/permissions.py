"""Who may issue and change a department's licences.

Issuing, suspending, lifting a suspension, revoking and cancelling are acts of the issuing
department: staff holding an active post in it (any role: the window clerk issues), or the
platform itself (automatic issuance when a case is approved, the expiry sweep, the demo).
Platform administrators configure licence types but do not issue in a department's name.
Reading a holder's licences (``use``) is for staff with a post in a department, too.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from yiwang.audit.actors import is_system
from yiwang.orgs.models import Department
from yiwang.orgs.scope import posts_of


def is_department_staff(user, department: Department) -> bool:
    if is_system(user):
        return True
    if not (getattr(user, "is_authenticated", False) and getattr(user, "is_active", False)):
        return False
    return any(post.department_id == department.pk for post in posts_of(user))


def departments_of(user) -> list[Department]:
    """The departments in which ``user`` holds an active post, in post order, each once.
    Posts without a department (platform-wide roles) do not count: a licence is used in
    one department's name, which the holder is told."""
    seen: dict[int, Department] = {}
    for post in posts_of(user):
        if post.department is not None:
            seen.setdefault(post.department.pk, post.department)
    return list(seen.values())


def require_issuer(user, department: Department) -> None:
    if not is_department_staff(user, department):
        raise PermissionDenied(
            _("Only the staff of %(department)s can issue or change its licences.")
            % {"department": department.name}
        )
