"""Issue 9: a project membership carries its opportunity's customer, kept by the database,
so "the customers of my projects" (R-CUST-6) is one index range at any size."""

import pytest

from leads.models import Customer
from opportunities.models import Opportunity, ProjectMember
from tests.factories import CustomerFactory, OpportunityFactory, UserFactory

pytestmark = pytest.mark.django_db


def _member_customer(member: ProjectMember) -> int | None:
    return ProjectMember.objects.values_list("customer_id", flat=True).get(pk=member.pk)


def test_issue_9_a_new_membership_takes_its_opportunitys_customer_whoever_writes_it(team):
    opportunity = OpportunityFactory(team=team)
    person = UserFactory(team=team)
    single = ProjectMember.objects.create(opportunity=opportunity, user=person, role="presales_engineer")
    [bulk] = ProjectMember.objects.bulk_create(
        [ProjectMember(opportunity=opportunity, user=UserFactory(team=team), role="technical_expert")]
    )
    assert _member_customer(single) == _member_customer(bulk) == opportunity.customer_id


def test_issue_9_a_membership_cannot_be_pointed_at_another_customer(team):
    opportunity = OpportunityFactory(team=team)
    member = ProjectMember.objects.create(
        opportunity=opportunity, user=UserFactory(team=team), role="sales_owner"
    )
    other = CustomerFactory(team=team)
    ProjectMember.objects.filter(pk=member.pk).update(customer_id=other.pk)
    assert _member_customer(member) == opportunity.customer_id


def test_issue_9_memberships_follow_their_opportunity_to_another_customer(team):
    opportunity = OpportunityFactory(team=team)
    members = [
        ProjectMember.objects.create(
            opportunity=opportunity, user=UserFactory(team=team), role="presales_engineer"
        )
        for _ in range(2)
    ]
    bystander = ProjectMember.objects.create(
        opportunity=OpportunityFactory(team=team), user=UserFactory(team=team), role="presales_engineer"
    )
    before = _member_customer(bystander)
    other = CustomerFactory(team=team)
    Opportunity.objects.filter(pk=opportunity.pk).update(customer=other)
    assert [_member_customer(m) for m in members] == [other.pk, other.pk]
    assert _member_customer(bystander) == before


def test_issue_9_a_project_member_sees_the_customer_and_loses_it_when_the_deal_moves(team, other_team):
    # R-CUST-6: someone from another team on the project team sees the deal's customer.
    opportunity = OpportunityFactory(team=team)
    outsider = UserFactory(team=other_team, roles=["presales_engineer"])
    ProjectMember.objects.create(opportunity=opportunity, user=outsider, role="technical_expert")
    assert Customer.objects.visible_to(outsider).filter(pk=opportunity.customer_id).exists()
    first = opportunity.customer_id
    other = CustomerFactory(team=team)
    Opportunity.objects.filter(pk=opportunity.pk).update(customer=other)
    visible = set(Customer.objects.visible_to(outsider).values_list("pk", flat=True))
    assert other.pk in visible and first not in visible
