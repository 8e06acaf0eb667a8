"""Opportunity services: creation (directly and from a qualified lead), edits, initiation
drafts, and the customer visibility the opportunity gives its people (R-OPP-1, R-OPP-2, R-CUST-6)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from leads.choices import LeadStatus
from leads.models import Customer
from leads.selectors import default_opportunity_title
from opportunities.choices import InitiationStatus, ProjectRole, Stage
from opportunities.models import Opportunity, ProjectInitiation, ProjectMember, StageChange
from opportunities.services import (
    clean_competitors,
    initiation_save,
    opportunity_create,
    opportunity_create_from_lead,
    opportunity_qualify_lead,
    opportunity_update,
)
from presales.core.errors import Conflict, DomainError, NotAllowed
from presales.core.roles import Role
from tests.factories import (
    CustomerFactory,
    CustomerPresalesFactory,
    LeadFactory,
    OpportunityFactory,
    ProjectInitiationFactory,
    ProjectMemberFactory,
)

pytestmark = pytest.mark.django_db

EVALUATION = {
    "background": "Two production lines to upgrade.",
    "needs": "Production efficiency, cost control.",
    "budget": "¥1.5M approved.",
    "competition": "Acme Systems is talking to them.",
    "timeline": "Decision in Q3.",
}


# --- creation (R-OPP-1) ------------------------------------------------------------------


def test_lead_qualification_creates_the_opportunity_R_OPP_1(engineer, sales_rep, team):
    # given a contacted lead with a budget, owners and a team
    lead = LeadFactory(
        team=team,
        owner=sales_rep,
        presales_owner=engineer,
        status=LeadStatus.CONTACTED,
        first_contacted_at=timezone.now(),
        budget=Decimal("1500000"),
        background="Two production lines.",
        initial_needs="MES integration.",
    )
    # when the engineer qualifies it with the opportunity's expected close and competitors
    close = timezone.localdate() + timedelta(days=200)
    opportunity = opportunity_qualify_lead(
        actor=engineer,
        lead=lead,
        evaluation=EVALUATION,
        data={"expected_close": close, "competitors": "Acme Systems, Beta Tech"},
    )
    lead.refresh_from_db()
    # then an opportunity in lead intake carries the customer, amount, close, competitors and owners
    assert opportunity == Opportunity.objects.get(lead=lead)
    assert opportunity.customer == lead.customer
    assert (opportunity.amount, opportunity.currency) == (Decimal("1500000"), "CNY")
    assert opportunity.expected_close == close
    assert opportunity.competitors == ["Acme Systems", "Beta Tech"]
    assert (opportunity.sales_owner, opportunity.presales_owner, opportunity.team) == (
        sales_rep,
        engineer,
        team,
    )
    assert opportunity.stage == Stage.LEAD_INTAKE
    assert opportunity.title == f"{lead.company_name} – MES integration."
    assert "MES integration." in opportunity.description
    assert opportunity.history.get().history_user == engineer


def test_qualification_keeps_the_title_given_and_the_assessments_R_OPP_1_R_LEAD_4(engineer, team):
    # given a contacted lead with a timing
    lead = LeadFactory(
        team=team,
        status=LeadStatus.CONTACTED,
        first_contacted_at=timezone.now(),
        initial_needs="\nMES integration.\nQuality tracing.",
        timing="Purchase in Q3",
    )
    # when it is qualified with a title of the qualifier's choice
    opportunity = opportunity_qualify_lead(
        actor=engineer, lead=lead, evaluation=EVALUATION, data={"title": "Plant 2 MES"}
    )
    # then the opportunity has that title and keeps the timing, competition and timeline as text
    assert opportunity.title == "Plant 2 MES"
    assert "Timing: Purchase in Q3" in opportunity.description
    assert "Competition assessment: Acme Systems is talking to them." in opportunity.description
    assert "Timeline assessment: Decision in Q3." in opportunity.description
    assert opportunity.competitors == []


def test_the_default_title_is_the_company_and_the_first_line_of_the_needs_cut_to_fit_R_OPP_1(engineer, team):
    # given leads whose needs are missing, or one very long line
    bare = LeadFactory(team=team, company_name="Huadong", initial_needs="")
    long = LeadFactory(team=team, company_name="Huadong", initial_needs="x" * 300 + "\nsecond")
    # when their default titles are taken
    title = default_opportunity_title(long)
    # then the company alone, or the company and the first line cut to 200 characters
    assert default_opportunity_title(bare) == "Huadong"
    assert len(title) == 200
    assert title.startswith("Huadong – xxx") and title.endswith("…")


def test_a_lead_gives_one_opportunity_R_OPP_1(engineer, team):
    # given a lead already qualified into an opportunity
    lead = LeadFactory(team=team, status=LeadStatus.CONTACTED, first_contacted_at=timezone.now())
    opportunity_qualify_lead(actor=engineer, lead=lead, evaluation=EVALUATION)
    # when a second opportunity is made from it
    with pytest.raises(Conflict):
        opportunity_create_from_lead(actor=engineer, lead=lead)
    # then there is still one
    assert Opportunity.objects.filter(lead=lead).count() == 1


def test_only_a_qualified_lead_becomes_an_opportunity(engineer, team):
    lead = LeadFactory(team=team, status=LeadStatus.CONTACTED)
    with pytest.raises(Conflict):
        opportunity_create_from_lead(actor=engineer, lead=lead)
    assert not Opportunity.objects.exists()


def test_direct_creation_defaults_to_the_customers_team_and_owners_R_OPP_1(engineer, team):
    # given a customer of the team with a sales owner and a primary presales engineer
    customer = CustomerFactory(team=team)
    CustomerPresalesFactory(customer=customer, user=engineer)
    # when the engineer opens an opportunity on it
    opportunity = opportunity_create(
        actor=engineer,
        data={
            "customer": customer,
            "title": "MES phase 1",
            "amount": Decimal("800000"),
            "competitors": ["Acme"],
        },
    )
    # then it sits in lead intake with the customer's team and owners
    assert opportunity.stage == Stage.LEAD_INTAKE
    assert (opportunity.team, opportunity.sales_owner, opportunity.presales_owner) == (
        team,
        customer.owner,
        engineer,
    )
    assert StageChange.objects.count() == 0


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"stage": Stage.HANDOFF}, "stage"),
        ({"closed_at": "2026-01-01"}, "closed_at"),
        ({"amount": Decimal("-1")}, "__all__"),
        ({"title": ""}, "title"),
        ({"competitors": 42}, "competitors"),
    ],
)
def test_creation_refuses_bad_input_and_the_stage(engineer, team, data, field):
    # given a visible customer
    customer = CustomerFactory(team=team)
    # when an opportunity is created with a stage or bad values
    with pytest.raises(DomainError) as bad:
        opportunity_create(actor=engineer, data={"customer": customer, "title": "X", **data})
    # then the field says why and nothing was created
    assert field in bad.value.fields
    assert not Opportunity.objects.exists()


def test_creation_on_an_invisible_customer_is_refused(engineer, other_team):
    customer = CustomerFactory(team=other_team)
    with pytest.raises(DomainError) as bad:
        opportunity_create(actor=engineer, data={"customer": customer, "title": "X"})
    assert "customer" in bad.value.fields
    assert not Opportunity.objects.exists()


@pytest.mark.parametrize("role", [None, Role.LEGAL, Role.DEPARTMENT_HEAD])
def test_creation_needs_a_writer_role(make_user, team, role):
    actor = make_user(*([role] if role else []), team=team)
    customer = CustomerFactory(team=team)
    with pytest.raises(NotAllowed):
        opportunity_create(actor=actor, data={"customer": customer, "title": "X"})


def test_competitors_are_cleaned():
    assert clean_competitors(" Acme，Beta\nAcme , ") == ["Acme", "Beta"]
    assert clean_competitors(["Acme", " Acme ", ""]) == ["Acme"]
    assert clean_competitors(None) == []


# --- edits -------------------------------------------------------------------------------


def test_update_never_writes_the_stage_R_OPP_3(engineer, team):
    # given an opportunity in solution
    opportunity = OpportunityFactory(team=team, stage=Stage.SOLUTION)
    before = opportunity.history.count()
    # when an edit tries to set the stage
    with pytest.raises(DomainError) as bad:
        opportunity_update(
            actor=engineer, opportunity=opportunity, data={"title": "New", "stage": Stage.HANDOFF}
        )
    # then it is refused on the field, and nothing changed
    assert bad.value.fields == {"stage": ["This field cannot be set here."]}
    opportunity.refresh_from_db()
    assert (opportunity.stage, opportunity.title == "New", opportunity.history.count()) == (
        Stage.SOLUTION,
        False,
        before,
    )


def test_update_changes_facts_with_the_actor_in_the_audit(engineer, team):
    opportunity = OpportunityFactory(team=team)
    updated = opportunity_update(
        actor=engineer, opportunity=opportunity, data={"amount": Decimal("2000000"), "has_tender": True}
    )
    assert (updated.amount, updated.has_tender) == (Decimal("2000000"), True)
    assert updated.history.first().history_user == engineer


def test_closed_opportunities_cannot_be_edited(engineer, team):
    opportunity = OpportunityFactory(team=team, stage=Stage.LOST, close_reason="price")
    with pytest.raises(Conflict):
        opportunity_update(actor=engineer, opportunity=opportunity, data={"title": "Again"})


@pytest.mark.parametrize("stage", [Stage.BID, Stage.CONTRACT])
def test_the_tender_decision_is_fixed_after_the_bid_decision(engineer, team, stage):
    opportunity = OpportunityFactory(team=team, stage=stage, has_tender=True)
    with pytest.raises(DomainError) as bad:
        opportunity_update(actor=engineer, opportunity=opportunity, data={"has_tender": False})
    assert "has_tender" in bad.value.fields
    assert Opportunity.objects.get(pk=opportunity.pk).has_tender is True


def test_update_refuses_other_teams_and_moving_out_of_scope(engineer, other_engineer, team, other_team):
    opportunity = OpportunityFactory(team=team)
    with pytest.raises(NotAllowed):
        opportunity_update(actor=other_engineer, opportunity=opportunity, data={"title": "Mine now"})
    # the engineer cannot hand the opportunity to a team they are not on (400 on the team)
    with pytest.raises(DomainError) as refused:
        opportunity_update(
            actor=engineer,
            opportunity=opportunity,
            data={"team": other_team, "presales_owner": other_engineer},
        )
    assert refused.value.status_code == 400
    assert list(refused.value.fields) == ["team"]
    assert Opportunity.objects.get(pk=opportunity.pk).team == team


def test_owner_change_follows_on_the_formed_team_R_OPP_2(engineer, make_user, team):
    # given a formed project team
    opportunity = OpportunityFactory(team=team, presales_owner=engineer)
    ProjectMemberFactory(opportunity=opportunity, user=engineer, role=ProjectRole.PRESALES_OWNER)
    newcomer = make_user(Role.PRESALES_ENGINEER, team=team)
    # when the presales owner changes
    opportunity_update(actor=engineer, opportunity=opportunity, data={"presales_owner": newcomer})
    # then the team's presales owner follows
    assert list(ProjectMember.objects.filter(opportunity=opportunity).values_list("user", "role")) == [
        (newcomer.pk, ProjectRole.PRESALES_OWNER)
    ]


# --- R-CUST-6: the people on the customer's opportunities see the customer ----------------


def test_people_on_an_opportunity_see_its_customer_R_CUST_6(engineer, make_user, team, other_team):
    # given a customer of another team, and an opportunity on it
    customer = CustomerFactory(team=other_team)
    opportunity = OpportunityFactory(team=other_team, customer=customer)
    outsider = make_user(Role.PRESALES_ENGINEER, team=team)
    assert not Customer.objects.visible_to(engineer).filter(pk=customer.pk).exists()
    # when the engineer joins the project team (and the outsider does not)
    ProjectMemberFactory(opportunity=opportunity, user=engineer)
    # then the engineer sees the customer and its contact details; the outsider does not
    assert Customer.objects.visible_to(engineer).filter(pk=customer.pk).exists()
    assert not Customer.objects.visible_to(outsider).filter(pk=customer.pk).exists()
    assert Opportunity.objects.visible_to(engineer).filter(pk=opportunity.pk).exists()


# --- the initiation request (R-OPP-2) ----------------------------------------------------


def _request(**overrides) -> dict:
    return {
        "background": "500 staff, ¥100M revenue, two production lines.",
        "sales_strategy": "Lead with production efficiency.",
        "expected_goals": "Win phase 1.",
        **overrides,
    }


def test_initiation_draft_with_proposed_team_R_OPP_2(engineer, make_user, team):
    # given an opportunity and an R&D expert
    opportunity = OpportunityFactory(team=team)
    expert = make_user(Role.DEPARTMENT_HEAD, team=team)
    # when the engineer writes the request with the expert on the team
    initiation = initiation_save(
        actor=engineer,
        opportunity=opportunity,
        data=_request(),
        team=[{"user": expert, "role": ProjectRole.TECHNICAL_EXPERT, "responsibility": "MES interfaces"}],
    )
    # then a draft at revision 1 holds the facts and the proposal
    assert (initiation.status, initiation.revision) == (InitiationStatus.DRAFT, 1)
    assert [(m.user, m.role) for m in initiation.proposed_members.all()] == [
        (expert, ProjectRole.TECHNICAL_EXPERT)
    ]
    # and a change raises the revision, a save without change does not
    initiation_save(
        actor=engineer, opportunity=opportunity, data=_request(expected_goals="Win phases 1 and 2.")
    )
    initiation_save(
        actor=engineer, opportunity=opportunity, data=_request(expected_goals="Win phases 1 and 2.")
    )
    assert ProjectInitiation.objects.get(pk=initiation.pk).revision == 2


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"role": ProjectRole.PRESALES_OWNER}, "the owners join the team with their roles"),
        ({"role": "boss"}, "Choose the role"),
    ],
)
def test_initiation_team_rules_R_OPP_2(engineer, make_user, team, row, message):
    opportunity = OpportunityFactory(team=team)
    person = make_user(Role.PRESALES_ENGINEER, team=team)
    with pytest.raises(DomainError) as bad:
        initiation_save(
            actor=engineer, opportunity=opportunity, data=_request(), team=[{"user": person, **row}]
        )
    assert message in bad.value.fields["team"][0]
    assert not ProjectInitiation.objects.exists()


def test_initiation_team_names_each_person_once_and_not_the_owners(engineer, make_user, team):
    opportunity = OpportunityFactory(team=team, presales_owner=engineer)
    person = make_user(Role.PRESALES_ENGINEER, team=team)
    rows = [
        {"user": person, "role": ProjectRole.PRESALES_ENGINEER},
        {"user": person, "role": ProjectRole.DELIVERY},
        {"user": engineer, "role": ProjectRole.DELIVERY},
    ]
    with pytest.raises(DomainError) as bad:
        initiation_save(actor=engineer, opportunity=opportunity, data=_request(), team=rows)
    assert len(bad.value.fields["team"]) == 2


def test_initiation_needs_its_three_parts(engineer, team):
    opportunity = OpportunityFactory(team=team)
    with pytest.raises(DomainError) as bad:
        initiation_save(actor=engineer, opportunity=opportunity, data=_request(sales_strategy=" "))
    assert "sales_strategy" in bad.value.fields
    assert not ProjectInitiation.objects.exists()


@pytest.mark.parametrize("status", [InitiationStatus.IN_REVIEW, InitiationStatus.APPROVED])
def test_initiation_in_review_or_approved_does_not_change_R_REV_5(engineer, team, status):
    initiation = ProjectInitiationFactory(opportunity__team=team, status=status)
    with pytest.raises(Conflict):
        initiation_save(
            actor=engineer, opportunity=initiation.opportunity, data=_request(expected_goals="More")
        )
    initiation.refresh_from_db()
    assert initiation.expected_goals != "More"


def test_initiation_only_by_people_who_work_the_opportunity(other_engineer, team):
    opportunity = OpportunityFactory(team=team)
    with pytest.raises(NotAllowed):
        initiation_save(actor=other_engineer, opportunity=opportunity, data=_request())
    assert not ProjectInitiation.objects.exists()
