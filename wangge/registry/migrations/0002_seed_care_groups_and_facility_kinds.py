"""Care groups and facility kinds every street starts with (wangge/registry/reference.py)."""

from django.db import migrations

from wangge.registry import reference


def seed(apps, schema_editor):
    reference.seed(apps.get_model("registry", "CareGroup"),
                   apps.get_model("registry", "FacilityKind"))


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
