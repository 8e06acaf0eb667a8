"""Issue 8: a page offers write forms and buttons only to who may use them. Read-only roles
(legal, finance, general manager, department head) and users who cannot work a record still
read the page, without a control that would fail only on submit (R-OPP-3, R-CUST-5,
R-LEAD-4, R-COMM-1)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from opportunities.choices import InitiationStatus, Stage
from presales.core.roles import Role
from tests.factories import (
    CustomerFactory,
    LeadFactory,
    OpportunityFactory,
    ProjectInitiationFactory,
    ProjectMemberFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def legal(make_user, db):
    return make_user(Role.LEGAL, username="legal")


@pytest.fixture
def department_head(make_user, team):
    """Team scope, so they read the team's records, but not a writer role."""
    return make_user(Role.DEPARTMENT_HEAD, team=team, username="head")


def _page(client, user, url) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


# --- opportunity detail ---------------------------------------------------------------------


@pytest.fixture
def opportunity(team, sales_rep, engineer):
    opportunity = OpportunityFactory(
        team=team, sales_owner=sales_rep, presales_owner=engineer, stage=Stage.LEAD_INTAKE
    )
    ProjectInitiationFactory(opportunity=opportunity, status=InitiationStatus.DRAFT)
    return opportunity


def _opportunity_write_urls(opportunity) -> list[str]:
    pk = opportunity.pk
    return [
        reverse("opportunities:update", args=[pk]),
        reverse("opportunities:initiation", args=[pk]),
        reverse("opportunities:initiation_submit", args=[pk]),
        # any move: the URL up to the move name
        reverse("opportunities:move", args=[pk, "x"]).rsplit("x/", 1)[0],
    ]


def test_the_owner_sees_the_opportunity_controls(client, opportunity, sales_rep):
    """The baseline: the sales owner gets edit, the initiation request and the moves."""
    page = _page(client, sales_rep, opportunity.get_absolute_url())
    for url in _opportunity_write_urls(opportunity):
        assert url in page, url
    assert 'data-testid="initiation-submit"' in page


@pytest.mark.parametrize("who", ["legal", "general_manager", "department_head"])
def test_read_only_roles_see_no_opportunity_controls(client, request, opportunity, who):
    """Issue 8, R-OPP-3: read-only roles read the opportunity without write controls."""
    # given a read-only role that may read the opportunity
    user = request.getfixturevalue(who)
    # when they open it
    page = _page(client, user, opportunity.get_absolute_url())
    # then no edit link, move, initiation edit, submit or withdraw is offered
    assert opportunity.title in page
    for url in _opportunity_write_urls(opportunity):
        assert url not in page, url
    assert reverse("opportunities:initiation_withdraw", args=[opportunity.pk]) not in page
    assert 'data-testid="initiation-submit"' not in page
    assert 'data-testid="initiation-reasons"' not in page
    # (asking for a PDF of what they may read is reading, not writing: issue 12's document box)
    region = page.split('data-testid="next-moves"')[1].split('data-testid="stage-history"')[0]
    forms = [
        chunk
        for chunk in region.split("<form")[1:]
        if reverse("documents:request") not in chunk.split(">")[0]
    ]
    assert forms == []


def test_no_withdraw_form_for_a_read_only_role_on_a_submitted_request(
    client, team, sales_rep, engineer, legal
):
    """Issue 8: a request in review offers its withdrawal to the owner only."""
    opportunity = OpportunityFactory(team=team, sales_owner=sales_rep, presales_owner=engineer)
    ProjectInitiationFactory(opportunity=opportunity, status=InitiationStatus.IN_REVIEW)
    withdraw = reverse("opportunities:initiation_withdraw", args=[opportunity.pk])
    assert withdraw in _page(client, sales_rep, opportunity.get_absolute_url())
    assert withdraw not in _page(client, legal, opportunity.get_absolute_url())


# --- board ----------------------------------------------------------------------------------


