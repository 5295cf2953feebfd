"""Fill the call-back history from what is already recorded.

Every call-back wrote a "callback" step on the ticket's timeline with the satisfaction, and
(before 0898a4c) the lead department of the moment; a "reopen" step followed a first 不满意.
The ticket row itself kept only the last round. Each timeline step becomes a call-back record;
a ticket with a satisfaction but no such step (none are known) gets one from its own fields.
Reversing deletes the records (the tickets and their timelines are not changed either way).
"""

from django.db import migrations
from django.db.models import Exists, OuterRef

BATCH = 1000
VALID = {"satisfied", "basic", "dissatisfied"}


def _records_of(steps: list[dict], CallBack) -> list:
    """The call-back records of one ticket from its callback/reopen steps, in order."""
    records = []
    for i, step in enumerate(steps):
        if step["action"] != "callback":
            continue
        satisfaction = (step["data"] or {}).get("satisfaction")
        if satisfaction not in VALID:
            continue
        following = steps[i + 1] if i + 1 < len(steps) else None
        reopened = following is not None and following["action"] == "reopen"
        records.append(
            CallBack(
                ticket_id=step["ticket_id"],
                round=len(records) + 1,
                satisfaction=satisfaction,
                result="reopened" if reopened else "closed",
                department_id=step["department_id"] or step["ticket__lead_department_id"],
                actor_id=step["actor_id"],
                at=step["at"],
                note=step["note"] or "",
            )
        )
    return records


def fill(apps, schema_editor):
    CallBack = apps.get_model("hotline", "CallBack")
    Ticket = apps.get_model("hotline", "Ticket")
    TicketEvent = apps.get_model("hotline", "TicketEvent")
    done = set(CallBack.objects.values_list("ticket_id", flat=True).distinct())
    steps = (
        TicketEvent.objects.filter(action__in=["callback", "reopen"])
        .order_by("ticket_id", "at", "id")
        .values(
            "ticket_id",
            "action",
            "actor_id",
            "department_id",
            "note",
            "data",
            "at",
            "ticket__lead_department_id",
        )
        .iterator(chunk_size=2000)
    )
    pending: list = []
    current: list[dict] = []

    def flush_ticket() -> None:
        if current and current[0]["ticket_id"] not in done:
            pending.extend(_records_of(current, CallBack))
        current.clear()
        if len(pending) >= BATCH:
            CallBack.objects.bulk_create(pending)
            pending.clear()

    for step in steps:
        if current and step["ticket_id"] != current[0]["ticket_id"]:
            flush_ticket()
        current.append(step)
    flush_ticket()
    CallBack.objects.bulk_create(pending)

    without_steps = (
        Ticket.objects.filter(satisfaction__in=VALID)
        .exclude(Exists(CallBack.objects.filter(ticket_id=OuterRef("pk"))))
        .values_list(
            "pk",
            "satisfaction",
            "lead_department_id",
            "callback_by_id",
            "callback_at",
            "updated_at",
        )
    )
    CallBack.objects.bulk_create(
        [
            CallBack(
                ticket_id=pk,
                round=1,
                satisfaction=satisfaction,
                result="closed",
                department_id=department,
                actor_id=actor,
                at=at or updated,
            )
            for pk, satisfaction, department, actor, at, updated in without_steps.iterator()
        ],
        batch_size=BATCH,
    )


def empty(apps, schema_editor):
    apps.get_model("hotline", "CallBack").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("hotline", "0004_callback_records")]

    operations = [migrations.RunPython(fill, empty)]
