"""The SMS that tells a caller without an account that their ticket is closed.

Queued by ``actions.close`` after commit with the ticket id only: the number is read here
from the encrypted column, so it never sits in clear in the task queue.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import task

from yiwang.gmcrypto.masking import mask_phone
from yiwang.notify.sms import get_gateway

from .models import Status, Ticket

logger = logging.getLogger(__name__)


def closure_text(number: str) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return _(
            "[12345] Your request %(number)s has been handled and closed. To hear the reply, "
            "call 12345 and give this ticket number."
        ) % {"number": number}


@task()
def send_closure_sms(ticket_id: int) -> bool:
    """Text the caller of a closed ticket who left only a phone number. Returns whether the
    message was handed to the gateway; failures are logged, never retried blindly."""
    ticket = (
        Ticket.objects.filter(pk=ticket_id)
        .only("id", "number", "status", "citizen_id", "caller_phone")
        .first()
    )
    if ticket is None or ticket.status != Status.CLOSED or ticket.citizen_id:
        return False
    phone = ticket.caller_phone
    if not phone:
        return False
    try:
        get_gateway().send(phone, closure_text(ticket.number))
    except Exception:
        logger.exception("closure SMS of ticket %s to %s failed", ticket.number, mask_phone(phone))
        return False
    return True
