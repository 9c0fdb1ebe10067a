# Citizens' unsent forms ("Lưu nháp", drafts.py).

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("services", "0005_ratings"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="DossierDraft",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("form_data", models.JSONField(default=dict)),
                ("updated_at", models.DateTimeField()),
                (
                    "applicant",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "procedure",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="services.procedure",
                    ),
                ),
            ],
            options={
                "db_table": "services_dossier_draft",
                "ordering": ["-updated_at", "-id"],
                "constraints": [
                    models.UniqueConstraint(fields=("applicant", "procedure"), name="services_draft_uniq")
                ],
            },
        ),
    ]
