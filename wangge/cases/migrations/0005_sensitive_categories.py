from django.db import migrations

from wangge.cases.reference import SENSITIVE


def mark(apps, schema_editor):
    apps.get_model("cases", "Category").objects.filter(code__in=sorted(SENSITIVE)).update(
        sensitive=True)


class Migration(migrations.Migration):
    dependencies = [("cases", "0004_case_escalated_category_sensitive")]
    operations = [migrations.RunPython(mark, migrations.RunPython.noop)]
