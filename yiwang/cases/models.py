"""Cases (办件): an application for a service item, from intake to result.

The workflow state lives on the row itself and is written synchronously with
every action (DIGIT's asynchronous persister caused read-after-write bugs).
"""

import json
import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from yiwang.gmcrypto.fields import EncryptedTextField
from yiwang.gmcrypto.masking import mask_id_number, mask_phone


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Awaiting acceptance")
    IN_PROGRESS = "in_progress", _("Under review")
    CORRECTION = "correction", _("Awaiting corrections")
    SPECIAL = "special", _("Special procedure")
    CLOSED = "closed", _("Concluded")
    REJECTED = "rejected", _("Not accepted")
    WITHDRAWN = "withdrawn", _("Withdrawn")


OPEN_STATUSES = (Status.SUBMITTED, Status.IN_PROGRESS, Status.CORRECTION, Status.SPECIAL)
STAFF_QUEUE_STATUSES = (Status.SUBMITTED, Status.IN_PROGRESS)


class Channel(models.TextChoices):
    ONLINE = "online", _("Online")
    WINDOW = "window", _("Window")


class Decision(models.TextChoices):
    NONE = "", _("Not decided")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")


class DeadlineStatus(models.TextChoices):
    NORMAL = "normal", _("Normal")
    WARNING = "warning", _("Warning")
    OVERDUE = "overdue", _("Overdue")


def new_token() -> str:
    return secrets.token_urlsafe(16)


class Case(models.Model):
    number = models.CharField(_("case number"), max_length=24, unique=True, null=True, blank=True)
    item = models.ForeignKey(
        "catalog.ServiceItem",
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("service item"),
    )
    item_version = models.PositiveIntegerField(_("item version"))
    process = models.ForeignKey(
        "catalog.ProcessDefinition",
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("process"),
    )
    # Applicant snapshot: a walk-in need not have an account.
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("applicant account"),
    )
    enterprise = models.ForeignKey(
        "accounts.Enterprise",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("enterprise"),
    )
    applicant_name = models.CharField(_("applicant"), max_length=100)
    applicant_id_number = EncryptedTextField(_("applicant ID number"), blank=True, default="")
    applicant_id_index = models.CharField(max_length=64, blank=True, default="", db_index=True)
    applicant_phone = EncryptedTextField(_("applicant phone"), blank=True, default="")
    # The form as shown to staff: personal values (ID numbers, phones, bank accounts, names;
    # see catalog.personal_formats) replaced by their masks. The full personal values are in
    # ``form_pii``, SM4-encrypted JSON; ``form_values()`` joins the two.
    form_data = models.JSONField(_("application form"), default=dict, blank=True)
    form_pii = EncryptedTextField(_("personal data in the form"), blank=True, default="")
    # Time limits as published when the case started (the item may change later).
    statutory_days = models.PositiveSmallIntegerField(
        _("statutory limit (working days)"), default=0
    )
    promised_days = models.PositiveSmallIntegerField(_("promised limit (working days)"), default=0)

    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    current_step = models.CharField(_("current step"), max_length=40, blank=True)
    current_role = models.CharField(_("role of current step"), max_length=20, blank=True)
    department = models.ForeignKey(
        "orgs.Department",
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("handling department"),
    )
    # The department the case belongs to; joint-review steps visit others and come back here.
    home_department = models.ForeignKey(
        "orgs.Department",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("responsible department"),
    )
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, verbose_name=_("region"))
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_cases",
        verbose_name=_("assignee"),
    )

    channel = models.CharField(
        _("channel"), max_length=10, choices=Channel.choices, default=Channel.ONLINE
    )
    hall = models.ForeignKey(
        "orgs.Hall", on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("intake hall")
    )
    intake_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registered by"),
    )

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    step_started_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(_("concluded at"), null=True, blank=True)

    # Deadlines (working days, see yiwang.workdays and cases.deadlines). ``due_at`` is the next
    # deadline the case must meet, the one the staff queue orders by: the acceptance deadline
    # (受理期限, the accept step's ``step_due``) until the case is accepted, then the promised
    # completion date (承诺办结).
    due_at = models.DateField(_("next deadline"), null=True, blank=True)
    statutory_due = models.DateField(_("statutory deadline"), null=True, blank=True)
    step_due = models.DateField(_("step deadline"), null=True, blank=True)
    # Each date rests on assumed working days when its year's holidays are not published yet
    # (暂定); ``due_provisional`` is set when any of them does (recomputed on calendar changes).
    due_provisional = models.BooleanField(_("deadline provisional"), default=False)
    promised_provisional = models.BooleanField(default=False, editable=False)
    statutory_provisional = models.BooleanField(default=False, editable=False)
    step_provisional = models.BooleanField(default=False, editable=False)
    deadline_status = models.CharField(
        _("deadline status"),
        max_length=10,
        choices=DeadlineStatus.choices,
        default=DeadlineStatus.NORMAL,
    )
    escalated_at = models.DateTimeField(null=True, blank=True)

    decision = models.CharField(
        _("decision"), max_length=10, choices=Decision.choices, blank=True, default=Decision.NONE
    )
    decision_reason = models.TextField(_("reasons"), blank=True)
    remedy = models.TextField(_("remedies"), blank=True)
    # 材料减免: of the materials the item required when the case was submitted, how many the
    # platform obtained (an e-licence, shared data) instead of an upload.
    materials_required = models.PositiveSmallIntegerField(_("materials required"), default=0)
    materials_obtained = models.PositiveSmallIntegerField(
        _("materials obtained without upload"), default=0
    )

    track_token = models.CharField(max_length=32, unique=True, default=new_token, editable=False)
    submission_key = models.CharField(
        max_length=64, unique=True, null=True, blank=True, editable=False
    )
    version = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [
            # The staff queue: read in due order straight from the index (overdue first).
            models.Index(
                fields=["department", "current_role", "due_at", "id"],
                condition=models.Q(status__in=["submitted", "in_progress"]),
                name="case_queue_idx",
            ),
            models.Index(fields=["status", "due_at"], name="case_status_due_idx"),
            models.Index(fields=["applicant", "-created_at"], name="case_applicant_idx"),
            models.Index(fields=["hall", "-created_at"], name="case_hall_idx"),
            # Use of each item over the last days (the home page's popular services).
            models.Index(fields=["submitted_at", "item"], name="case_submitted_item_idx"),
        ]

    def __str__(self) -> str:
        return self.number or f"#{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.applicant_id_number)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.applicant_phone)

    def personal_form_data(self) -> dict:
        """The form's personal values in full (decrypted): ``{field: value}``."""
        return json.loads(self.form_pii) if self.form_pii else {}

    def form_values(self) -> dict:
        """The whole form in full, for the applicant, processing and documents that need it.

        Staff pages show ``form_data`` (masked) and reveal one value by the audited action.
        """
        personal = self.personal_form_data()
        return {key: personal.get(key, value) for key, value in self.form_data.items()}

    def step(self) -> dict | None:
        if not self.current_step:
            return None
        return self.process.step(self.current_step)


