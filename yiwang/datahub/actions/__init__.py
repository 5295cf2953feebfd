"""State changes of the data resource catalogue. Every change goes through here.

- ``create_resource`` / ``update_resource``: the provider's working copy with its items
  (``resources``);
- ``submit``, ``return_resource``, ``publish``, ``withdraw``, ``revise``: review and
  versions (``workflow``);
- ``update_grade_policy``: what each grade allows (``policy``);
- ``ensure_reference_data``: put back missing classifications and grade policies
  (``reference``);
- ``load_rows``: rows held as values, upserted into a resource's hub table (``rows``).

Permissions: ``datahub.permissions`` (the provider's ``dept_admin`` post, the data
authority). Audited as ``datahub.<verb>``; search is updated on commit.
"""

from __future__ import annotations

from ._validation import ITEM_FIELDS, METADATA_FIELDS
from .ingestion import (
    create_pull_source,
    disable_pull_source,
    run_due_pulls,
    run_pull_now,
    start_ingestion,
    update_pull_source,
)
from .policy import POLICY_FIELDS, update_grade_policy
from .reference import ensure_reference_data
from .resources import create_resource, update_resource
from .rows import load_rows
from .workflow import check_complete, publish, return_resource, revise, submit, withdraw

__all__ = [
    "ITEM_FIELDS",
    "METADATA_FIELDS",
    "POLICY_FIELDS",
    "check_complete",
    "create_pull_source",
    "create_resource",
    "disable_pull_source",
    "ensure_reference_data",
    "load_rows",
    "publish",
    "return_resource",
    "revise",
    "run_due_pulls",
    "run_pull_now",
    "start_ingestion",
    "submit",
    "update_grade_policy",
    "update_pull_source",
    "update_resource",
    "withdraw",
]
