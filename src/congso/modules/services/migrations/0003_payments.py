# Fee payments (payments.py, ADR 0017). Depends only on 0001: 0002 (processing) was written in
# parallel; a merge migration joins the two.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("services", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="Payment",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("amount", models.PositiveBigIntegerField()),
                ("reference", models.CharField(max_length=25, unique=True)),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("pending", "Chờ thanh toán"),
                            ("paid", "Đã thanh toán"),
                            ("failed", "Thanh toán không thành công"),
                            ("expired", "Hết hạn thanh toán"),
                        ],
                        default="pending",
                        max_length=8,
                    ),
                ),
                ("provider", models.CharField(max_length=20)),
                ("provider_transaction_id", models.CharField(blank=True, max_length=100, null=True)),
                ("qr_payload", models.TextField()),
                ("callback", models.JSONField(blank=True, null=True)),
                ("created_at", models.DateTimeField()),
                ("expires_at", models.DateTimeField()),
                ("paid_at", models.DateTimeField(blank=True, null=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "dossier",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="payments",
                        to="services.dossier",
                    ),
                ),
            ],
            options={
                "db_table": "services_payment",
                "ordering": ["-created_at", "-id"],
            },
        ),
        migrations.AddConstraint(
            model_name="payment",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status", "pending")),
                fields=("dossier",),
                name="services_payment_one_open",
            ),
        ),
        migrations.AddConstraint(
            model_name="payment",
            constraint=models.UniqueConstraint(
                fields=("provider", "provider_transaction_id"), name="services_payment_txn_uniq"
            ),
        ),
    ]
