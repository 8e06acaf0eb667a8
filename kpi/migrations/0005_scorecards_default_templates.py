from django.db import migrations


def seed(apps, schema_editor):
    """The seed's scorecard templates (R-KPI-2), created when missing."""
    from kpi.scorecards.defaults import TEMPLATE_NAMES, default_template_items

    Template = apps.get_model("kpi", "ScorecardTemplate")
    Item = apps.get_model("kpi", "ScorecardTemplateItem")
    for audience in ("presales_engineer", "presales_manager"):
        for kind, name in TEMPLATE_NAMES.items():
            template, created = Template.objects.get_or_create(
                audience=audience, period_kind=str(kind), name=name
            )
            if created:
                Item.objects.bulk_create(
                    Item(template=template, order=i, **data) for i, data in enumerate(default_template_items(kind))
                )


class Migration(migrations.Migration):

    dependencies = [
        ('kpi', '0004_scorecards_models'),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
