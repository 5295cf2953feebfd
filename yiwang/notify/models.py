"""In-site messages (站内消息) to one user; SMS is an optional copy sent on commit."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Named so that validation can quote them in its messages (one place per limit).
TITLE_MAX_LENGTH = 200
LINK_MAX_LENGTH = 500


class Message(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="messages",
        verbose_name=_("recipient"),
    )
    title = models.CharField(_("title"), max_length=TITLE_MAX_LENGTH)
    body = models.TextField(_("body"), blank=True)
    link = models.CharField(_("link"), max_length=LINK_MAX_LENGTH, blank=True)
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        indexes = [
            # unread count / mark-all-read
            models.Index(fields=["recipient", "read_at"], name="notify_msg_recipient_read"),
            # the inbox, newest first
            models.Index(
                fields=["recipient", "-created_at", "-id"], name="notify_msg_recipient_new"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
