"""Copy the dialect glossary into the shared search lexicon (source "glossary"), which now
expands every search; the glossary actions keep it in step from here on."""

from django.db import migrations


def forwards(apps, schema_editor):
    GlossaryTerm = apps.get_model("knowledge", "GlossaryTerm")
    LexiconEntry = apps.get_model("search", "LexiconEntry")
    words: dict[str, list[str]] = {}
    for term, standard in GlossaryTerm.objects.values_list("term", "standard"):
        bucket = words.setdefault(term.strip().lower(), [])
        for word in standard.replace("、", " ").replace(",", " ").split():
            if word not in bucket and word != term:
                bucket.append(word)
    LexiconEntry.objects.filter(source="glossary").delete()
    LexiconEntry.objects.bulk_create(
        LexiconEntry(term=term, official=" ".join(found), source="glossary")
        for term, found in words.items()
        if found and len(term) <= 30
    )


def backwards(apps, schema_editor):
    apps.get_model("search", "LexiconEntry").objects.filter(source="glossary").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("knowledge", "0001_initial"),
        ("search", "0004_lexicon_usage_fields"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
