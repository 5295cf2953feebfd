"""The hotline's fixed vocabularies: channels, ticket types, statuses, satisfaction, timeline
steps. Field values are a contract with ``hotline/open311``, the statistics and the migrations."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

CONTENT_MAX_CHARS = 2000
#: The county whose 12345 this is (GB/T 2260 code).
COUNTY_CODE = settings.YIWANG_COUNTY_CODE


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone call")
    WEB = "web", _("Website")
    OPEN311 = "open311", _("Open311 API")
    GRID = "grid", _("Grid worker")
    SENSOR = "sensor", _("Sensor alert")


class TicketType(models.TextChoices):
    CONSULT = "consult", pgettext_lazy("hotline", "Consultation")
    HELP = "help", _("Request for help")
    COMPLAINT = "complaint", _("Complaint")
    REPORT = "report", _("Report of wrongdoing")
    SUGGESTION = "suggestion", _("Suggestion")


class Status(models.TextChoices):
    NEW = "new", _("Awaiting dispatch")
    DISPATCHED = "dispatched", _("Awaiting sign-for")
    SIGNED = "signed", _("Being handled")
    REPLIED = "replied", _("Replied, awaiting review")
    CLOSED = "closed", _("Closed")
    RETURNED = "returned", _("Returned, awaiting review")
    REOPENED = "reopened", _("Reopened, awaiting sign-for")
    MERGED = "merged", _("Merged")


#: Statuses in which a ticket is still being worked on.
OPEN_STATUSES = (
    Status.NEW,
    Status.DISPATCHED,
    Status.SIGNED,
    Status.REPLIED,
    Status.RETURNED,
    Status.REOPENED,
)
#: Statuses in which the lead department's deadline clock runs.
RUNNING_STATUSES = (Status.DISPATCHED, Status.SIGNED, Status.REOPENED)
#: Statuses in which a department still has to sign for the ticket.
UNSIGNED_STATUSES = (Status.DISPATCHED, Status.REOPENED)


class Satisfaction(models.TextChoices):
    NONE = "", _("Not called back")
    SATISFIED = "satisfied", _("Satisfied")
    BASIC = "basic", _("Basically satisfied")
    DISSATISFIED = "dissatisfied", _("Dissatisfied")


class PhotoStage(models.TextChoices):
    REPORT = "report", _("Reported")
    REPLY = "reply", _("Reply")


class EventAction(models.TextChoices):
    REGISTER = "register", _("Registered")
    CLOSE_AT_ONCE = "close_at_once", _("Answered from the knowledge base and closed")
    DISPATCH = "dispatch", _("Dispatched")
    SIGN = "sign", _("Signed for")
    REPLY = "reply", _("Replied")
    RETURN = "return", _("Returned")
    REDISPATCH = "redispatch", _("Re-dispatched")
    REJECT_RETURN = "reject_return", _("Return rejected")
    EXTENSION_REQUEST = "extension_request", _("Extension requested")
    EXTENSION_DECISION = "extension_decision", _("Extension decided")
    CLOSE = "close", _("Closed")
    SEND_BACK = "send_back", _("Reply sent back")
    CALLBACK = "callback", _("Called back")
    REOPEN = "reopen", _("Reopened")
    MERGE = "merge", _("Merged")
    SUPERVISE = "supervise", _("Supervised")
    ESCALATE = "escalate", _("Escalated")


class CallBackResult(models.TextChoices):
    KEPT_CLOSED = "closed", _("Recorded, ticket stays closed")
    REOPENED = "reopened", _("Reopened to the department")
