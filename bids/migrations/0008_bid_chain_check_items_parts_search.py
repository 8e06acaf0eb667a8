"""R-REV-3: the steps of the active bid chains get their check items (presales manager:
technical part and commercial terms; legal: compliance; finance: price reasonableness and
bond) unless an admin gave them items (reviews.defaults.upgrade_default_bid_chain); bids made
before the bid document's parts existed get their three empty parts (R-BID-1); the answer
library is searchable by question and product (R-BID-3, presales.core.search)."""

from django.db import migrations

from presales.core.search import CreateSearchIndex


def upgrade(apps, schema_editor):
    from reviews.defaults import upgrade_default_bid_chain

    upgrade_default_bid_chain(
        chain_model=apps.get_model("reviews", "ReviewChain"),
        step_model=apps.get_model("reviews", "ReviewChainStep"),
    )
    Bid = apps.get_model("bids", "Bid")
    BidPart = apps.get_model("bids", "BidPart")
    for bid_id in Bid.objects.values_list("pk", flat=True):
        for kind in ("commercial", "technical", "price"):
            BidPart.objects.get_or_create(bid_id=bid_id, kind=kind)


class Migration(migrations.Migration):
    dependencies = [
        ("bids", "0007_bid_parts_defence_tender_zone"),
        ("reviews", "0008_upgrade_default_solution_chain"),
    ]

    operations = [
        migrations.RunPython(upgrade, migrations.RunPython.noop),
        CreateSearchIndex("defenceanswer", "question"),
        CreateSearchIndex("defenceanswer", "product"),
    ]