class FormValueIndex(models.Model):
    """Blind index of a resident ID number or phone typed into a case's form (exact lookup).

    Uses the purposes of ``accounts`` ("id", "phone"), so one number finds accounts and cases.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="form_indexes")
    field = models.CharField(max_length=50)
    digest = models.CharField(max_length=64, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "field"], name="cases_form_index_unique")
        ]

    def __str__(self) -> str:
        return f"{self.case_id}:{self.field}"


class CaseMaterial(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="files")
    material = models.ForeignKey(
        "catalog.Material", on_delete=models.PROTECT, null=True, blank=True
    )
    name = models.CharField(_("material"), max_length=200)
    file = models.FileField(_("file"), upload_to="cases/%Y/%m/")
    original_name = models.CharField(max_length=200)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    content_type = models.CharField(max_length=100)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    superseded = models.BooleanField(default=False)

    class Meta:
        ordering = ["case", "material__position", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.original_name})"


class ObtainedMaterial(models.Model):
    """A material the platform obtained for the case instead of an upload (免证办): which
    source, as the applicant and the reviewer saw it when the case was submitted."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="obtained_materials")
    material = models.ForeignKey("catalog.Material", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("material"), max_length=200)
    kind = models.CharField(_("source"), max_length=10)
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    label = models.CharField(_("obtained from"), max_length=300, blank=True)
    url = models.CharField(max_length=300, blank=True)
    obtained_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["case", "material__position", "id"]

    def __str__(self) -> str:
        return f"{self.name} ← {self.reference or self.kind}"


class EventAction(models.TextChoices):
    SUBMIT = "submit", _("Submit")
    INTAKE = "intake", _("Window intake")
    ACCEPT = "accept", _("Accept")
    REJECT = "reject", _("Refuse to accept")
    REQUEST_CORRECTION = "request_correction", _("Request corrections")
    RESUBMIT = "resubmit", _("Resubmit corrections")
    PASS_REVIEW = "pass_review", _("Pass review")
    START_SPECIAL = "start_special", _("Start special procedure")
    END_SPECIAL = "end_special", _("End special procedure")
    DECIDE = "decide", _("Decide")
    APPROVE = "approve", _("Approve")
    REFUSE = "refuse", _("Refuse")
    CONCLUDE = "conclude", _("Conclude")
    TRANSFER = "transfer", _("Transfer")
    WITHDRAW = "withdraw", _("Withdraw")
    CLAIM = "claim", _("Claim")
    RELEASE = "release", _("Release claim")
    ESCALATE = "escalate", _("Escalate overdue case")


class CaseEvent(models.Model):
    """One line of the case timeline."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    actor_label = models.CharField(max_length=100, blank=True)
    action = models.CharField(max_length=30, choices=EventAction.choices)
    step = models.CharField(max_length=40, blank=True)
    note = models.TextField(blank=True)
    public = models.BooleanField(default=True)

    class Meta:
        ordering = ["case", "at", "id"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} @ {self.at:%Y-%m-%d %H:%M}"


class PauseKind(models.TextChoices):
    CORRECTION = "correction", _("Awaiting corrections")
    SPECIAL = "special", _("Special procedure")


class ClockPause(models.Model):
    """An interval during which the deadline clock does not run."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="pauses")
    kind = models.CharField(max_length=12, choices=PauseKind.choices)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField()
    procedure = models.CharField(max_length=30, blank=True)
    result = models.TextField(blank=True)

    class Meta:
        ordering = ["case", "started_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.started_at:%Y-%m-%d}"


class PendingUpload(models.Model):
    """A file chosen on an application form that was not submitted yet (another field had an
    error, or the form was saved as a draft): checked and kept for that form, identified by its
    submission key and the person filling it in, so it need not be chosen again. Submitting the
    form turns it into a ``CaseMaterial``; stale ones are purged (``cases.pending``)."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    submission_key = models.CharField(max_length=64)
    item = models.ForeignKey("catalog.ServiceItem", on_delete=models.CASCADE, related_name="+")
    material = models.ForeignKey("catalog.Material", on_delete=models.CASCADE, related_name="+")
    file = models.FileField(upload_to="pending/%Y/%m/")
    original_name = models.CharField(max_length=200)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    content_type = models.CharField(max_length=100)
    extension = models.CharField(max_length=10)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "submission_key", "material"], name="cases_pending_upload_unique"
            )
        ]

    def __str__(self) -> str:
        return self.original_name
