"""The board's columns page with "load more" (issue 9 Build 4, issue 8): a first window of
cards per column, then the next windows of one column by keyset on the card order
``(stage_entered_at, pk)`` under the board's filters, in a constant number of queries."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from opportunities.choices import Stage
from opportunities.selectors import CARDS_PER_COLUMN, card_position
from presales.core.roles import Role
from tests.factories import CustomerFactory, OpportunityFactory

pytestmark = pytest.mark.django_db

CARD = re.compile(r'data-testid="card-(\d+)"')
MORE = re.compile(r'data-testid="more-(\w+)"[^>]*hx-get="([^"]+)"', re.S)


@pytest.fixture
def people(make_user, team):
    return {
        "sales": make_user(Role.SALES_REP, team=team, username="deal_sales"),
        "presales": make_user(Role.PRESALES_ENGINEER, team=team, username="deal_presales"),
    }


def make_deals(n, *, team, people, stage=Stage.SOLUTION, customer=None, start=None, title="Deal"):
    """``n`` opportunities of ``team`` in ``stage``, entered one minute apart, with pairs
    entered at the same instant (the keyset's tie on pk)."""
    customer = customer or CustomerFactory(team=team, owner=people["sales"])
    start = start or timezone.now() - timedelta(days=30)
    return [
        OpportunityFactory(
            team=team,
            customer=customer,
            sales_owner=people["sales"],
            presales_owner=people["presales"],
            stage=stage,
            stage_entered_at=start + timedelta(minutes=i // 2),
            title=f"{title} {i}",
        )
        for i in range(n)
    ]


def cards_in(html: str) -> list[int]:
    return [int(pk) for pk in CARD.findall(html)]


def more_link(html: str, stage: str) -> str | None:
    found = {s: unescape(url) for s, url in MORE.findall(html)}
    return found.get(stage)


def board_order(deals):
    return [o.pk for o in sorted(deals, key=lambda o: (o.stage_entered_at, o.pk))]


def test_first_window_then_load_more_shows_every_card_once_in_board_order(client, engineer, team, people):
    """Issue 9: 45 cards in a column: 20 on the board, then windows after the last card shown
    until none is left; each card exactly once, oldest in stage first (ties by id)."""
    # given 45 deals in solution (pairs entered at the same instant)
    deals = make_deals(45, team=team, people=people)
    client.force_login(engineer)

    # when the engineer opens the board
    page = client.get(reverse("opportunities:board")).content.decode()

    # then the solution column shows the first window and counts all 45
    shown = cards_in(page)
    assert len(shown) == CARDS_PER_COLUMN == 20
    assert 'data-testid="count-solution" title="Opportunities">45<' in page
    assert "more in the list" not in page

    # when they load more until the column ends
    link = more_link(page, Stage.SOLUTION)
    windows = 0
    while link:
        response = client.get(link, headers={"HX-Request": "true"})
        assert response.status_code == 200
        html = response.content.decode()
        shown += cards_in(html)
        link = more_link(html, Stage.SOLUTION)
        windows += 1

    # then every card came once, in the board's order, in two more windows (20 + 20 + 5)
    assert windows == 2
    assert shown == board_order(deals)


def test_load_more_keeps_the_board_filters_and_the_users_scope(client, engineer, team, other_team, people):
    """The next window is the board's, filtered as the board is: same filters, same scope."""
    # given 25 grade-A deals and 25 grade-C deals of the team, and 25 of another team
    grade_a = CustomerFactory(team=team, owner=people["sales"], grade="A")
    grade_c = CustomerFactory(team=team, owner=people["sales"], grade="C")
    wanted = make_deals(25, team=team, people=people, customer=grade_a, title="Wanted")
    make_deals(25, team=team, people=people, customer=grade_c, title="Other grade")
    OpportunityFactory.create_batch(25, team=other_team, stage=Stage.SOLUTION, title="Hidden")
    client.force_login(engineer)

    # when the board is filtered on grade A and the column's next window loaded
    page = client.get(reverse("opportunities:board"), {"customer_grade": "A"}).content.decode()
    link = more_link(page, Stage.SOLUTION)
    assert link is not None and "customer_grade=A" in link
    html = client.get(link).content.decode()

    # then the two windows are exactly the grade-A deals of the team
    assert cards_in(page) + cards_in(html) == board_order(wanted)
    assert more_link(html, Stage.SOLUTION) is None
    assert "Hidden" not in html and "Other grade" not in html


def test_loaded_cards_carry_their_moves_and_drag_data(client, engineer, team, people):
    """Cards added by "load more" are the board's cards: draggable with their move data and
    "Move to…" menu (board.js binds on the document, so it sees cards added later)."""
    deals = make_deals(21, team=team, people=people, stage=Stage.LEAD_INTAKE)
    deals[-1].members.create(user=engineer, role="presales_owner")
    client.force_login(engineer)
    page = client.get(reverse("opportunities:board")).content.decode()
    html = client.get(more_link(page, Stage.LEAD_INTAKE)).content.decode()
    last = deals[-1].pk
    assert cards_in(html) == [last]
    assert f'draggable="true" data-opportunity="{last}"' in html
    assert f'id="moves-{last}"' in html
    assert f'data-testid="move-menu-{last}"' in html
    assert "?next=/opportunities/" in html  # a move's form comes back to the board


def test_a_column_that_fits_offers_no_load_more(client, engineer, team, people):
    make_deals(CARDS_PER_COLUMN, team=team, people=people)
    client.force_login(engineer)
    page = client.get(reverse("opportunities:board")).content.decode()
    assert len(cards_in(page)) == CARDS_PER_COLUMN
    assert more_link(page, Stage.SOLUTION) is None


def test_window_endpoint_refuses_what_is_not_a_board_position(client, engineer, team, people):
    deals = make_deals(3, team=team, people=people)
    client.force_login(engineer)
    url = reverse("opportunities:board_column", args=[Stage.SOLUTION])
    after = card_position(deals[0])
    assert client.get(url, {"after": after}).status_code == 200
    for bad in ("", "yesterday~1", f"{deals[0].stage_entered_at.isoformat()}~x", "2026-01-01T00:00~1"):
        assert client.get(url, {"after": bad}).status_code == 400, bad
    assert client.get(url, {"after": after, "size": "abc"}).status_code == 400
    unknown = reverse("opportunities:board_column", args=["nowhere"])
    assert client.get(unknown, {"after": after}).status_code == 404


def test_window_endpoint_needs_a_role(client, no_role_user, team, people):
    deals = make_deals(2, team=team, people=people)
    url = reverse("opportunities:board_column", args=[Stage.SOLUTION])
    params = {"after": card_position(deals[0])}
    assert client.get(url, params).status_code == 302
    client.force_login(no_role_user)
    assert client.get(url, params).status_code == 403


def test_window_endpoint_shows_nothing_outside_the_scope(client, other_engineer, team, people):
    deals = make_deals(5, team=team, people=people)
    client.force_login(other_engineer)
    url = reverse("opportunities:board_column", args=[Stage.SOLUTION])
    html = client.get(url, {"after": card_position(deals[0])}).content.decode()
    assert cards_in(html) == []


@pytest.mark.parametrize("size", [5, 15])
def test_window_query_count_is_pinned_at_two_window_sizes(
    client, engineer, team, people, django_assert_num_queries, size
):
    """Issue 9: a window costs the same queries whatever its size, and as many deep in the
    column as at its start: session, user, the user's roles and managed teams (scope), the
    cards with their customers, owners and initiations, their project teams."""
    deals = make_deals(40, team=team, people=people)
    client.force_login(engineer)
    url = reverse("opportunities:board_column", args=[Stage.SOLUTION])
    client.get(url, {"after": card_position(deals[0])})  # warm the session and content types
    for start in (deals[0], board_order_objects(deals)[20]):
        with django_assert_num_queries(6):
            html = client.get(url, {"after": card_position(start), "size": size}).content.decode()
        assert len(cards_in(html)) == size


def board_order_objects(deals):
    return sorted(deals, key=lambda o: (o.stage_entered_at, o.pk))


@pytest.mark.parametrize("per_stage", [3, 30])
def test_board_query_count_is_pinned(client, engineer, team, people, django_assert_num_queries, per_stage):
    """Issue 9: the board is one grouped aggregate, one query for the ids of each column's
    first window, one card query and one prefetch of the project teams, however full its
    columns are; the rest is the page's frame (session, user,
    scope, the navigation's badges and bell, the team filter's few choices)."""
    for stage in (Stage.LEAD_INTAKE, Stage.SOLUTION, Stage.BID):
        make_deals(per_stage, team=team, people=people, stage=stage)
    client.force_login(engineer)
    url = reverse("opportunities:board")
    client.get(url)  # warm the session and content types
    with django_assert_num_queries(14):
        page = client.get(url).content.decode()
    assert len(cards_in(page)) == 3 * min(per_stage, CARDS_PER_COLUMN)
