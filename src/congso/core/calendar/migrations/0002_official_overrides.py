"""The days off and swapped working days the state announced that ``holidays`` lacks."""

from django.db import migrations


def load(apps, schema_editor):
    from congso.core.calendar.official import load_official_overrides

    load_official_overrides(apps.get_model("workcal", "CalendarOverride"))


def unload(apps, schema_editor):
    from congso.core.calendar.official import unload_official_overrides

    unload_official_overrides(apps.get_model("workcal", "CalendarOverride"))


class Migration(migrations.Migration):
    dependencies = [
        ("workcal", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(load, unload),
    ]
