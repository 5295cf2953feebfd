"""Who saw which person's full identifiers, why, and in the context of which object.

A ``Disclosure`` is written for every reveal of a full ID number, phone number or other
identifying value to someone other than the person themself, and for every reveal refused
because the staff member went over their per-staff limit. It names the person by account
when there is one and always by blind indexes of the ID number and phone, so that a walk-in
applicant who registers later still sees what was revealed about them before.

A ``RevealBurst`` groups the refused reveals of one staff member that follow each other
within an hour: the auditors are alerted once per burst, not once per refused reveal.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Purpose(models.TextChoices):
    CONTACT = "contact", _("Contact the applicant or caller")
    CALLBACK = "callback", _("Call-back (回访)")
    VERIFY_IDENTITY = "verify_identity", _("Verify identity")
    LEGAL_DOCUMENT = "legal_document", _("Prepare a legal document")
    OTHER = "other", _("Other purpose")


#: The purposes a reveal may be bound to: code → translated label.
PURPOSES = dict(Purpose.choices)


class Limit(models.TextChoices):
    HOUR = "hour", _("per hour")
    DAY = "day", _("per day")


#: Labels of the fields the kernel and the feature apps reveal (others pass ``field_label``).
FIELD_LABELS = {
    "id_number": _("Resident ID number"),
    "phone": _("Phone number"),
    "name": pgettext_lazy("person", "Name"),
}


class Disclosure(models.Model):
    ref = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(_("time"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("staff member"),
        db_index=False,  # covered by the (actor, created_at) index
    )
    # Snapshots: what the person is told even if the staff member later changes post.
    actor_name = models.CharField(_("staff member's name"), max_length=150)
    department = models.ForeignKey(
        "orgs.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("department"),
    )
    object_type = models.CharField(_("object type"), max_length=100)
    object_id = models.CharField(_("object id"), max_length=64)
    object_label = models.CharField(_("object"), max_length=64)
    object_url = models.CharField(_("object link"), max_length=200, blank=True)
    field = models.CharField(_("field"), max_length=60)
    field_label = models.CharField(_("field name"), max_length=100, blank=True)
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    reason = models.CharField(_("reason"), max_length=500)
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("person"),
        db_index=False,  # covered by the (subject, created_at) index
    )
    # The person's key for grouping: ID-number index, else phone index, else "user:<pk>".
    subject_key = models.CharField(max_length=70, db_index=True)
    subject_id_index = models.CharField(max_length=64, blank=True, default="")
    subject_phone_index = models.CharField(max_length=64, blank=True, default="")
    subject_label = models.CharField(_("person"), max_length=100, blank=True)
    refused = models.BooleanField(_("refused"), default=False)
    limit = models.CharField(
        _("limit exceeded"), max_length=4, choices=Limit.choices, blank=True, default=""
    )

    class Meta:
        verbose_name = _("personal data disclosure")
        verbose_name_plural = _("personal data disclosures")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The per-staff limit counts and the per-staff pages read this index only.
            models.Index(fields=["actor", "created_at"], name="disclosure_actor_idx"),
            models.Index(fields=["subject", "created_at"], name="disclosure_subject_idx"),
            models.Index(fields=["created_at"], name="disclosure_created_idx"),
            models.Index(
                fields=["subject_id_index"],
                condition=~models.Q(subject_id_index=""),
                name="disclosure_id_idx",
            ),
            models.Index(
                fields=["subject_phone_index"],
                condition=~models.Q(subject_phone_index=""),
                name="disclosure_phone_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.actor_name} → {self.object_label} {self.field}"

    @property
    def field_name(self) -> str:
        return self.field_label or str(FIELD_LABELS.get(self.field, self.field))


class RevealBurst(models.Model):
    """Refused reveals of one staff member close together; the auditors hear of it once."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("staff member"),
        db_index=False,
    )
    started_at = models.DateTimeField(_("first refused at"))
    last_at = models.DateTimeField(_("last refused at"))
    refused_count = models.PositiveIntegerField(_("refused reveals"), default=0)
    limit = models.CharField(_("limit exceeded"), max_length=4, choices=Limit.choices)

    class Meta:
        verbose_name = _("burst of refused reveals")
        verbose_name_plural = _("bursts of refused reveals")
        ordering = ["-last_at"]
        indexes = [models.Index(fields=["actor", "last_at"], name="revealburst_actor_idx")]

    def __str__(self) -> str:
        return f"{self.actor_id} {self.started_at:%Y-%m-%d %H:%M} ×{self.refused_count}"
