"""Issue 9: the visibility predicate, rewritten to scale, keeps R-CUST-6 exactly.

The rewritten ``visible_to`` of customers, contacts, communication records, leads and
opportunities is compared with the predicate it replaced (kept here as the oracle) for
every kind of person, with and without a team (the two shapes of
``presales.core.scoping.personal_q``); and the ways of being on a customer are checked one
by one, including losing them.
"""

from __future__ import annotations

import pytest
from django.db.models import Q

from leads.models import CommunicationRecord, Contact, Customer, Lead
from opportunities.models import Opportunity, ProjectInitiation, ProjectMember
from opportunities.review_subjects import _visible_to as initiations_visible_to
from presales.accounts.models import User
from presales.core.roles import Role, Scope, scope_of
from tests.factories import (
    CommunicationFactory,
    ContactFactory,
    CustomerFactory,
    CustomerPresalesFactory,
    LeadFactory,
    OpportunityFactory,
    ProjectInitiationFactory,
    ProjectMemberFactory,
    TeamFactory,
    UserFactory,
)


def fresh(user: User) -> User:
    """The user as the next request loads it (``team_ids`` is cached per instance)."""
    return User.objects.get(pk=user.pk)


# --- the predicate issue 9 replaced, as the oracle ----------------------------------------


def old_customers(user):
    scope = scope_of(user)
    if scope == Scope.ALL:
        return Customer.objects.all()
    if scope is None:
        return Customer.objects.none()
    return old_close_customers(user)


def old_close_customers(user):
    """The customers the user is close to: team or personally on them."""
    return Customer.objects.filter(
        Q(team__in=list(user.team_ids))
        | Q(owner=user.pk)
        | Q(presales_assignments__user=user.pk)
        | Q(
            pk__in=Customer.objects.filter(
                Q(opportunities__sales_owner_id=user.pk)
                | Q(opportunities__presales_owner_id=user.pk)
                | Q(opportunities__members__user_id=user.pk)
            ).values("pk")
        )
    ).distinct()


def old_leads(user):
    scope = scope_of(user)
    if scope == Scope.ALL:
        return Lead.objects.all()
    if scope is None:
        return Lead.objects.none()
    return Lead.objects.filter(Q(team__in=list(user.team_ids)) | Q(owner=user.pk) | Q(presales_owner=user.pk))


def old_opportunities(user):
    scope = scope_of(user)
    if scope == Scope.ALL:
        return Opportunity.objects.all()
    if scope is None:
        return Opportunity.objects.none()
    return Opportunity.objects.filter(
        Q(team__in=list(user.team_ids))
        | Q(sales_owner=user.pk)
        | Q(presales_owner=user.pk)
        | Q(pk__in=ProjectMember.objects.filter(user_id=user.pk).values("opportunity_id"))
    )


def ids(queryset) -> set[int]:
    return set(queryset.values_list("pk", flat=True))


@pytest.fixture
def world(db):
    """Two teams with customers, contacts, leads, records and opportunities, and people
    related to them in every way R-CUST-6 names."""
    east, west, north = TeamFactory(name="East"), TeamFactory(name="West"), TeamFactory(name="North")
    people = {
        "east_engineer": UserFactory(roles=[Role.PRESALES_ENGINEER], team=east),
        "west_rep": UserFactory(roles=[Role.SALES_REP], team=west),
        "loner": UserFactory(roles=[Role.PRESALES_ENGINEER], team=None),
        "loner_rep": UserFactory(roles=[Role.SALES_REP], team=None),
        "head": UserFactory(roles=[Role.DEPARTMENT_HEAD], team=None),
        "north_manager": UserFactory(roles=[Role.SALES_MANAGER], team=north),
        "legal": UserFactory(roles=[Role.LEGAL], team=None),
        "nobody": UserFactory(roles=[], team=east),
    }
    east.manager = west.manager = people["head"]
    east.save()
    west.save()
    customers = [CustomerFactory(team=team) for team in (east, west, west, west, north, north)]
    for customer in customers:
        ContactFactory(customer=customer)
        CommunicationFactory(customer=customer, lead=None)
    leads = [LeadFactory(team=team) for team in (east, west, north)]
    leads.append(LeadFactory(team=west, owner=people["loner_rep"]))
    leads.append(LeadFactory(team=north, presales_owner=people["loner"]))
    for lead in leads:
        CommunicationFactory(lead=lead, customer=None)
    # The ways of being personally on another team's customer:
    CustomerPresalesFactory(customer=customers[1], user=people["loner"], is_primary=True)
    OpportunityFactory(customer=customers[2], team=west, sales_owner=people["loner_rep"])
    OpportunityFactory(customer=customers[3], team=west, presales_owner=people["loner"])
    member_of = OpportunityFactory(customer=customers[4], team=north)
    ProjectMemberFactory(opportunity=member_of, user=people["east_engineer"])
    ProjectMemberFactory(opportunity=member_of, user=people["loner"])
    ProjectMemberFactory(opportunity=member_of, user=people["legal"])
    # An opportunity filed under another team than its customer's.
    OpportunityFactory(customer=customers[5], team=east)
    for opportunity in Opportunity.objects.all():
        ProjectInitiationFactory(opportunity=opportunity)
    return {"people": people, "customers": customers, "leads": leads, "member_of": member_of}


