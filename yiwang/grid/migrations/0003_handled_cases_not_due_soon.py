"""Cases handled before the deadline outcome was frozen at the reply kept "due soon" (预警)
for ever. A handled case is on time unless it was already overdue, which stays as it is."""

from django.db import migrations

HANDLED_OR_LATER = ("handled", "verified", "closed", "evaluated")


def freeze_handled(apps, schema_editor):
    CityEvent = apps.get_model("grid", "CityEvent")
    CityEvent.objects.filter(status__in=HANDLED_OR_LATER, deadline_status="warning").update(
        deadline_status="normal"
    )


class Migration(migrations.Migration):
    dependencies = [("grid", "0002_sensoralert_ticket")]

    operations = [migrations.RunPython(freeze_handled, migrations.RunPython.noop)]
