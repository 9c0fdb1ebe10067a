"""Make the audit log append-only in the database itself: UPDATE and DELETE on audit_event fail.

The hash chain catches tampering after the fact; these triggers stop the ordinary mistake (and the
ordinary attacker without DDL rights) from editing history in the first place.
"""

from django.db import migrations


def forward(apps, schema_editor):
    from congso.core.audit import guards

    guards.install(schema_editor.connection)


def backward(apps, schema_editor):
    from congso.core.audit import guards

    guards.remove(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
