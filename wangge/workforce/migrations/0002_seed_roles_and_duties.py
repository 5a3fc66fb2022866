"""Roles, work items and must-report items (wangge/workforce/reference.py)."""

from django.db import migrations

from wangge.workforce import reference


def seed(apps, schema_editor):
    reference.seed(apps.get_model("workforce", "Role"), apps.get_model("workforce", "WorkItem"),
                   apps.get_model("workforce", "MustReportItem"))


class Migration(migrations.Migration):
    dependencies = [("workforce", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