def test_board_cards_are_draggable_and_movable_only_for_who_may_work_them(
    client, opportunity, sales_rep, legal, department_head
):
    """Issue 8, R-OPP-3: the card is draggable and has its "Move to…" menu only where
    ``can_work_opportunity``; read-only roles see the card still."""
    card = f'data-testid="card-{opportunity.pk}"'
    menu = f'data-testid="move-menu-{opportunity.pk}"'
    move_url = reverse("opportunities:move", args=[opportunity.pk, "x"]).rsplit("x/", 1)[0]
    # the owner: draggable, with the menu
    page = _page(client, sales_rep, reverse("opportunities:board"))
    assert card in page and menu in page and move_url in page
    assert f'draggable="true" data-opportunity="{opportunity.pk}"' in page
    # read-only roles: the card, not draggable, no menu, no move URL
    for user in (legal, department_head):
        page = _page(client, user, reverse("opportunities:board"))
        assert card in page, user
        assert menu not in page and move_url not in page, user
        assert f'draggable="false" data-opportunity="{opportunity.pk}"' in page


# --- customer detail ------------------------------------------------------------------------


CUSTOMER_TESTIDS = ("customer-edit", "add-contact", "add-communication", "presales-form")


def _customer_write_urls(customer) -> list[str]:
    pk = customer.pk
    return [
        reverse("leads:customer_edit", args=[pk]),
        reverse("leads:customer_merge", args=[pk]),
        reverse("leads:contact_create", args=[pk]),
        reverse("leads:communication_create", args=[pk]),
        reverse("leads:customer_presales", args=[pk]),
    ]


@pytest.fixture
def customer(team, sales_rep):
    return CustomerFactory(team=team, owner=sales_rep, name="Harbor Robotics")


def test_the_owner_sees_the_customer_controls(client, customer, sales_rep):
    page = _page(client, sales_rep, customer.get_absolute_url())
    for testid in CUSTOMER_TESTIDS:
        assert f'data-testid="{testid}"' in page, testid
    for url in _customer_write_urls(customer):
        assert url in page, url


def test_read_only_roles_and_other_teams_see_no_customer_controls(
    client, customer, legal, department_head, other_team, other_engineer
):
    """Issue 8, R-CUST-5, R-COMM-1: legal, a department head and another team's engineer
    on one of the customer's opportunities (R-CUST-6: they read the customer) get the page
    without edit, add contact, add communication or presales assignment."""
    # given another team's engineer on the project team of an opportunity of the customer
    opportunity = OpportunityFactory(customer=customer, team=other_team)
    ProjectMemberFactory(opportunity=opportunity, user=other_engineer)
    for user in (legal, department_head, other_engineer):
        # when they open the customer
        page = _page(client, user, customer.get_absolute_url())
        # then they read it, without write controls
        assert "Harbor Robotics" in page
        for testid in CUSTOMER_TESTIDS:
            assert f'data-testid="{testid}"' not in page, (user, testid)
        for url in _customer_write_urls(customer):
            assert url not in page, (user, url)


# --- lead detail ----------------------------------------------------------------------------


def _lead_write_urls(lead) -> list[str]:
    pk = lead.pk
    return [
        reverse("leads:lead_edit", args=[pk]),
        reverse("leads:lead_first_contact", args=[pk]),
        reverse("leads:lead_disqualify", args=[pk]),
        reverse("leads:lead_merge", args=[pk]),
        reverse("opportunities:qualify_lead", args=[pk]),
        reverse("leads:lead_communication_create", args=[pk]),
    ]


@pytest.fixture
def lead(team, sales_rep):
    return LeadFactory(team=team, owner=sales_rep, company_name="Delta Looms")


def test_the_owner_sees_the_lead_moves(client, lead, sales_rep):
    page = _page(client, sales_rep, lead.get_absolute_url())
    assert "data-move=" in page
    assert reverse("leads:lead_edit", args=[lead.pk]) in page
    assert reverse("leads:lead_first_contact", args=[lead.pk]) in page


@pytest.mark.parametrize("who", ["legal", "department_head"])
def test_read_only_roles_see_no_lead_moves(client, request, lead, who):
    """Issue 8, R-LEAD-4: no move button, enabled or disabled, and no blocked-move notes
    for who may not work the lead."""
    page = _page(client, request.getfixturevalue(who), lead.get_absolute_url())
    assert "Delta Looms" in page
    assert "data-move=" not in page and "data-blocked=" not in page
    for url in _lead_write_urls(lead):
        assert url not in page, url
