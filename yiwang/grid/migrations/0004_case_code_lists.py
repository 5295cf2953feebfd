import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("grid", "0003_handled_cases_not_due_soon")]

    operations = [
        migrations.CreateModel(
            name="CaseClass",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[("component", "Component"), ("event", "Event")],
                        max_length=10,
                        verbose_name="type",
                    ),
                ),
                ("key", models.CharField(max_length=20, verbose_name="key")),
                ("code", models.CharField(max_length=2, verbose_name="code")),
                ("name", models.CharField(max_length=50, verbose_name="name")),
            ],
            options={
                "verbose_name": "case class",
                "verbose_name_plural": "case classes",
                "ordering": ["kind", "code"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("kind", "key"), name="case_class_kind_key_unique"
                    ),
                    models.UniqueConstraint(
                        fields=("kind", "code"), name="case_class_kind_code_unique"
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="CaseSubclass",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("code", models.CharField(max_length=4, verbose_name="code")),
                ("name", models.CharField(max_length=50, verbose_name="name")),
                (
                    "description",
                    models.CharField(blank=True, max_length=200, verbose_name="description"),
                ),
                ("standard", models.BooleanField(default=False, verbose_name="from GB/T 30428")),
                ("active", models.BooleanField(default=True, verbose_name="active")),
                (
                    "case_class",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="subclasses",
                        to="grid.caseclass",
                        verbose_name="class",
                    ),
                ),
            ],
            options={
                "verbose_name": "case subclass",
                "verbose_name_plural": "case subclasses",
                "ordering": ["case_class__kind", "code"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("case_class", "code"), name="case_subclass_class_code_unique"
                    )
                ],
            },
        ),
    ]