PEOPLE = ["east_engineer", "west_rep", "loner", "loner_rep", "head", "north_manager", "legal", "nobody"]


@pytest.mark.parametrize("who", PEOPLE)
def test_visible_to_is_the_predicate_it_replaced_r_cust_6_issue_9(world, who):
    user = fresh(world["people"][who])
    customers = ids(old_customers(user))
    leads = ids(old_leads(user))
    assert ids(Customer.objects.visible_to(user)) == customers
    assert ids(Contact.objects.visible_to(user)) == ids(Contact.objects.filter(customer__in=customers))
    assert ids(CommunicationRecord.objects.visible_to(user)) == ids(
        CommunicationRecord.objects.filter(Q(customer__in=customers) | Q(lead__in=leads))
    )
    assert ids(Lead.objects.visible_to(user)) == leads
    assert ids(Opportunity.objects.visible_to(user)) == ids(old_opportunities(user))
    # A row attached to an opportunity, through the opportunity's pieces (review subjects).
    assert ids(initiations_visible_to(user)) == ids(
        ProjectInitiation.objects.filter(opportunity__in=old_opportunities(user))
    )
    # Close to (contact details unmasked, R-CUST-6): the same pieces.
    if scope_of(user) == Scope.ALL:
        assert ids(Customer.objects.with_contact_access(user).filter(contact_access=True)) == ids(
            old_close_customers(user)
        )


def test_a_person_on_a_project_sees_its_customer_and_its_records_until_removed_r_cust_6_issue_9(world):
    """Seen only through a project membership (another team's customer): the customer, its
    contacts and its communication records; removed from the project team, none of them."""
    customer = world["customers"][4]
    for who in ("east_engineer", "loner"):  # with a team, and without
        user = fresh(world["people"][who])
        assert Customer.objects.visible_to(user).filter(pk=customer.pk).exists()
        assert Contact.objects.visible_to(user).filter(customer=customer).exists()
        assert CommunicationRecord.objects.visible_to(user).filter(customer=customer).exists()
        ProjectMember.objects.filter(opportunity=world["member_of"], user=user).delete()
        user = fresh(user)
        assert not Customer.objects.visible_to(user).filter(pk=customer.pk).exists()
        assert not Contact.objects.visible_to(user).filter(customer=customer).exists()
        assert not CommunicationRecord.objects.visible_to(user).filter(customer=customer).exists()


def test_someone_who_leaves_the_team_no_longer_sees_its_records_r_cust_6_issue_9(world):
    user = world["people"]["east_engineer"]
    east_customer = world["customers"][0]
    east_lead = world["leads"][0]
    assert Contact.objects.visible_to(fresh(user)).filter(customer=east_customer).exists()
    assert CommunicationRecord.objects.visible_to(fresh(user)).filter(lead=east_lead).exists()
    user.team = TeamFactory(name="South")
    user.save()
    user = fresh(user)
    assert not Customer.objects.visible_to(user).filter(pk=east_customer.pk).exists()
    assert not Contact.objects.visible_to(user).filter(customer=east_customer).exists()
    assert not CommunicationRecord.objects.visible_to(user).filter(customer=east_customer).exists()
    assert not CommunicationRecord.objects.visible_to(user).filter(lead=east_lead).exists()
    assert not Opportunity.objects.visible_to(user).filter(team=east_customer.team).exists()


def test_a_person_without_a_team_sees_exactly_the_records_naming_them_r_cust_6_issue_9(world):
    """The sparse shape (no team): every way of being on a customer or a lead, nothing else."""
    loner = fresh(world["people"]["loner"])
    customers = world["customers"]
    # Assigned presales on [1], presales owner of an opportunity of [3], member of one of [4].
    assert ids(Customer.objects.visible_to(loner)) == {customers[1].pk, customers[3].pk, customers[4].pk}
    assert ids(Lead.objects.visible_to(loner)) == {world["leads"][4].pk}
    rep = fresh(world["people"]["loner_rep"])
    # Sales owner of an opportunity of [2]; owner of a lead.
    assert ids(Customer.objects.visible_to(rep)) == {customers[2].pk}
    assert ids(CommunicationRecord.objects.visible_to(rep)) == ids(
        CommunicationRecord.objects.filter(Q(customer=customers[2]) | Q(lead=world["leads"][3]))
    )
