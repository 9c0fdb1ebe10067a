# Satisfaction ratings of returned dossiers (ratings.py, statistics.py).

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("services", "0004_merge_processing_payments"),
    ]

    operations = [
        migrations.CreateModel(
            name="DossierRating",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("score", models.PositiveSmallIntegerField()),
                ("comment", models.CharField(blank=True, max_length=1000)),
                ("created_at", models.DateTimeField()),
                (
                    "dossier",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="rating",
                        to="services.dossier",
                    ),
                ),
            ],
            options={
                "db_table": "services_dossier_rating",
                "ordering": ["-created_at", "-id"],
                "indexes": [models.Index(fields=["created_at"], name="services_rating_created_idx")],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("score__gte", 1), ("score__lte", 5)),
                        name="services_rating_score_range",
                    )
                ],
            },
        ),
    ]
