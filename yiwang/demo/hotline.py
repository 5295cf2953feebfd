"""Demo data of the 12345 hotline (``data/hotline.json``): category tree, dispatch catalogue,
staff and sample tickets, each ticket driven to its demo state through ``hotline.actions``.

``load_hotline(actor)`` is idempotent; it expects the kernel demo (regions, departments)
to be loaded and ``actor`` to be the demo administrator (a superuser).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from yiwang.hotline import actions, config
from yiwang.hotline.models import Category, DispatchRule, Ticket
from yiwang.regions.models import Region

from .datafiles import read
from .orgs import COUNTY_CODE, departments_by_key
from .people import ensure_domain_staff

_DATA = read("hotline")

#: The sample tickets: type, category (code), content, region (code), address, phone, state.
TICKETS: list[dict[str, Any]] = _DATA["tickets"]
TEXTS: dict[str, Any] = _DATA["texts"]
#: Departments with a demo handler; the administrator stands in for the others.
HANDLERS = ("handler_scj", "handler_zjj", "handler_huliao")


def _categories(actor) -> dict[str, Category]:
    """The category tree of the data file, through the audited configuration actions;
    categories already there are kept as they are."""
    by_code = {c.code: c for c in Category.objects.all()}
    sort = 0

    def ensure(node: dict, parent: Category | None) -> None:
        nonlocal sort
        sort += 1
        if node["code"] not in by_code:
            by_code[node["code"]] = config.create_category(
                actor=actor,
                code=node["code"],
                name=node["name"],
                parent=parent,
                keywords=node.get("keywords", ""),
                sort=sort,
            )
        for child in node.get("children", ()):
            ensure(child, by_code[node["code"]])

    for major in _DATA["categories"]:
        ensure(major, None)
    return by_code


def _rules(actor, cats, depts, regions) -> int:
    """The dispatch catalogue; a category and region that already have a rule keep it."""
    existing = set(DispatchRule.objects.values_list("category_id", "region_id"))
    created = 0
    for spec in _DATA["dispatch"]:
        if spec["lead"] not in depts or spec["region"] not in regions:
            continue
        category, region = cats[spec["category"]], regions[spec["region"]]
        if (category.pk, region.pk) in existing:
            continue
        config.save_dispatch_rule(
            actor=actor,
            category=category,
            region=region,
            lead_department=depts[spec["lead"]],
            co_departments=[depts[k] for k in spec["co"] if k in depts],
        )
        created += 1
    return created


def _handler(users, ticket, actor):
    for username in HANDLERS:
        user = users.get(username)
        if user is not None and actions.is_handler_of(user, ticket):
            return user
    return actor  # the demo administrator stands in for departments without a demo handler


def _register(agent, spec: dict, cats, regions) -> Ticket:
    near_huliao = spec["region"].startswith("441422100") and spec["address"]
    position = _DATA["huliao_position"]
    state = spec["state"]
    return actions.register_ticket(
        actor=agent,
        channel="phone",
        type=spec["type"],
        category=cats[spec["category"]],
        content=spec["content"],
        caller_name="",
        caller_phone=spec["phone"],
        address=spec["address"],
        lat=position["lat"] if near_huliao else None,
        lng=position["lng"] if near_huliao else None,
        region=regions.get(spec["region"]) or regions[COUNTY_CODE],
        urgent=state == "dispatched_urgent",
        answered_from_kb=1 if state == "closed_kb" else None,
    ).ticket


def _handle(ticket: Ticket, state: str, handler, dispatcher, agent) -> None:
    """Drive a dispatched ticket on to ``state`` as its handler, the dispatcher and the agent."""
    if state in ("dispatched", "dispatched_urgent"):
        return
    if state == "returned":
        actions.return_ticket(actor=handler, ticket=ticket, reason=TEXTS["return_reason"])
        return
    ticket = actions.sign_for(actor=handler, ticket=ticket)
    if state == "extension":
        actions.request_extension(
            actor=handler,
            ticket=ticket,
            days=TEXTS["extension_days"],
            reason=TEXTS["extension_reason"],
        )
        return
    if state == "overdue":
        # Demo time travel: the deadlines passed days ago (no action moves them backwards).
        past = timezone.localdate() - timedelta(days=TEXTS["overdue_days"])
        Ticket.objects.filter(pk=ticket.pk).update(due_at=past, sign_due=past)
        return
    if state == "signed":
        return
    ticket = actions.reply(actor=handler, ticket=ticket, text=TEXTS["reply"])
    if state == "replied":
        return
    ticket = actions.close(actor=dispatcher, ticket=ticket)
    if state == "callback_ok":
        actions.record_callback(actor=agent, ticket=ticket, satisfaction="satisfied")
    elif state == "callback_bad":
        actions.record_callback(
            actor=agent,
            ticket=ticket,
            satisfaction="dissatisfied",
            note=TEXTS["dissatisfied_note"],
        )


def _tickets(actor, users, cats, regions) -> int:
    agent = users.get("agent_12345") or actor
    dispatcher = users.get("dispatcher_12345") or actor
    created = 0
    first_stall = None
    for spec in TICKETS:
        ticket = _register(agent, spec, cats, regions)
        created += 1
        state = spec["state"]
        if spec["category"] == "010101" and first_stall is None:
            first_stall = ticket
        if state in ("new", "closed_kb"):
            continue
        if state == "duplicate" and first_stall is not None:
            actions.merge(actor=dispatcher, ticket=ticket, into=first_stall)
            continue
        lead, co = actions.suggest_dispatch(ticket)
        if lead is None:
            continue
        ticket = actions.dispatch(
            actor=dispatcher, ticket=ticket, lead_department=lead, co_departments=co
        )
        _handle(ticket, state, _handler(users, ticket, actor), dispatcher, agent)
    actions.supervise_overdue()
    return created


def load_hotline(actor, log=None) -> dict:
    """Create (or complete) the hotline demo data; returns counts of what was created."""
    with transaction.atomic():
        cats = _categories(actor)
        depts = departments_by_key()
        regions = {r.code: r for r in Region.objects.filter(code__startswith=COUNTY_CODE)}
        counts = {"categories": len(cats), "rules": _rules(actor, cats, depts, regions)}
        users = ensure_domain_staff(actor, _DATA["staff"])
        counts["staff"] = sum(1 for u in users.values() if u is not None)
        counts["tickets"] = 0
        if not Ticket.objects.exists() and COUNTY_CODE in regions:
            counts["tickets"] = _tickets(actor, users, cats, regions)
    if log:
        log(f"hotline: {counts}")
    return counts
