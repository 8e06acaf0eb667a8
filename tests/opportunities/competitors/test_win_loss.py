"""R-COMP-1: win/loss against a competitor per quarter (won: handoff with them on the
opportunity; lost to them: lost with them as the winner; lost to others), one aggregate
query, over the viewer's opportunities only; the pages (list, competitor, desk tab)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from opportunities.competitors import selectors, services
from opportunities.models import Opportunity, OpportunityCompetitor
from tests.factories import OpportunityFactory

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")


def _closed(team, stage, closed, acme, winner=None):
    opportunity = OpportunityFactory(
        team=team, competitors=[], stage=stage, close_reason="" if stage == "handoff" else "price"
    )
    Opportunity.objects.filter(pk=opportunity.pk).update(closed_at=closed, winner=winner)
    OpportunityCompetitor.objects.create(opportunity=opportunity, competitor=acme)
    return opportunity


@pytest.fixture
def history(team, other_team, manager):
    acme = services.competitor_create(actor=manager, data={"name": "Acme"})
    beta = services.competitor_create(actor=manager, data={"name": "Beta"})
    q3 = datetime(2026, 8, 10, 12, tzinfo=TZ)
    q4 = datetime(2026, 11, 2, 12, tzinfo=TZ)
    _closed(team, "handoff", q3, acme)
    _closed(team, "handoff", q3, acme)
    _closed(team, "lost", q3, acme, winner=acme)
    _closed(team, "lost", q4, acme, winner=acme)
    _closed(team, "lost", q4, acme, winner=beta)
    _closed(team, "lost", q4, acme)  # lost, no winner named
    _closed(team, "abandoned", q4, acme)  # not counted
    _closed(other_team, "lost", q4, acme, winner=acme)  # another team's
    open_one = OpportunityFactory(team=team, competitors=[], stage="solution")
    OpportunityCompetitor.objects.create(opportunity=open_one, competitor=acme, offer="Cloud MES")
    return acme


def test_r_comp_1_win_loss_per_quarter_counts_the_viewers_opportunities(
    history, engineer, general_manager, django_assert_num_queries
):
    # when the team's engineer reads it (their roles and teams already read, as in a request)
    selectors.win_loss_by_quarter(engineer, history)
    with django_assert_num_queries(1):
        rows = selectors.win_loss_by_quarter(engineer, history)
    # then per quarter: won, lost to them, lost to others (the other team's loss is not theirs)
    assert [(r.quarter, r.won, r.lost_to_them, r.lost_to_others) for r in rows] == [
        ("2026-Q3", 2, 1, 0),
        ("2026-Q4", 0, 1, 2),
    ]
    assert (rows[0].won_share, rows[0].lost_to_them_share, rows[1].lost_to_others_share) == (75, 25, 75)
    # and an all-scope role counts every team's
    rows = selectors.win_loss_by_quarter(general_manager, history)
    assert [(r.quarter, r.lost_to_them) for r in rows] == [("2026-Q3", 1), ("2026-Q4", 2)]


def test_r_comp_1_the_list_counts_per_viewer(history, engineer, general_manager):
    row = selectors.competitors_with_counts(engineer).get(pk=history.pk)
    # in play: the one open deal (the closed ones count as won or lost, not as in play)
    assert (row.in_play_count, row.won_count, row.lost_count) == (1, 2, 2)
    assert selectors.competitors_with_counts(general_manager).get(pk=history.pk).lost_count == 3


def test_r_comp_1_pages_show_the_record_its_win_loss_and_in_play(history, engineer, other_engineer, client):
    client.force_login(engineer)
    page = client.get(reverse("opportunities:competitors:list")).content.decode()
    assert "Acme" in page and "Beta" in page
    page = client.get(reverse("opportunities:competitors:list"), {"q": "bet"}).content.decode()
    assert "Beta" in page and ">Acme<" not in page
    detail = client.get(history.get_absolute_url()).content.decode()
    assert "2026-Q3" in detail and "Cloud MES" in detail and 'class="progress-bar bg-success w-75"' in detail
    assert "style=" not in detail
    # another team's engineer sees the record, but none of the team's opportunities
    client.force_login(other_engineer)
    detail = client.get(history.get_absolute_url()).content.decode()
    assert "Cloud MES" not in detail and "2026-Q3" not in detail and "2026-Q4" in detail


def test_r_comp_1_desk_tab_adds_changes_and_removes(engineer, other_engineer, opportunity, client):
    client.force_login(engineer)
    page = client.get(opportunity.get_absolute_url()).content.decode()
    assert 'data-testid="desk-competitors"' in page and 'data-testid="desk-competitor-add"' in page
    url = reverse("opportunities:competitors:desk-action", args=[opportunity.pk, "add"])
    response = client.post(
        url, {"name": "华为", "offer": "Cloud", "price": "12.5", "differentiators": "Local"}
    )
    assert response.status_code == 302 and response.url.endswith("#competitors")
    link = OpportunityCompetitor.objects.get(opportunity=opportunity)
    assert (link.competitor.name, link.offer, str(link.price)) == ("华为", "Cloud", "12.50")
    client.post(
        reverse("opportunities:competitors:desk-action", args=[opportunity.pk, "update"]),
        {"link": link.pk, "offer": "On-prem", "price": "", "differentiators": "", "version": link.version},
    )
    link.refresh_from_db()
    assert (link.offer, link.price, link.in_play) == ("On-prem", None, False)
    # another team's engineer: 404
    client.force_login(other_engineer)
    assert client.post(url, {"name": "Beta"}).status_code == 404
    client.force_login(engineer)
    client.post(
        reverse("opportunities:competitors:desk-action", args=[opportunity.pk, "remove"]), {"link": link.pk}
    )
    assert not OpportunityCompetitor.objects.filter(pk=link.pk).exists()


def test_r_comp_1_competitor_page_forms(manager, engineer, client):
    client.force_login(manager)
    response = client.post(
        reverse("opportunities:competitors:create"), {"name": "Acme", "website": "acme.example"}
    )
    acme = services.find_competitor("acme")
    assert response.status_code == 302 and acme is not None and acme.website == "https://acme.example"
    client.post(
        reverse("opportunities:competitors:action", args=[acme.pk, "product-add"]),
        {"product-name": "MES Cloud", "product-price_range": "1-2M"},
    )
    assert acme.products.get().price_range == "1-2M"
    client.force_login(engineer)
    assert client.get(reverse("opportunities:competitors:create")).status_code == 403
    assert client.get(reverse("opportunities:competitors:update", args=[acme.pk])).status_code == 403
    client.post(
        reverse("opportunities:competitors:action", args=[acme.pk, "intel"]),
        {"text": "Price war", "source": "Partner", "observed_on": "2026-01-05"},
    )
    assert acme.intel.get().source == "Partner"
    picker = client.get(reverse("opportunities:competitors:autocomplete"), {"q": "acm"}).json()
    assert picker["results"] == [{"id": acme.pk, "text": "Acme"}]
