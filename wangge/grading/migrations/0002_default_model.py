"""The default grading model every street starts with (wangge/grading/reference.py)."""

from django.db import migrations


def seed(apps, schema_editor):
    from wangge.grading import reference

    reference.seed(apps.get_model("grading", "GradingModel"))


class Migration(migrations.Migration):
    dependencies = [("grading", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
