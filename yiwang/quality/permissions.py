"""Who may do what with data quality (the catalogue's roles, ``datahub.permissions``).

- A resource's rules, runs, issue lists and sensitive-field detection: the provider
  department's data administrator (``dept_admin``) and the data authority.
- The list of resources by score: the data authority (every resource) and data
  administrators (their departments' resources).
- The score on a resource's catalogue page: everyone who sees that page.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils.translation import gettext as _

from yiwang.datahub.models import Resource
from yiwang.datahub.permissions import (
    can_manage_provider,
    is_authority,
    manageable_departments,
    managed_departments_q,
)


def can_manage(user, resource: Resource) -> bool:
    return can_manage_provider(user, resource.provider)


def require_manager(user, resource: Resource) -> None:
    if not can_manage(user, resource):
        raise PermissionDenied(
            _(
                "Only the data administrator of %(department)s or the data authority can "
                "manage the quality of this resource."
            )
            % {"department": resource.provider.name}
        )


def sees_scores(user) -> bool:
    return is_authority(user) or manageable_departments(user).exists()


def scores_q(user) -> Q:
    """``QualityScore`` rows ``user`` may list."""
    return managed_departments_q(user, "resource__provider")
