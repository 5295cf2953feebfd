"""Open311 GeoReport v2 endpoints (http://wiki.open311.org/GeoReport_v2).

GET endpoints are public and never show personal data (caller name, phone, e-mail);
only tickets that came in through Open311 (``settings.YIWANG_OPEN311_PUBLIC_CHANNELS``)
and are not reports of wrongdoing (举报) are listed.
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from yiwang.hotline.models import (
    Category,
    PhotoStage,
    Status,
    Ticket,
    TicketPhoto,
    TicketType,
)
from yiwang.web.files import public_photo_response
from yiwang.web.params import parse_int, shown, strip_control
from yiwang.web.publication import publish_text

from . import actions
from .formats import JSON_TYPE, errors, respond

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-01-01T00:00:00+08:00"
DEFAULT_DAYS = 90
DEFAULT_PAGE_SIZE = 200
MAX_PAGE_SIZE = 1000
MAX_OFFSET = 10000
MAX_IDS = 200
#: Dates outside these years are refused (the default window is counted back from end_date).
MIN_YEAR, MAX_YEAR = 2000, 9998
STATUS_NOTES_CHARS = 500
ATTRIBUTE_RE = re.compile(r"^attribute\[([^\]]+)\](?:\[\])?$")
#: What a ticket number can look like (anything else cannot be one: no database lookup).
REQUEST_ID_RE = re.compile(r"^[\w-]{1,64}\Z", re.ASCII)
#: Field names of the hotline's actions → the specification's parameter names.
FIELD_NAMES = {
    "content": "description",
    "category": "service_code",
    "caller_phone": "phone",
    "lng": "long",
    "region": "address_string",
    "address": "address_string",
    "photos": "media_url",
    "type": "attribute[type]",
}


def _public_channels() -> tuple[str, ...]:
    return tuple(getattr(settings, "YIWANG_OPEN311_PUBLIC_CHANNELS", ("open311",)))


def _method_not_allowed(fmt: str, allowed: str) -> HttpResponse:
    response = errors(fmt, 405, [_("Method not allowed; use %(allowed)s.") % {"allowed": allowed}])
    response["Allow"] = allowed
    return response


# --- services -------------------------------------------------------------------


def _leaf_services() -> list[Category]:
    cats = list(Category.objects.filter(active=True).select_related("parent__parent"))
    parents = {c.parent_id for c in cats if c.parent_id}
    return [c for c in cats if c.pk not in parents]


def _group(category: Category) -> str:
    node = category
    while node.parent is not None:
        node = node.parent
    return node.name


def _service(category: Category) -> dict:
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.description or category.full_name,
        "metadata": True,
        "type": "realtime",
        "keywords": ", ".join(category.keywords.split()),
        "group": _group(category),
    }


@csrf_exempt
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method != "GET":
        return _method_not_allowed(fmt, "GET")
    url = request.build_absolute_uri(reverse("open311:services", args=["json"]))
    base = url.rsplit("/", 1)[0]
    data = {
        "changeset": CHANGESET,
        "contact": getattr(settings, "YIWANG_OPEN311_CONTACT", "12345"),
        "key_service": getattr(
            settings,
            "YIWANG_OPEN311_KEY_SERVICE",
            _("Ask the county data authority for an api_key."),
        ),
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": base,
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["text/xml", JSON_TYPE],
            }
        ],
    }
    return respond(fmt, data, root="discovery")


@csrf_exempt
def services(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method != "GET":
        return _method_not_allowed(fmt, "GET")
    rows = [_service(c) for c in _leaf_services()]
    return respond(fmt, rows, root="services", item="service")


def type_attribute() -> dict:
    return {
        "variable": True,
        "code": "type",
        "datatype": "singlevaluelist",
        "required": False,
        "datatype_description": _("One of the keys below; default %(default)s.")
        % {"default": actions.DEFAULT_TYPE.value},
        "order": 1,
        "description": _("Type of request"),
        "values": [{"key": value, "name": str(label)} for value, label in TicketType.choices],
    }


@csrf_exempt
def service_definition(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    if request.method != "GET":
        return _method_not_allowed(fmt, "GET")
    leaves = {c.code: c for c in _leaf_services()}
    if code not in leaves:
        return errors(
            fmt,
            404,
            [
                _("Unknown service_code “%(code)s”; see services.%(fmt)s.")
                % {"code": shown(code), "fmt": fmt}
            ],
        )
    data = {"service_code": code, "attributes": [type_attribute()]}
    return respond(fmt, data, root="service_definition")


# --- requests -------------------------------------------------------------------


def _iso(value: datetime | None) -> str | None:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


def _expected(ticket: Ticket) -> str | None:
    if ticket.due_at is None:
        return None
    end = timezone.make_aware(datetime.combine(ticket.due_at, time(23, 59, 59)))
    return _iso(end)


def _notice(ticket: Ticket) -> str:
    if ticket.status == Status.CLOSED:
        return _("Answered by the 12345 hotline.")
    if ticket.due_at:
        return _("The responsible department must answer by %(date)s.") % {
            "date": ticket.due_at.isoformat()
        }
    return _("The 12345 hotline will dispatch this request to the responsible department.")


def _status_notes(ticket: Ticket) -> str:
    if ticket.status == Status.CLOSED and ticket.reply:
        return publish_text(ticket.reply)[:STATUS_NOTES_CHARS]
    return str(ticket.get_status_display())


def _media_url(request: HttpRequest, ticket: Ticket) -> str | None:
    extra = getattr(ticket, "open311", None) if _has_open311(ticket) else None
    if extra is not None and extra.media_url:
        return extra.media_url
    photos = getattr(ticket, "report_photos", None) or []
    if photos:
        # Never the storage URL (/media/ is not served): the public endpoint below.
        return request.build_absolute_uri(
            reverse("open311:media", args=[ticket.number, photos[0].pk])
        )
    return None


def _has_open311(ticket: Ticket) -> bool:
    try:
        return ticket.open311 is not None
    except Ticket.open311.RelatedObjectDoesNotExist:
        return False


def _request_row(request: HttpRequest, ticket: Ticket) -> dict:
    """One service request; no personal data, and numbers written into the text masked."""
    return {
        "service_request_id": ticket.number,
        "status": "open" if ticket.status != Status.CLOSED else "closed",
        "status_notes": _status_notes(ticket),
        "service_name": ticket.category.name,
        "service_code": ticket.category.code,
        "description": publish_text(ticket.content),
        "agency_responsible": ticket.lead_department.name if ticket.lead_department else None,
        "service_notice": _notice(ticket),
        "requested_datetime": _iso(ticket.created_at),
        "updated_datetime": _iso(ticket.updated_at),
        "expected_datetime": _expected(ticket),
        "address": publish_text(ticket.address) or None,
        "address_id": None,
        "zipcode": getattr(settings, "YIWANG_OPEN311_ZIPCODE", None),
        "lat": float(ticket.lat) if ticket.lat is not None else None,
        "long": float(ticket.lng) if ticket.lng is not None else None,
        "media_url": _media_url(request, ticket),
    }


def public_tickets():
    return (
        Ticket.objects.filter(channel__in=_public_channels())
        .exclude(type=TicketType.REPORT)
        .select_related("category", "lead_department", "open311")
        .prefetch_related(
            Prefetch(
                "photos",
                queryset=TicketPhoto.objects.filter(stage=PhotoStage.REPORT).order_by("id"),
                to_attr="report_photos",
            )
        )
    )


def _parse_when(value: str, name: str, end: bool = False) -> datetime:
    # A "+" in an unencoded query string arrives as a space: 2026-05-01T08:00:00 08:00.
    value = value.strip().replace(" ", "+")
    try:
        parsed = parse_datetime(value) if "T" in value else None
        if parsed is None:
            day = parse_date(value)
            parsed = datetime.combine(day, time.max if end else time.min) if day else None
    except ValueError:
        parsed = None
    if parsed is None:
        raise ValidationError(
            _("%(name)s “%(value)s” is not an ISO 8601 date, e.g. 2026-05-01T08:00:00+08:00.")
            % {"name": name, "value": shown(value)}
        )
    if not MIN_YEAR <= parsed.year <= MAX_YEAR:
        raise ValidationError(
            _("%(name)s must be a date between the years %(min)s and %(max)s.")
            % {"name": name, "min": MIN_YEAR, "max": MAX_YEAR}
        )
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def _int_param(g, name: str, default: int, low: int, high: int, problems: list[str]) -> int:
    """An optional whole-number parameter in [low, high]; a bad one is reported in ``problems``."""
    raw = g.get(name, "")
    if raw.strip() == "":
        return default
    number = parse_int(raw, minimum=low, maximum=high)
    if number is None:
        problems.append(
            _("%(name)s must be a whole number from %(low)s to %(high)s, not “%(value)s”.")
            % {"name": name, "low": low, "high": high, "value": shown(raw)}
        )
        return default
    return number


def _list_requests(request: HttpRequest, fmt: str) -> HttpResponse:
    g = request.GET
    qs = public_tickets()
    ids = [s.strip() for s in g.get("service_request_id", "").split(",") if s.strip()]
    if ids:
        # The specification: with service_request_id, the other parameters are ignored.
        rows = list(qs.filter(number__in=ids[:MAX_IDS]).order_by("-created_at", "-id"))
        return respond(
            fmt, [_request_row(request, t) for t in rows], root="service_requests", item="request"
        )
    problems: list[str] = []
    codes = [s.strip() for s in g.get("service_code", "").split(",") if s.strip()]
    if codes:
        qs = qs.filter(
            category_id__in=list(
                Category.objects.filter(code__in=codes).values_list("pk", flat=True)
            )
        )
    statuses = {s.strip().lower() for s in g.get("status", "").split(",") if s.strip()}
    if statuses - {"open", "closed"}:
        problems.append(
            _("status must be open, closed or open,closed, not “%(value)s”.")
            % {"value": shown(g.get("status", ""))}
        )
    elif statuses == {"open"}:
        qs = qs.exclude(status=Status.CLOSED)
    elif statuses == {"closed"}:
        qs = qs.filter(status=Status.CLOSED)
    start = end = None
    try:
        if g.get("start_date"):
            start = _parse_when(g["start_date"], "start_date")
        if g.get("end_date"):
            end = _parse_when(g["end_date"], "end_date", end=True)
    except ValidationError as exc:
        problems.extend(exc.messages)
    if start and end and start > end:
        problems.append(_("start_date must be before end_date."))
    size = _int_param(g, "page_size", DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE, problems)
    page = _int_param(g, "page", 1, 1, max(1, MAX_OFFSET // size), problems)
    if problems:
        return errors(fmt, 400, problems)
    if start is None:
        start = (end or timezone.now()) - timedelta(days=DEFAULT_DAYS)
    qs = qs.filter(created_at__gte=start)
    if end is not None:
        qs = qs.filter(created_at__lte=end)
    offset = (page - 1) * size
    rows = list(qs.order_by("-created_at", "-id")[offset : offset + size])
    return respond(
        fmt, [_request_row(request, t) for t in rows], root="service_requests", item="request"
    )


# The GeoReport v2 fields of POST /requests (attributes come as attribute[<code>]).
SUBMISSION_FIELDS = (
    "service_code",
    "lat",
    "long",
    "address_string",
    "address_id",
    "email",
    "device_id",
    "account_id",
    "first_name",
    "last_name",
    "phone",
    "description",
    "media_url",
)


def _submission(request: HttpRequest) -> actions.Submission:
    p = request.POST
    attributes = {}
    for key in p:
        match = ATTRIBUTE_RE.match(key)
        if match:
            attributes[match.group(1)] = p.get(key, "")
    # Control characters are dropped before anything is stored or published (they would also
    # make requests.xml ill-formed); line breaks are kept in the description only.
    fields = {
        name: strip_control(p.get(name) or "", newlines=name == "description").strip()
        for name in SUBMISSION_FIELDS
    }
    attributes = {strip_control(k): strip_control(v, newlines=False) for k, v in attributes.items()}
    return actions.Submission(attributes=attributes, **fields)


def _messages(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        out: list[str] = []
        for name, messages in exc.message_dict.items():
            label = FIELD_NAMES.get(name, name)
            out.extend(f"{label}: {m}" for m in messages)
        return out
    return list(exc.messages)


def _create_request(request: HttpRequest, fmt: str) -> HttpResponse:
    client = actions.authenticate(request.POST.get("api_key", ""))
    if client is None:
        return errors(fmt, 403, [_("Invalid api_key: ask the county data authority for a key.")])
    try:
        ticket = actions.submit_request(actor=client, data=_submission(request))
    except ValidationError as exc:
        return errors(fmt, 400, _messages(exc))
    except PermissionDenied as exc:
        return errors(fmt, 403, [str(exc) or _("Invalid api_key.")])
    row = {
        "service_request_id": ticket.number,
        "service_notice": _(
            "Registered as 12345 ticket %(number)s; it will be dispatched to the responsible department."
        )
        % {"number": ticket.number},
        "account_id": None,
    }
    return respond(fmt, [row], root="service_requests", item="request")


@csrf_exempt
def requests(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "GET":
        return _list_requests(request, fmt)
    if request.method == "POST":
        return _create_request(request, fmt)
    return _method_not_allowed(fmt, "GET, POST")


@csrf_exempt
def request_detail(request: HttpRequest, request_id: str, fmt: str) -> HttpResponse:
    if request.method != "GET":
        return _method_not_allowed(fmt, "GET")
    ticket = public_tickets().filter(number=request_id).first()
    if ticket is None:
        return errors(
            fmt, 404, [_("Unknown service_request_id “%(id)s”.") % {"id": shown(request_id)}]
        )
    return respond(fmt, [_request_row(request, ticket)], root="service_requests", item="request")


@csrf_exempt
def media(request: HttpRequest, request_id: str, photo_pk: int) -> HttpResponse:
    """The photo sent with a public service request (``media_url``).

    Only report-stage photos of requests the list publishes; photos are re-encoded at upload,
    so they carry no EXIF (no GPS, no device), and one stored before that is re-encoded on
    the way out. Anything else is 404 in the spec's format.
    """
    if request.method != "GET":
        return _method_not_allowed("json", "GET")
    if not REQUEST_ID_RE.match(request_id):
        return errors("json", 404, [_("This request has no such public photo.")])
    photo = (
        TicketPhoto.objects.filter(
            pk=photo_pk,
            stage=PhotoStage.REPORT,
            ticket__in=public_tickets().filter(number=request_id).values("pk"),
        )
        .only("file", "original_name", "content_type")
        .first()
    )
    if photo is None:
        return errors("json", 404, [_("This request has no such public photo.")])
    try:
        return public_photo_response(
            photo.file, filename=f"{request_id}-{photo.pk}", content_type=photo.content_type
        )
    except Http404:
        return errors("json", 404, [_("This request has no such public photo.")])
