"""Notifications: in-site messages, optionally copied by SMS after commit.

Notifications are side effects of other actions, so they are not audited
themselves (the action that caused them is); reading them is not audited either.
"""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import LINK_MAX_LENGTH, TITLE_MAX_LENGTH, Message

logger = logging.getLogger(__name__)

SMS_MAX_CHARS = 300


def _validate(title: str, link: str) -> None:
    errors = {}
    if not title or not title.strip():
        errors["title"] = ValidationError(_("A notice needs a title."), code="required")
    elif len(title) > TITLE_MAX_LENGTH:
        errors["title"] = ValidationError(
            _("The notice title is %(length)d characters long; shorten it to at most %(max)d."),
            code="max_length",
            params={"length": len(title), "max": TITLE_MAX_LENGTH},
        )
    if (
        link
        and not (link.startswith("/") and not link.startswith("//"))
        and not link.startswith(("https://", "http://"))
    ):
        errors["link"] = ValidationError(
            _(
                "The notice link %(link)s must be a path on this site (starting with /) or an http(s) address."
            ),
            code="invalid_link",
            params={"link": link[:100]},
        )
    elif len(link) > LINK_MAX_LENGTH:
        errors["link"] = ValidationError(
            _("The notice link is longer than %(max)d characters."),
            code="max_length",
            params={"max": LINK_MAX_LENGTH},
        )
    if errors:
        raise ValidationError(errors)


def sms_text(title: str, body: str) -> str:
    text = f"{title.strip()}：{body.strip()}" if body and body.strip() else title.strip()
    return text if len(text) <= SMS_MAX_CHARS else text[: SMS_MAX_CHARS - 1] + "…"


def _enqueue_sms(user_id: int, text: str) -> None:
    from .tasks import send_sms_copy

    try:
        send_sms_copy.enqueue(user_id, text)
    except Exception:
        logger.exception("could not queue the SMS copy of a notice for user %s", user_id)


@transaction.atomic
def notify(*, user, title: str, body: str = "", link: str = "", sms: bool = False) -> Message:
    """Leave a message in ``user``'s inbox; with ``sms``, also text their phone after commit.

    Runs in the caller's transaction: if the caller rolls back, there is
    neither a message nor an SMS. A failing SMS gateway is logged and never
    breaks the caller.
    """
    _validate(title, link)
    message = Message.objects.create(
        recipient=user, title=title.strip(), body=body or "", link=link
    )
    if sms and bool(getattr(user, "phone", "")):
        text = sms_text(title, body)
        user_id = user.pk
        transaction.on_commit(lambda: _enqueue_sms(user_id, text))
    return message


@transaction.atomic
def mark_read(*, actor, message: Message) -> Message:
    """Mark one message read. Only its recipient may; reading again keeps the first time."""
    if actor is None or not actor.is_authenticated or message.recipient_id != actor.pk:
        raise PermissionDenied(_("You can only mark your own notices as read."))
    if message.read_at is None:
        now = timezone.now()
        # Conditional update: a concurrent read cannot move the first read time.
        Message.objects.filter(pk=message.pk, read_at__isnull=True).update(read_at=now)
        message.refresh_from_db(fields=["read_at"])
    return message


@transaction.atomic
def mark_all_read(*, actor) -> int:
    """Mark every unread message of ``actor`` read; returns how many changed."""
    if actor is None or not actor.is_authenticated:
        raise PermissionDenied(_("Log in to mark your notices as read."))
    return Message.objects.filter(recipient=actor, read_at__isnull=True).update(
        read_at=timezone.now()
    )
