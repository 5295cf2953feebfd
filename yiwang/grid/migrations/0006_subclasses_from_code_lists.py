"""Components and cases name their subclass from the code lists instead of free text.

The free text moves to ``subclass_note``; where it is the name of a subclass of the same kind
and class (full-width forms and spaces ignored) the subclass is set and the note emptied,
otherwise the text stays in the note. Reversing writes the subclass's name back as the text.
"""

import django.db.models.deletion
from django.db import migrations, models

from yiwang.grid.classification import normalise

BATCH = 1000


def _names(apps) -> dict[tuple[str, str, str], int]:
    """(kind, class key, normalised name) → subclass id."""
    CaseSubclass = apps.get_model("grid", "CaseSubclass")
    rows = CaseSubclass.objects.values_list("pk", "name", "case_class__kind", "case_class__key")
    return {(kind, key, normalise(name)): pk for pk, name, kind, key in rows}


def _rewrite(model, queryset, change) -> None:
    batch = []
    for obj in queryset.iterator(chunk_size=BATCH):
        if change(obj):
            batch.append(obj)
        if len(batch) >= BATCH:
            model.objects.bulk_update(batch, ["subclass", "subclass_note"])
            batch.clear()
    if batch:
        model.objects.bulk_update(batch, ["subclass", "subclass_note"])


def match(apps, schema_editor):
    names = _names(apps)
    Component = apps.get_model("grid", "Component")
    CityEvent = apps.get_model("grid", "CityEvent")

    def matcher(kind_of, class_of):
        def change(obj) -> bool:
            pk = names.get((kind_of(obj), class_of(obj), normalise(obj.subclass_note)))
            if pk is None:
                return False
            obj.subclass_id, obj.subclass_note = pk, ""
            return True

        return change

    _rewrite(
        Component,
        Component.objects.exclude(subclass_note="").only("pk", "component_class", "subclass_note"),
        matcher(lambda c: "component", lambda c: c.component_class),
    )
    _rewrite(
        CityEvent,
        CityEvent.objects.exclude(subclass_note="").only("pk", "kind", "category", "subclass_note"),
        matcher(lambda e: e.kind, lambda e: e.category),
    )


def unmatch(apps, schema_editor):
    CaseSubclass = apps.get_model("grid", "CaseSubclass")
    names = dict(CaseSubclass.objects.values_list("pk", "name"))

    def change(obj) -> bool:
        if not obj.subclass_note:
            obj.subclass_note = names.get(obj.subclass_id, "")[:50]
        obj.subclass_id = None
        return True

    for model_name in ("Component", "CityEvent"):
        model = apps.get_model("grid", model_name)
        _rewrite(
            model,
            model.objects.filter(subclass__isnull=False).only("pk", "subclass", "subclass_note"),
            change,
        )


class Migration(migrations.Migration):
    dependencies = [("grid", "0005_load_gbt30428_code_lists")]

    operations = [
        migrations.RenameField("component", "subclass", "subclass_note"),
        migrations.RenameField("cityevent", "subclass", "subclass_note"),
        migrations.AlterField(
            model_name="component",
            name="subclass_note",
            field=models.CharField(
                blank=True, max_length=50, verbose_name="subclass (former free text)"
            ),
        ),
        migrations.AlterField(
            model_name="cityevent",
            name="subclass_note",
            field=models.CharField(blank=True, max_length=50, verbose_name="subclass note"),
        ),
        migrations.AddField(
            model_name="component",
            name="subclass",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="grid.casesubclass",
                verbose_name="subclass",
            ),
        ),
        migrations.AddField(
            model_name="cityevent",
            name="subclass",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="grid.casesubclass",
                verbose_name="subclass",
            ),
        ),
        migrations.RunPython(match, unmatch),
    ]
