"""The default approval chain of trials, POCs and loans (R-DEMO-3): the presales manager of
the opportunity's team. An admin changes the level on the chain (e.g. adds the general
manager); a kind that already has an active chain is left alone."""

from django.db import migrations


def create_chain(apps, schema_editor):
    ReviewChain = apps.get_model("reviews", "ReviewChain")
    ReviewChainStep = apps.get_model("reviews", "ReviewChainStep")
    if ReviewChain.objects.filter(kind="trial", is_active=True).exists():
        return
    chain, created = ReviewChain.objects.get_or_create(
        kind="trial",
        name="试用审批 Trial and loan approval",
        defaults={
            "description": "R-DEMO-3: trials, POCs and demo-equipment loans are approved by the presales manager.",
            "score_criteria": [],
            "is_active": True,
        },
    )
    if created:
        ReviewChainStep.objects.create(
            chain=chain, order=1, name="售前经理 Presales manager", approver_role="presales_manager", mode="any"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("proposals", "0002_demos_and_trials"),
        ("reviews", "0006_search_indexes"),
    ]

    operations = [migrations.RunPython(create_chain, migrations.RunPython.noop)]
