"""Every state change of a case. Views, APIs, commands and tasks call these.

Each action validates, checks permission, writes the case and its timeline, appends the audit
entry in the same transaction, and notifies on commit. One module per concern:

- ``applicant``: the applicant's draft, online submission, corrections, withdrawal;
- ``intake``: window staff registering and accepting a walk-in's application;
- ``handling``: staff handling a case along its process (claim, accept, review, decide, …);
- ``reveal``: showing staff an applicant's personal data, purpose-bound and recorded;
- ``sweep``: the worker's deadline sweeps;
- ``_common`` and ``_content``: what they share (locking, saving with timeline and audit;
  the form and the material files).

Callers import the actions from this package (``from yiwang.cases import actions``).
"""

from ..deadlines import refresh_deadlines
from .applicant import online_applicant, resubmit, save_draft, submit_application, withdraw
from .handling import (
    accept,
    accept_many,
    claim,
    conclude,
    decide,
    end_special,
    pass_review,
    reject,
    release,
    request_correction,
    start_special,
    transfer,
)
from .intake import window_intake
from .reveal import (
    REVEAL_DAYS_AFTER_CLOSE,
    REVEAL_ROLES,
    may_reveal_applicant,
    reveal_applicant_data,
    reveal_form_value,
)
from .sweep import recompute_provisional, sweep_deadlines

__all__ = [
    "REVEAL_DAYS_AFTER_CLOSE",
    "REVEAL_ROLES",
    "accept",
    "accept_many",
    "claim",
    "conclude",
    "decide",
    "end_special",
    "may_reveal_applicant",
    "online_applicant",
    "pass_review",
    "recompute_provisional",
    "refresh_deadlines",
    "reject",
    "release",
    "request_correction",
    "resubmit",
    "reveal_applicant_data",
    "reveal_form_value",
    "save_draft",
    "start_special",
    "submit_application",
    "sweep_deadlines",
    "transfer",
    "window_intake",
    "withdraw",
]
