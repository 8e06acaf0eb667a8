"""R-COMP-1: the competitor names typed as free text before issue 14 (an opportunity's list,
the winner of a lost one, a bid's winning vendor) become records: trimmed, one record per
name whatever its case, each opportunity linked to its competitors and a lost one to its
winner, each lost bid to its winning vendor. The text fields are kept."""

from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [
    ("opportunities", "0012_system_note_codes_of_old_rows"),
    ("bids", "0008_bid_chain_check_items_parts_search"),
    # the customers as they were then (before the tier suggestion's columns, issue 14)
    ("leads", "0014_system_note_codes_of_old_rows"),
]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _latest():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


@pytest.fixture
def back_to_latest():
    yield
    _migrate(_latest())


@pytest.mark.django_db(transaction=True)
def test_r_comp_1_free_text_names_migrate_into_deduplicated_linked_records(back_to_latest):
    # given opportunities and a bid written before competitor records existed
    old = _migrate(BEFORE)
    team = old.get_model("presales", "Team").objects.create(name="East")
    user = old.get_model("presales", "User").objects.create(username="old_engineer", team=team)
    customer = old.get_model("leads", "Customer").objects.create(
        name="Huadong Precision", normalized_name="huadong precision", team=team, owner=user
    )
    Opportunity = old.get_model("opportunities", "Opportunity")
    now = timezone.now()

    def opportunity(title, competitors, **kwargs):
        return Opportunity.objects.create(
            customer=customer,
            title=title,
            amount=Decimal("1000"),
            team=team,
            sales_owner=user,
            stage_entered_at=now,
            competitors=competitors,
            **kwargs,
        )

    first = opportunity("MES", ["华为", " Acme Systems ", "acme systems"])
    lost = opportunity(
        "ERP",
        ["ACME SYSTEMS"],
        stage="lost",
        close_reason="price",
        winning_competitor=" 新华三 ",
        closed_at=now,
    )
    empty = opportunity("WMS", [])
    bid_opportunity = opportunity("Tender", ["华为"], stage="lost", close_reason="price", closed_at=now)
    bid = old.get_model("bids", "Bid").objects.create(
        opportunity=bid_opportunity, status="lost", created_by=user, winning_vendor="Beta Tech "
    )

    # when the database is migrated
    new = _migrate(_latest())

    # then each distinct name is one record, trimmed, in the case first met
    Competitor = new.get_model("opportunities", "Competitor")
    assert sorted(Competitor.objects.values_list("name", flat=True)) == sorted(
        ["华为", "Acme Systems", "新华三", "Beta Tech"]
    )
    by_name = {c.name: c.pk for c in Competitor.objects.all()}
    links = new.get_model("opportunities", "OpportunityCompetitor").objects

    def linked(o):
        return sorted(links.filter(opportunity_id=o.pk).values_list("competitor_id", flat=True))

    # and each opportunity is linked to its competitors (the winner too), the lost one to its winner
    assert linked(first) == sorted([by_name["华为"], by_name["Acme Systems"]])
    assert linked(lost) == sorted([by_name["Acme Systems"], by_name["新华三"]])
    assert linked(empty) == []
    NewOpportunity = new.get_model("opportunities", "Opportunity")
    assert NewOpportunity.objects.get(pk=lost.pk).winner_id == by_name["新华三"]
    assert NewOpportunity.objects.get(pk=first.pk).winner_id is None
    # and the bid's winning vendor is linked (and put on its opportunity), its text kept
    new_bid = new.get_model("bids", "Bid").objects.get(pk=bid.pk)
    assert (new_bid.winning_competitor_ref_id, new_bid.winning_vendor) == (by_name["Beta Tech"], "Beta Tech ")
    assert linked(bid_opportunity) == sorted([by_name["华为"], by_name["Beta Tech"]])
    # and the free text stays as history
    assert NewOpportunity.objects.get(pk=lost.pk).winning_competitor == " 新华三 "
