"""R-REV-2, R-QUOTE-1: the default solution chain, when nobody changed it since it was
created, gains the heads' steps with their check items, the price-authority steps by margin
band and scores on rejections (reviews.defaults.upgrade_default_solution_chain). A chain an
admin changed is left as it is; reviews under way keep their plan."""

from django.db import migrations


def upgrade(apps, schema_editor):
    from reviews.defaults import upgrade_default_solution_chain

    upgrade_default_solution_chain(
        chain_model=apps.get_model("reviews", "ReviewChain"),
        step_model=apps.get_model("reviews", "ReviewChainStep"),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0007_check_items_margin_bands_scores_parallel_steps"),
    ]

    operations = [
        migrations.RunPython(upgrade, migrations.RunPython.noop),
    ]
