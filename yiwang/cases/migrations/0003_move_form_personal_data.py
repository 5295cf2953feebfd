"""Move personal values already typed into application forms into the encrypted field.

Before this migration every form value was stored in clear in ``Case.form_data``. For each
case (drafts included) the personal fields of the form it was filled in on (the item's
revision of ``case.item_version``, else the item's current form; declared formats and the
title/name hints of ``catalog.personal_formats``) are moved to ``form_pii`` (SM4 with the
configured keys: the field encrypts through ``gmcrypto.core`` on every write, ``update()``
included), replaced in ``form_data`` by their masks, and resident
ID numbers and phones get their blind index. Cases are processed in batches; a case already
moved (``form_pii`` set) is skipped, so a run cut short can simply be repeated.

Reversible: backwards puts the full values back into ``form_data`` in clear.
"""

import json

from django.db import migrations

from yiwang.catalog import personal_formats

BATCH = 500


def _schemas(apps) -> dict:
    """``{(item_id, version): schema}`` from published revisions, ``{item_id: schema}`` now."""
    ServiceItem = apps.get_model("catalog", "ServiceItem")
    ItemRevision = apps.get_model("catalog", "ItemRevision")
    by_version = {
        (item_id, version): (snapshot or {}).get("form_schema") or {}
        for item_id, version, snapshot in ItemRevision.objects.values_list(
            "item_id", "version", "snapshot"
        ).iterator(chunk_size=BATCH)
    }
    current = dict(ServiceItem.objects.values_list("pk", "form_schema"))
    return {"revision": by_version, "current": current}


def move_personal_form_data(apps, schema_editor=None) -> int:
    """Forwards: returns how many cases were changed (the tests call it directly)."""
    Case = apps.get_model("cases", "Case")
    FormValueIndex = apps.get_model("cases", "FormValueIndex")
    schemas = _schemas(apps)
    moved = 0
    last = 0
    while True:
        rows = list(
            Case.objects.filter(pk__gt=last)
            .order_by("pk")
            .values_list("pk", "item_id", "item_version", "form_data", "form_pii")[:BATCH]
        )
        if not rows:
            return moved
        last = rows[-1][0]
        indexes = []
        for pk, item_id, version, form_data, form_pii in rows:
            if form_pii or not form_data:
                continue
            schema = schemas["revision"].get((item_id, version)) or schemas["current"].get(item_id)
            shown, personal = personal_formats.split(schema, form_data)
            if not personal:
                continue
            # EncryptedTextField.get_prep_value encrypts (gmcrypto.core.encrypt) on update().
            Case.objects.filter(pk=pk).update(
                form_data=shown, form_pii=json.dumps(personal, ensure_ascii=False)
            )
            indexes += [
                FormValueIndex(case_id=pk, field=field, digest=digest)
                for field, digest in personal_formats.blind_indexes(schema, personal)
            ]
            moved += 1
        FormValueIndex.objects.bulk_create(indexes, ignore_conflicts=True)


def restore_personal_form_data(apps, schema_editor=None) -> int:
    """Backwards: the full values back into ``form_data`` (in clear, as before)."""
    Case = apps.get_model("cases", "Case")
    FormValueIndex = apps.get_model("cases", "FormValueIndex")
    restored = 0
    for pk, form_data, plain in (
        Case.objects.exclude(form_pii="")
        .values_list("pk", "form_data", "form_pii")
        .iterator(chunk_size=BATCH)
    ):
        personal = json.loads(plain)  # decrypted by the field on read
        full = {key: personal.get(key, value) for key, value in (form_data or {}).items()}
        Case.objects.filter(pk=pk).update(form_data=full, form_pii="")
        restored += 1
    FormValueIndex.objects.all().delete()
    return restored


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0002_form_personal_data_encrypted"),
        ("catalog", "0002_item_publication_fields"),
    ]

    operations = [
        migrations.RunPython(move_personal_form_data, restore_personal_form_data, elidable=True),
    ]
