from django.db import migrations

from wangge.cases import reference


def seed(apps, schema_editor):
    reference.seed(apps.get_model("cases", "Category"), apps.get_model("cases", "LevelLimit"),
                   apps.get_model("cases", "CalendarDay"))


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
