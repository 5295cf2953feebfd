"""The case state machine: which action is allowed in which state. One place for the rule."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import EventAction, Status

# action → set of (status, kind of the current step); "*" = any step.
ALLOWED: dict[str, set[tuple[str, str]]] = {
    "accept": {(Status.SUBMITTED, "accept")},
    "reject": {(Status.SUBMITTED, "accept")},
    "request_correction": {(Status.SUBMITTED, "accept"), (Status.IN_PROGRESS, "review")},
    "resubmit": {(Status.CORRECTION, "*")},
    "pass_review": {(Status.IN_PROGRESS, "review")},
    "start_special": {(Status.IN_PROGRESS, "review"), (Status.IN_PROGRESS, "decide")},
    "end_special": {(Status.SPECIAL, "*")},
    "decide": {(Status.IN_PROGRESS, "decide")},
    "conclude": {(Status.IN_PROGRESS, "conclude")},
    "transfer": {(Status.SUBMITTED, "accept"), (Status.IN_PROGRESS, "review")},
    "withdraw": {
        (Status.SUBMITTED, "*"),
        (Status.CORRECTION, "*"),
        (Status.SPECIAL, "*"),
        (Status.IN_PROGRESS, "accept"),
        (Status.IN_PROGRESS, "review"),
        (Status.IN_PROGRESS, "decide"),
    },
    "claim": {(Status.SUBMITTED, "*"), (Status.IN_PROGRESS, "*")},
    "release": {(Status.SUBMITTED, "*"), (Status.IN_PROGRESS, "*")},
}

ACTION_NAMES = dict(EventAction.choices)


def is_allowed(action: str, status: str, step_kind: str) -> bool:
    rules = ALLOWED[action]
    return (status, step_kind) in rules or (status, "*") in rules


def ensure_allowed(action: str, case) -> None:
    step = case.step()
    kind = step["kind"] if step else ""
    if not is_allowed(action, case.status, kind):
        raise ValidationError(
            _("This case is “%(status)s”%(step)s; “%(action)s” is not possible now.")
            % {
                "status": case.get_status_display(),
                "step": (_(" at step “%s”") % step["name"]) if step and case.is_open else "",
                "action": ACTION_NAMES[action],
            },
            code="transition_not_allowed",
        )


SPECIAL_PROCEDURES = {
    "hearing": gettext_lazy("Hearing"),
    "expert_review": gettext_lazy("Expert review"),
    "inspection": gettext_lazy("On-site inspection"),
    "testing": gettext_lazy("Testing and quarantine"),
}


def remedy_text(region) -> str:
    """The remedies a refusal must state (行政复议 and 行政诉讼), per 行政许可法 art. 38.

    Reconsideration of a county department's or a town government's decision goes to the
    county government; the lawsuit to the county's basic people's court.
    """
    county = region.county or region
    return _(
        "If you disagree with this decision, you may apply for administrative reconsideration to the "
        "%(gov)s People's Government within 60 days of receiving it, or bring an administrative lawsuit "
        "before the %(gov)s People's Court within 6 months."
    ) % {"gov": county.name}
