# The default survey templates (R-POST-1, R-POST-4, R-KPI-1): kpi.surveys.defaults.

from django.db import migrations


def seed(apps, schema_editor):
    from kpi.surveys.defaults import ensure_default_templates

    ensure_default_templates(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("kpi", "0001_surveys_training"),
    ]

    operations = [
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
