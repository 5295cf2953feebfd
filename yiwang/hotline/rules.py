"""The ticket state machine: which action is allowed in which status, and the timeline step
each writes. One place for the rule (``actions._common.transition`` applies it).

new ──dispatch──▶ dispatched ──sign_for──▶ signed ──reply──▶ replied ──close──▶ closed
 │                    │  ▲                    │                │                 │
 │               return_ticket│redispatch  request_extension    send_back ▶ signed │
 │                    ▼  │                                                       │
 │                 returned ──reject_return──▶ dispatched           record_callback
 │                                                            (dissatisfied, once)
 └─ close_at_once (consult answered from the knowledge base) ──▶ closed   ▼ reopen
                                                                   reopened ──sign_for──▶ signed
any open status ──merge──▶ merged (answered with the master ticket)
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .models import EventAction, Status

ALLOWED: dict[str, set[str]] = {
    "dispatch": {Status.NEW},
    "sign_for": {Status.DISPATCHED, Status.REOPENED},
    "reply": {Status.SIGNED},
    "return_ticket": {Status.DISPATCHED, Status.SIGNED, Status.REOPENED},
    "redispatch": {Status.RETURNED, Status.DISPATCHED, Status.SIGNED, Status.REOPENED},
    "reject_return": {Status.RETURNED},
    "request_extension": {Status.DISPATCHED, Status.SIGNED, Status.REOPENED},
    "decide_extension": {Status.DISPATCHED, Status.SIGNED, Status.REOPENED, Status.REPLIED},
    "close": {Status.REPLIED},
    "send_back": {Status.REPLIED},
    "record_callback": {Status.CLOSED},
    # Not offered on its own: the first dissatisfied call-back reopens the ticket.
    "reopen": {Status.CLOSED},
    "merge": {
        Status.NEW,
        Status.DISPATCHED,
        Status.SIGNED,
        Status.RETURNED,
        Status.REOPENED,
    },
}

#: The timeline step (and audit action ``hotline.<step>``) each action writes.
EVENTS: dict[str, EventAction] = {
    "dispatch": EventAction.DISPATCH,
    "sign_for": EventAction.SIGN,
    "reply": EventAction.REPLY,
    "return_ticket": EventAction.RETURN,
    "redispatch": EventAction.REDISPATCH,
    "reject_return": EventAction.REJECT_RETURN,
    "request_extension": EventAction.EXTENSION_REQUEST,
    "decide_extension": EventAction.EXTENSION_DECISION,
    "close": EventAction.CLOSE,
    "send_back": EventAction.SEND_BACK,
    "record_callback": EventAction.CALLBACK,
    "reopen": EventAction.REOPEN,
    "merge": EventAction.MERGE,
}

ACTION_NAMES = {action: event.label for action, event in EVENTS.items()}


def is_allowed(action: str, status: str) -> bool:
    return status in ALLOWED[action]


def ensure_allowed(action: str, ticket) -> None:
    if not is_allowed(action, ticket.status):
        raise ValidationError(
            _("Ticket %(number)s is “%(status)s”; “%(action)s” is not possible now.")
            % {
                "number": ticket.number,
                "status": ticket.get_status_display(),
                "action": ACTION_NAMES[action],
            },
            code="transition_not_allowed",
        )


def allowed_actions(ticket) -> set[str]:
    return {name for name, statuses in ALLOWED.items() if ticket.status in statuses}
