"""R-COMP-1: competitor records, their names resolved from free text, the competitors in
play on an opportunity kept in step with its list of names, the winner of a lost opportunity
and of a lost bid linked to its record, merging duplicates, intelligence; permissions."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from bids.models import Bid
from bids.tenders.services import bid_record_result
from opportunities.choices import CloseReason, Stage
from opportunities.competitors import services
from opportunities.models import Competitor, CompetitorIntel, OpportunityCompetitor
from opportunities.services import opportunity_create, opportunity_move, opportunity_update
from presales.core.errors import Conflict, DomainError, NotAllowed
from tests.factories import CustomerFactory, OpportunityFactory

pytestmark = pytest.mark.django_db


def _names(opportunity, in_play=True):
    return list(
        OpportunityCompetitor.objects.filter(opportunity=opportunity, in_play=in_play)
        .order_by("pk")
        .values_list("competitor__name", flat=True)
    )


def test_r_comp_1_resolving_a_name_finds_the_record_whatever_the_case_spaces_or_alias(manager):
    # given a record with an alias
    acme = services.competitor_create(actor=manager, data={"name": "Acme Systems", "aliases": "ACME Ltd"})
    # when names are resolved
    found = [
        services.competitor_resolve(actor=manager, name=n)
        for n in ("acme  systems", " ACME SYSTEMS ", "acme ltd")
    ]
    new = services.competitor_resolve(actor=manager, name="华为")
    # then the same record answers each spelling; a new name is a new record; blank is none
    assert found == [acme, acme, acme]
    assert new.name == "华为" and Competitor.objects.count() == 2
    assert services.competitor_resolve(actor=manager, name="  ") is None


def test_r_comp_1_a_name_is_unique_case_insensitively(manager):
    services.competitor_create(actor=manager, data={"name": "Acme"})
    with pytest.raises(DomainError) as exc:
        services.competitor_create(actor=manager, data={"name": " ACME "})
    assert "name" in exc.value.fields
    assert Competitor.objects.count() == 1


def test_r_comp_1_only_managers_and_admins_write_the_records(engineer, manager):
    with pytest.raises(NotAllowed):
        services.competitor_create(actor=engineer, data={"name": "Acme"})
    acme = services.competitor_create(actor=manager, data={"name": "Acme", "strengths": "Price"})
    with pytest.raises(NotAllowed):
        services.competitor_update(actor=engineer, competitor=acme, data={"notes": "x"})
    updated = services.competitor_update(
        actor=manager, competitor=acme, data={"weaknesses": "Support"}, expected_version=acme.version
    )
    assert (updated.weaknesses, updated.version) == ("Support", acme.version + 1)
    assert updated.history.count() == 2  # created and changed, each with its author


def test_r_comp_1_an_opportunity_created_with_names_gets_records_in_play(engineer, team):
    # given a customer of the engineer's team
    customer = CustomerFactory(team=team, owner=engineer)
    # when an opportunity is opened naming two competitors (one twice, in another case)
    opportunity = opportunity_create(
        actor=engineer,
        data={"customer": customer, "title": "MES", "competitors": ["华为", "Acme", "acme"]},
    )
    # then each is one record in play, and the list of names mirrors them
    assert _names(opportunity) == ["华为", "Acme"]
    opportunity.refresh_from_db()
    assert opportunity.competitors == ["华为", "Acme"]


def test_r_comp_1_updating_the_names_adds_and_takes_out_of_play_keeping_offers(engineer, opportunity):
    # given Acme in play with an offer
    link = services.opportunity_competitor_add(
        actor=engineer, opportunity=opportunity, name="Acme", data={"offer": "Cloud MES", "price": "900000"}
    )
    # when the opportunity's names are replaced by another list
    opportunity = opportunity_update(actor=engineer, opportunity=opportunity, data={"competitors": ["华为"]})
    # then 华为 is in play, Acme out of play with its offer kept, the names mirror it
    link.refresh_from_db()
    assert (link.in_play, link.offer, link.price) == (False, "Cloud MES", Decimal("900000.00"))
    assert _names(opportunity) == ["华为"]
    opportunity.refresh_from_db()
    assert opportunity.competitors == ["华为"]
    # and naming Acme again brings its row back into play
    opportunity_update(actor=engineer, opportunity=opportunity, data={"competitors": ["华为", "ACME"]})
    assert _names(opportunity) == ["Acme", "华为"]


def test_r_comp_1_closing_lost_with_a_winner_links_the_record(engineer, manager, opportunity):
    # given Acme known
    acme = services.competitor_create(actor=manager, data={"name": "Acme Systems"})
    # when the opportunity is lost to "acme systems"
    moved = opportunity_move(
        actor=engineer,
        opportunity=opportunity,
        move="mark_lost",
        reason=CloseReason.PRICE,
        winning_competitor="acme systems",
        note="Cheaper",
    )
    # then the winner is the record, kept on the opportunity's competitors, the text as given
    assert (moved.stage, moved.winner, moved.winning_competitor) == (Stage.LOST, acme, "acme systems")
    assert OpportunityCompetitor.objects.filter(opportunity=opportunity, competitor=acme).exists()


def test_r_comp_1_closing_lost_to_a_new_name_creates_its_record(engineer, opportunity):
    moved = opportunity_move(
        actor=engineer,
        opportunity=opportunity,
        move="mark_lost",
        reason=CloseReason.PRICE,
        winning_competitor="新华三",
    )
    assert moved.winner == Competitor.objects.get(name="新华三")


def test_r_comp_1_closing_lost_without_a_winner_names_none(engineer, opportunity):
    moved = opportunity_move(
        actor=engineer, opportunity=opportunity, move="mark_lost", reason=CloseReason.BUDGET
    )
    assert moved.winner is None and not Competitor.objects.exists()


def test_r_comp_1_a_lost_bid_links_its_winning_vendor(engineer, manager, opportunity):
    # given a sealed bid on an opportunity in the bid stage, and Acme known
    acme = services.competitor_create(actor=manager, data={"name": "Acme Systems"})
    opportunity.stage, opportunity.has_tender = Stage.BID, True
    opportunity.save()
    bid = Bid.objects.create(opportunity=opportunity, status="sealed", created_by=engineer)
    # when the bid is recorded as lost to " ACME systems "
    bid = bid_record_result(
        actor=engineer,
        bid=bid,
        won=False,
        winning_vendor=" ACME systems ",
        winning_price="990000",
        reason="price",
    )
    # then the bid and the lost opportunity both name the Acme record
    opportunity.refresh_from_db()
    assert (bid.winning_competitor_ref, opportunity.winner, opportunity.stage) == (acme, acme, Stage.LOST)
    assert Competitor.objects.count() == 1


def test_r_comp_1_a_won_bid_names_no_competitor(engineer, opportunity):
    opportunity.stage, opportunity.has_tender = Stage.BID, True
    opportunity.save()
    bid = Bid.objects.create(opportunity=opportunity, status="sealed", created_by=engineer)
    bid = bid_record_result(actor=engineer, bid=bid, won=True, winning_vendor="本公司")
    assert bid.winning_competitor_ref is None and not Competitor.objects.exists()


def test_r_comp_1_competitors_in_play_are_worked_by_who_works_the_opportunity(
    engineer, other_engineer, opportunity
):
    # another team's engineer may not add, change or remove
    with pytest.raises(NotAllowed):
        services.opportunity_competitor_add(actor=other_engineer, opportunity=opportunity, name="Acme")
    link = services.opportunity_competitor_add(actor=engineer, opportunity=opportunity, name="Acme")
    with pytest.raises(NotAllowed):
        services.opportunity_competitor_update(actor=other_engineer, link=link, data={"offer": "x"})
    with pytest.raises(NotAllowed):
        services.opportunity_competitor_remove(actor=other_engineer, link=link)
    assert OpportunityCompetitor.objects.filter(pk=link.pk, offer="").exists()


def test_r_comp_1_bad_input_on_a_competitor_in_play_is_refused(engineer, opportunity):
    link = services.opportunity_competitor_add(actor=engineer, opportunity=opportunity, name="Acme")
    for data, field in (
        ({"price": "-1"}, "price"),
        ({"price": "lots"}, "price"),
        ({"stage": "won"}, "stage"),
    ):
        with pytest.raises(DomainError) as exc:
            services.opportunity_competitor_update(actor=engineer, link=link, data=data)
        assert field in exc.value.fields
    with pytest.raises(DomainError):
        services.opportunity_competitor_add(
            actor=engineer, opportunity=opportunity, name="acme"
        )  # already on it
    with pytest.raises(DomainError):
        services.opportunity_competitor_add(actor=engineer, opportunity=opportunity, name=" ")


def test_r_comp_1_a_closed_opportunity_keeps_its_competitors(engineer, opportunity):
    link = services.opportunity_competitor_add(actor=engineer, opportunity=opportunity, name="Acme")
    opportunity_move(
        actor=engineer, opportunity=opportunity, move="mark_lost", reason="price", winning_competitor="Acme"
    )
    with pytest.raises(Conflict):
        services.opportunity_competitor_remove(actor=engineer, link=link)


def test_r_comp_1_merging_folds_the_duplicate_into_the_record(engineer, manager, opportunity):
    # given "Acme" and its duplicate "Acme Sys" each with links, intel and a win
    acme = services.competitor_create(actor=manager, data={"name": "Acme", "strengths": "Price"})
    dup = services.competitor_create(actor=manager, data={"name": "Acme Sys", "weaknesses": "Support"})
    services.opportunity_competitor_add(actor=engineer, opportunity=opportunity, competitor=acme)
    services.opportunity_competitor_add(actor=engineer, opportunity=opportunity, competitor=dup)
    other = OpportunityFactory(
        team=opportunity.team, presales_owner=engineer, competitors=[], stage="solution"
    )
    opportunity_move(
        actor=engineer, opportunity=other, move="mark_lost", reason="price", winning_competitor="Acme Sys"
    )
    services.intel_add(
        actor=engineer,
        competitor=dup,
        text="Discounts 30%",
        source="Customer",
        observed_on=timezone.localdate(),
    )
    # when an engineer tries, then a manager merges
    with pytest.raises(NotAllowed):
        services.competitor_merge(actor=engineer, keep=acme, duplicate=dup)
    kept = services.competitor_merge(actor=manager, keep=acme, duplicate=dup)
    # then one record holds everything; the duplicate's name is an alias
    assert not Competitor.objects.filter(pk=dup.pk).exists()
    assert kept.alias_list() == ["Acme Sys"] and "Support" in kept.weaknesses
    assert OpportunityCompetitor.objects.filter(opportunity=opportunity).count() == 1
    other.refresh_from_db()
    assert other.winner == kept
    assert CompetitorIntel.objects.get().competitor == kept
    assert services.competitor_resolve(actor=manager, name="acme sys") == kept


def test_r_comp_1_intel_needs_text_source_and_a_past_day(engineer, manager, other_engineer, no_role_user):
    acme = services.competitor_create(actor=manager, data={"name": "Acme"})
    with pytest.raises(DomainError) as exc:
        services.intel_add(actor=engineer, competitor=acme, text="", source="", observed_on=None)
    assert set(exc.value.fields) == {"text", "source", "observed_on"}
    with pytest.raises(DomainError) as exc:
        services.intel_add(
            actor=engineer,
            competitor=acme,
            text="x",
            source="y",
            observed_on=timezone.localdate() + timedelta(days=1),
        )
    assert "observed_on" in exc.value.fields
    with pytest.raises(NotAllowed):
        services.intel_add(
            actor=no_role_user, competitor=acme, text="x", source="y", observed_on=timezone.localdate()
        )
    # an opportunity outside the writer's scope is refused as unknown
    hidden = OpportunityFactory(team=other_engineer.team, competitors=[])
    with pytest.raises(DomainError) as exc:
        services.intel_add(
            actor=engineer,
            competitor=acme,
            text="x",
            source="y",
            observed_on=timezone.localdate(),
            opportunity=hidden,
        )
    assert "opportunity" in exc.value.fields
    intel = services.intel_add(
        actor=engineer, competitor=acme, text=" x ", source="Trade show", observed_on=timezone.localdate()
    )
    assert (intel.text, intel.recorded_by) == ("x", engineer)
