"""Timeline steps name a department only when the lead department's handler took them.

Before 0898a4c every step stored the ticket's lead department, so a dispatcher's (or agent's,
or the system's) step read as if that department had acted. New steps already follow the rule
in ``actions.HANDLER_ACTIONS``; this clears the department on the old ones. The cleared value
is kept in the step's ``data`` under ``KEY`` so that reversing restores it exactly.

Runs after 0005, which read the department of the old call-back steps.
"""

from django.db import migrations

#: As actions.HANDLER_ACTIONS when this was written (a migration must not follow later edits).
HANDLER_ACTIONS = ("sign", "reply", "return", "extension_request")
KEY = "cleared_department_id"
BATCH = 2000


def _rewrite(TicketEvent, queryset, change) -> None:
    batch = []
    for event in queryset.only("id", "department_id", "data").iterator(chunk_size=BATCH):
        change(event)
        batch.append(event)
        if len(batch) >= BATCH:
            TicketEvent.objects.bulk_update(batch, ["department", "data"])
            batch.clear()
    if batch:
        TicketEvent.objects.bulk_update(batch, ["department", "data"])


def clear(apps, schema_editor):
    TicketEvent = apps.get_model("hotline", "TicketEvent")

    def change(event) -> None:
        event.data = {**(event.data or {}), KEY: event.department_id}
        event.department_id = None

    _rewrite(
        TicketEvent,
        TicketEvent.objects.exclude(action__in=HANDLER_ACTIONS).filter(department__isnull=False),
        change,
    )


def restore(apps, schema_editor):
    TicketEvent = apps.get_model("hotline", "TicketEvent")
    # A department deleted since it was cleared cannot be named again.
    existing = set(apps.get_model("orgs", "Department").objects.values_list("pk", flat=True))

    def change(event) -> None:
        data = dict(event.data or {})
        cleared = data.pop(KEY)
        event.department_id = cleared if cleared in existing else None
        event.data = data

    _rewrite(TicketEvent, TicketEvent.objects.filter(data__has_key=KEY), change)


class Migration(migrations.Migration):
    dependencies = [("hotline", "0005_callback_history_from_timeline")]

    operations = [migrations.RunPython(clear, restore)]
