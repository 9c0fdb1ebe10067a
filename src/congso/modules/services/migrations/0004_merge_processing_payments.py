# Joins processing (0002, ADR 0016) and payments (0003, ADR 0017), written in parallel. No operations.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("services", "0002_processing"),
        ("services", "0003_payments"),
    ]

    operations = []
