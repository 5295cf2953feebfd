"""The receipt (受理回执) and the decision document (决定书) of a case, as PDF.

Personal data: both documents can be downloaded by the applicant and by every staff member
who sees the case, so they show personal values masked: the applicant's ID number, and the
form's personal fields as stored in ``Case.form_data`` (never ``form_values()``). No
document here legally needs a full value: the decision (准予/不予许可决定书) identifies the
applicant by name and case number and is verified by its QR code; a document that must carry
a full ID number (e.g. a certificate issued in the person's name) belongs in the licence
that implements it and must read it through an audited reveal.
"""

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from yiwang.catalog.forms_schema import value_text
from yiwang.web.documents import render_pdf

from .deadlines import shown_deadlines
from .models import Decision, Status


def _track_url(case) -> str:
    return settings.YIWANG_PUBLIC_URL.rstrip("/") + reverse("cases:track", args=[case.track_token])


def _date(value) -> str:
    if value is None:
        return "—"
    if hasattr(value, "hour"):
        value = timezone.localtime(value)
        return f"{value:%Y年%m月%d日 %H:%M}"
    return f"{value:%Y年%m月%d日}"


def _deadline(d) -> str:
    """A deadline as the pages show it: its date (provisional marked) or, before acceptance,
    its limit in working days after acceptance."""
    if d.date is not None:
        text = _date(d.date)
        return f"{text}（{_('provisional')}）" if d.provisional else text
    if d.days:
        return ngettext(
            "%(n)d working day after acceptance", "%(n)d working days after acceptance", d.days
        ) % {"n": d.days}
    return _("On the day of acceptance")


def form_rows(case) -> list[tuple[str, str]]:
    """The application form as (title, value) rows, personal values masked."""
    props = (case.item.form_schema or {}).get("properties") or {}
    return [
        ((props.get(key) or {}).get("title", key), value_text(value))
        for key, value in case.form_data.items()
    ]


def receipt(case, request=None) -> bytes:
    item = case.item
    rows = [
        (_("Case number"), case.number),
        (_("Service item"), item.name),
        (_("Applicant"), case.applicant_name),
        (_("ID number"), case.masked_id_number or "—"),
        (_("Handling department"), case.department.name),
        (_("Submitted at"), _date(case.submitted_at)),
        (_("Accepted at"), _date(case.accepted_at)),
        (
            _("Promised time limit"),
            _("%(n)d working days") % {"n": case.promised_days}
            if case.promised_days
            else _("Handled on the spot"),
        ),
        *((str(d.label), _deadline(d)) for d in shown_deadlines(case)),
        (_("Registered at"), case.hall.name if case.hall else _("Online")),
    ]
    rows += form_rows(case)
    files = "、".join(f.name for f in case.files.filter(superseded=False))
    if files:
        rows.append((_("Materials received"), files))
    return render_pdf(
        title=_("Acceptance receipt"),
        subtitle=case.department.name,
        rows=rows,
        paragraphs=[
            _("Scan the QR code or visit the address below to follow the progress of your case."),
            _track_url(case),
        ],
        qr_url=_track_url(case),
        footer=_("Consultation: %(phone)s  Complaints: 12345")
        % {"phone": item.consult_phone or "12345"},
        seal_text=case.department.name,
    )


def decision(case, request=None) -> bytes:
    item = case.item
    if case.status == Status.REJECTED:
        title = _("Notice of non-acceptance")
        outcome = _("Your application is not accepted.")
    elif case.decision == Decision.APPROVED:
        title = _("Decision to grant")
        outcome = _(
            "After review, your application meets the statutory conditions and standards. It is granted."
        )
    else:
        title = _("Decision not to grant")
        outcome = _("After review, your application is not granted.")
    rows = [
        (_("Case number"), case.number),
        (_("Service item"), item.name),
        (_("Applicant"), case.applicant_name),
        (_("Handling department"), case.department.name),
        (_("Legal basis"), item.legal_basis),
        (_("Decided at"), _date(case.closed_at or timezone.now())),
    ]
    paragraphs = [outcome]
    if case.decision_reason:
        paragraphs.append(_("Reasons: %(reason)s") % {"reason": case.decision_reason})
    if case.remedy:
        paragraphs.append(case.remedy)
    return render_pdf(
        title=title,
        subtitle=case.department.name,
        rows=rows,
        paragraphs=paragraphs,
        qr_url=_track_url(case),
        footer=_("Verify this document by scanning the QR code."),
        seal_text=case.department.name,
    )
