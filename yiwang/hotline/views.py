"""Staff pages of the 12345 hotline: agent entry, dispatcher list, handler inbox, call-backs,
and the ticket detail with its actions. Citizens' pages are in ``citizen_views``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case as SqlCase
from django.db.models import IntegerField, Value, When
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_POST

from yiwang.accounts.typing import AuthenticatedRequest
from yiwang.orgs.models import Department, Role
from yiwang.orgs.scope import county_region, covers, has_role
from yiwang.regions.models import Region
from yiwang.web import params
from yiwang.web.files import file_response

from . import actions, queries, rules
from .forms import AgentForm, apply_errors, photos_of, region_of, register_from
from .models import (
    COUNTY_CODE,
    Category,
    Channel,
    ExtensionRequest,
    Satisfaction,
    Status,
    Ticket,
    TicketPhoto,
    TicketType,
)

# --- helpers ----------------------------------------------------------------------


def _require_any(request: HttpRequest, *roles: str) -> None:
    user = request.user
    if not user.is_authenticated:
        raise PermissionDenied(_("Please log in with a staff account."))
    if not any(has_role(user, r) for r in roles):
        raise PermissionDenied(_("This page is for 12345 staff with the right post."))


# --- agent ----------------------------------------------------------------------------


@login_required
def new(request: AuthenticatedRequest) -> HttpResponse:
    """The agent's keyboard-first entry form for phone calls."""
    _require_any(request, Role.AGENT, Role.DISPATCHER)
    form = AgentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        kb = data.get("answered_from_kb") if data.get("close_now") else None
        if data.get("close_now") and not kb:
            form.add_error("close_now", _("Choose the knowledge-base answer you gave first."))
        else:
            try:
                result = register_from(
                    form,
                    request,
                    actor=request.user,
                    channel=Channel.PHONE,
                    caller_name=data["caller_name"],
                    caller_phone=data["caller_phone"],
                    anonymous=data["anonymous"],
                    urgent=data["urgent"] or None,
                    answered_from_kb=kb,
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                ticket = result.ticket
                if ticket.status == Status.CLOSED:
                    messages.success(
                        request, _("Ticket %(number)s closed at once.") % {"number": ticket.number}
                    )
                    return redirect("hotline:new")
                messages.success(
                    request, _("Ticket %(number)s registered.") % {"number": ticket.number}
                )
                if result.duplicates:
                    messages.warning(
                        request,
                        _(
                            "Possible duplicates: %(numbers)s. Merge them if they are the same matter."
                        )
                        % {"numbers": "、".join(t.number for t in result.duplicates)},
                    )
                return redirect("hotline:detail", pk=ticket.pk)
    return render(request, "hotline/new.html", {"form": form})


@login_required
@require_GET
def suggest(request: AuthenticatedRequest) -> HttpResponse:
    """htmx: knowledge-base answers and categories for the text typed so far.

    The department comes from the 派单目录 exactly as the dispatcher's suggestion does,
    for the town or village chosen so far (the county when none is)."""
    _require_any(request, Role.AGENT, Role.DISPATCHER)
    q = (request.GET.get("q") or request.GET.get("content") or "").strip()[:200]
    categories, articles, department = [], [], None
    if len(q) >= 2:
        categories = queries.suggest_categories(q)
        articles = queries.suggest_articles(q, limit=5)
        if categories:
            region = region_of(request.GET.get("region")) or county_region()
            probe = Ticket(
                category=Category.objects.select_related("parent__parent").get(
                    pk=categories[0]["pk"]
                ),
                region=region,
                town=region.town,
            )
            department = actions.suggest_dispatch(probe)[0]
    return render(
        request,
        "hotline/_suggest.html",
        {"q": q, "categories": categories, "articles": articles, "department": department},
    )


@login_required
@require_GET
def caller(request: AuthenticatedRequest) -> HttpResponse:
    """htmx: the caller's earlier tickets, looked up by phone (blind index)."""
    _require_any(request, Role.AGENT, Role.DISPATCHER)
    phone = request.GET.get("caller_phone") or request.GET.get("phone") or ""
    history = queries.caller_history(phone) if len(phone.strip()) >= 7 else []
    return render(request, "hotline/_caller.html", {"history": history, "phone": phone})


@login_required
def callbacks(request: AuthenticatedRequest) -> HttpResponse:
    """Closed tickets awaiting call-back (回访), oldest first."""
    _require_any(request, Role.AGENT, Role.DISPATCHER)
    qs = (
        queries.list_base(request.user)
        .filter(status=Status.CLOSED, callback_at__isnull=True)
        .exclude(kb_article_id__isnull=False)
        .order_by("closed_at", "id")
    )
    rows, has_next, page = queries.capped_page(qs, _int(request.GET.get("page"), 1))
    return render(
        request,
        "hotline/callbacks.html",
        {
            "rows": rows,
            "has_next": has_next,
            "page": page,
            "satisfactions": Satisfaction.choices[1:],
        },
    )


def _int(value, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


# --- dispatcher -------------------------------------------------------------------------


@login_required
def dispatch_list(request: AuthenticatedRequest) -> HttpResponse:
    """New, returned and replied tickets (or any status by filter); overdue and urgent first."""
    _require_any(request, Role.DISPATCHER)
    qs = queries.list_base(request.user).defer("caller_phone")  # the list shows no phones
    g = request.GET
    status = g.get("status", "")
    if status in Status.values:
        qs = qs.filter(status=status)
    else:
        qs = qs.filter(status__in=queries.DISPATCH_STATUSES)
    if g.get("type") in TicketType.values:
        qs = qs.filter(type=g["type"])
    category, town = (
        params.object_id(g, "category", required=False),
        params.object_id(g, "town", required=False),
    )
    if category is not None:
        qs = qs.filter(category_id=category)
    if town is not None:
        qs = qs.filter(town_id=town)
    qs = qs.annotate(
        overdue_first=SqlCase(
            When(deadline_status="overdue", then=Value(0)),
            When(urgent=True, then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        )
    ).order_by("overdue_first", "due_at", "created_at", "id")
    rows, has_next, page = queries.capped_page(qs, _int(g.get("page"), 1))
    county = Region.objects.filter(code=COUNTY_CODE).first()
    towns = county.children.order_by("code") if county else []
    return render(
        request,
        "hotline/dispatch.html",
        {
            "rows": rows,
            "has_next": has_next,
            "page": page,
            "statuses": Status.choices,
            "types": TicketType.choices,
            "categories": queries.leaf_categories(),
            "towns": towns,
        },
    )


# --- handler ------------------------------------------------------------------------------


@login_required
def inbox(request: AuthenticatedRequest) -> HttpResponse:
    """The department handler's tickets: to sign for, being handled; by due date."""
    _require_any(request, Role.HANDLER)
    tab = request.GET.get("tab", "unsigned")
    statuses = {
        "unsigned": [Status.DISPATCHED, Status.REOPENED],
        "signed": [Status.SIGNED],
        "done": [Status.REPLIED, Status.CLOSED, Status.RETURNED],
    }.get(tab, [Status.DISPATCHED, Status.REOPENED])
    qs = (
        queries.list_base(request.user)
        .defer("caller_phone")  # the list shows no phones
        .filter(status__in=statuses)
        .order_by("due_at", "id")
    )
    rows, has_next, page = queries.capped_page(qs, _int(request.GET.get("page"), 1))
    return render(
        request,
        "hotline/inbox.html",
        {"rows": rows, "has_next": has_next, "page": page, "tab": tab},
    )


# --- detail and actions --------------------------------------------------------------------


def _visible(request: HttpRequest, pk: int) -> Ticket:
    if not request.user.is_authenticated:
        raise PermissionDenied(_("Please log in with a staff account."))
    qs = actions.visible_tickets(request.user).select_related(
        "category__parent__parent",
        "region",
        "town",
        "lead_department",
        "merged_into",
        "handler",
        "dispatcher",
    )
    return get_object_or_404(qs, pk=pk)


def _my_actions(user, ticket: Ticket) -> set[str]:
    possible = rules.allowed_actions(ticket)
    mine: set[str] = set()
    if covers(user, [Role.DISPATCHER], ticket.region):
        mine |= {
            "dispatch",
            "redispatch",
            "reject_return",
            "close",
            "send_back",
            "merge",
            "decide_extension",
        }
    if covers(user, [Role.AGENT, Role.DISPATCHER], ticket.region):
        mine.add("record_callback")
    if ticket.lead_department_id and actions.is_handler_of(user, ticket):
        mine |= {"sign_for", "reply", "return_ticket", "request_extension"}
    allowed = possible & mine
    if ticket.status == Status.CLOSED and ticket.callback_at is not None:
        allowed.discard("record_callback")
    return allowed


@login_required
def detail(request: AuthenticatedRequest, pk: int, revealed_phone: str = "") -> HttpResponse:
    ticket = _visible(request, pk)
    allowed = _my_actions(request.user, ticket)
    may_reveal = not revealed_phone and actions.may_reveal_caller(request.user, ticket)
    suggestion: tuple[Department | None, list[Department]] = (None, [])
    duplicates: list[Ticket] = []
    if {"dispatch", "redispatch"} & allowed:
        suggestion = actions.suggest_dispatch(ticket)
    if "merge" in allowed:
        duplicates = actions.find_duplicates(ticket)
    pending = ticket.extensions.filter(approved__isnull=True).first()
    return render(
        request,
        "hotline/detail.html",
        {
            "ticket": ticket,
            "allowed": allowed,
            "events": ticket.events.select_related("actor", "department"),
            "photos": ticket.photos.all(),
            "co_departments": ticket.co_departments.all(),
            "merged": ticket.merged_tickets.only("id", "number", "status"),
            "departments": Department.objects.order_by("id"),
            "suggested_lead": suggestion[0],
            "suggested_co": {d.pk for d in suggestion[1]},
            "duplicates": duplicates,
            "pending_extension": pending,
            "satisfactions": Satisfaction.choices[1:],
            "revealed_phone": revealed_phone,
            "may_reveal_caller": may_reveal,
            "reveal_purposes": ",".join(actions.caller_reveal_purposes(request.user, ticket))
            if may_reveal
            else "",
        },
    )


@login_required
@require_POST
def reveal_phone(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Show the caller's full number for a call-back or contact (purpose and reason given);
    rendered once, never put in the session or a cookie. Tickets outside the user's scope
    answer 404; in scope but not allowed (anonymous caller, wrong role): 403."""
    ticket = _visible(request, pk)
    try:
        phone = actions.reveal_caller_phone(
            actor=request.user,
            ticket=ticket,
            purpose=request.POST.get("purpose", ""),
            reason=request.POST.get("reason", ""),
        )
    except ValidationError as exc:
        for msg in exc.messages:
            messages.error(request, msg)
        return redirect("hotline:detail", pk=pk)
    response = detail(request, pk, revealed_phone=phone)
    add_never_cache_headers(response)  # the full number must not stay in a cache
    return response


@login_required
@require_GET
def photo(request: AuthenticatedRequest, pk: int, photo_pk: int) -> FileResponse:
    """A ticket's photo, for staff who may see the ticket and for the citizen who reported it."""
    item = get_object_or_404(
        TicketPhoto.objects.select_related("ticket"), pk=photo_pk, ticket_id=pk
    )
    own = item.ticket.citizen_id is not None and item.ticket.citizen_id == request.user.pk
    if not own and not actions.visible_tickets(request.user).filter(pk=pk).exists():
        raise Http404
    return file_response(item.file, filename=item.original_name, content_type=item.content_type)


def _department(value) -> Department | None:
    pk = params.parse_int(value or "", minimum=1, maximum=params.MAX_ID)
    return Department.objects.filter(pk=pk).first() if pk else None


@login_required
@require_POST
def act(request: AuthenticatedRequest, pk: int, action: str) -> HttpResponse:
    """Run one action on a ticket from the detail page."""
    ticket = _visible(request, pk)
    p, user = request.POST, request.user
    try:
        if action in ("dispatch", "redispatch"):
            co = list(Department.objects.filter(pk__in=params.ids(p.getlist("co_departments"))))
            fn = actions.dispatch if action == "dispatch" else actions.redispatch
            fn(
                actor=user,
                ticket=ticket,
                lead_department=_department(p.get("lead_department")),
                co_departments=co,
                note=p.get("note", ""),
            )
        elif action == "sign_for":
            actions.sign_for(actor=user, ticket=ticket)
        elif action == "reply":
            actions.reply(
                actor=user, ticket=ticket, text=p.get("text", ""), photos=photos_of(request)
            )
        elif action == "return_ticket":
            actions.return_ticket(actor=user, ticket=ticket, reason=p.get("reason", ""))
        elif action == "reject_return":
            actions.reject_return(actor=user, ticket=ticket, reason=p.get("reason", ""))
        elif action == "request_extension":
            actions.request_extension(
                actor=user, ticket=ticket, days=p.get("days"), reason=p.get("reason", "")
            )
        elif action == "decide_extension":
            req = get_object_or_404(
                ExtensionRequest, pk=params.object_id(p, "request"), ticket=ticket
            )
            actions.decide_extension(
                actor=user, request=req, approve=p.get("approve") == "1", note=p.get("note", "")
            )
        elif action == "close":
            actions.close(actor=user, ticket=ticket, note=p.get("note", ""))
        elif action == "send_back":
            actions.send_back(actor=user, ticket=ticket, reason=p.get("reason", ""))
        elif action == "record_callback":
            actions.record_callback(
                actor=user,
                ticket=ticket,
                satisfaction=p.get("satisfaction", ""),
                note=p.get("note", ""),
            )
        elif action == "merge":
            into = _visible(request, _int(p.get("into"), 0))
            actions.merge(actor=user, ticket=ticket, into=into, note=p.get("note", ""))
        else:
            raise Http404
    except (ValidationError, PermissionDenied) as exc:
        msgs = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
        for msg in msgs:
            messages.error(request, msg)
    else:
        messages.success(
            request,
            pgettext("hotline", "Done: %(action)s.") % {"action": rules.ACTION_NAMES[action]},
        )
    nxt = p.get("next", "")
    if nxt.startswith("/hotline/") and "//" not in nxt:
        return redirect(nxt)
    return redirect("hotline:detail", pk=pk)
