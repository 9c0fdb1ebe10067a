"""``Document.agency_path``: a copy of the agency's path ("/1/74/616/", fixed once the agency
exists), for the search's text index (migration 0006, decision 0019). Filled here for the
documents already stored and by the services for new ones; a check constraint keeps it from being
empty. Filling it rewrites every row once: run VACUUM (ANALYZE) on documents_document afterwards.
"""

from django.db import migrations, models
from django.db.models import Q

FILL = {
    "postgresql": (
        "UPDATE documents_document AS d SET agency_path = a.path FROM org_agency AS a "
        "WHERE a.id = d.agency_id AND d.agency_path = ''"
    ),
    "sqlite": (
        "UPDATE documents_document SET agency_path = "
        "(SELECT path FROM org_agency WHERE org_agency.id = documents_document.agency_id) "
        "WHERE agency_path = ''"
    ),
}


def fill_agency_path(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    schema_editor.execute(FILL.get(vendor, FILL["sqlite"]))


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0004_created_index"),
        ("org", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="document",
            name="agency_path",
            field=models.CharField(default="", max_length=255),
        ),
        migrations.RunPython(fill_agency_path, migrations.RunPython.noop, elidable=False),
        migrations.AddConstraint(
            model_name="document",
            constraint=models.CheckConstraint(condition=~Q(agency_path=""), name="documents_agency_path_set"),
        ),
    ]
