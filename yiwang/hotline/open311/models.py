"""Open311 GeoReport v2: the connected clients (api keys) and what they submitted.

Separate app (label ``open311``) so that its migrations do not mix with the hotline's.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Open311Client(models.Model):
    """A system allowed to POST service requests. Only the key's SM3 hash is stored."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    key_prefix = models.CharField(_("key prefix"), max_length=16, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    active = models.BooleanField(pgettext_lazy("hotline", "active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        app_label = "open311"
        ordering = ["name"]
        verbose_name = _("Open311 client")
        verbose_name_plural = _("Open311 clients")

    def __str__(self) -> str:
        return f"{self.name} ({self.key_prefix}…)"


class Open311Request(models.Model):
    """The Open311 side of a ticket: which client sent it, and the spec's extra fields."""

    ticket = models.OneToOneField(
        "hotline.Ticket",
        on_delete=models.CASCADE,
        related_name="open311",
        verbose_name=_("ticket"),
    )
    client = models.ForeignKey(
        Open311Client, on_delete=models.PROTECT, related_name="requests", verbose_name=_("client")
    )
    media_url = models.URLField(_("media URL"), max_length=500, blank=True)
    device_id = models.CharField(_("device id"), max_length=100, blank=True)
    account_id = models.CharField(_("account id"), max_length=100, blank=True)
    attributes = models.JSONField(_("attributes"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        app_label = "open311"
        verbose_name = _("Open311 request")
        verbose_name_plural = _("Open311 requests")

    def __str__(self) -> str:
        return f"{self.client.name}: {self.ticket_id}"
