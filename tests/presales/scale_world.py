"""A small "world" whose size can be chosen, for the constant-query tests of issue 9: every
list and detail is measured at two sizes, and its query count must not change.

Each unit of size adds, in the team of ``engineer``: a customer (its own sales owner, a
presales person, a contact, a communication by another author with a follow-up timer owned
by the engineer, a change in its history), a lead (its own owner, a first-contact timer of
the engineer), an opportunity (its own owners, three project members, a timer), a review
with a pending task of the engineer's, an export job and a notification of the engineer's;
the opportunity given also gains a solution version (section, quote line, answered
requirement), a demo and a trial request (its desk's tabs grow, issue 10).
Every row names different people, so a per-row fetch of a person shows up as a count that
grows with the size.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from leads.models import CommunicationRecord, Customer, Lead
from opportunities.models import Opportunity
from presales.core.roles import Role
from presales.sla.models import Timer
from reviews.models import Review, ReviewChain, ReviewTask
from tests.factories import (
    CommunicationFactory,
    ContactFactory,
    CustomerFactory,
    CustomerPresalesFactory,
    ExportJobFactory,
    LeadFactory,
    NotificationFactory,
    OpportunityFactory,
    ProjectMemberFactory,
    ReviewChainFactory,
    UserFactory,
)
from tests.proposals.solutions.factories import grow_solution


def _timer(kind: str, subject, owner, team, *, due_in: timedelta) -> Timer:
    now = timezone.now()
    return Timer.objects.create(
        kind=kind,
        subject_type=ContentType.objects.get_for_model(type(subject)),
        subject_id=subject.pk,
        owner=owner,
        team=team,
        started_at=now - timedelta(days=1),
        due_at=now + due_in,
        policy={},
        policy_version=1,
    )


def _demo_and_trial(opportunity, engineer, contact) -> None:
    """A demo (attendees, agenda naming a requirement) and a trial request (R-DEMO-1, R-DEMO-3)."""
    from proposals.models import DemoAgendaItem
    from tests.proposals.demos.factories import DemoFactory, RequirementFactory, TrialRequestFactory

    demo = DemoFactory(team=opportunity.team, owner=engineer, opportunity=opportunity)
    demo.our_attendees.add(engineer, UserFactory(roles=[Role.PRESALES_ENGINEER], team=opportunity.team))
    demo.customer_attendees.add(contact)
    item = DemoAgendaItem.objects.create(demo=demo, text="能耗監測看板")
    # numbered after the opportunity's requirements (each area's factory has its own sequence)
    last = opportunity.requirements.order_by("-number").values_list("number", flat=True).first() or 0
    item.requirements.add(RequirementFactory(opportunity=opportunity, number=last + 1))
    TrialRequestFactory(team=opportunity.team, owner=engineer, opportunity=opportunity)


def _contract(opportunity: Opportunity, engineer) -> None:
    """A draft contract with two lines on the opportunity's version (R-CON-1, R-CON-2)."""
    from decimal import Decimal

    from bids.models import Contract, ContractLine
    from proposals.models import SolutionVersion

    version = SolutionVersion.objects.filter(solution__opportunity=opportunity).first()
    contract = Contract.objects.create(
        opportunity=opportunity,
        solution_version=version,
        title="供货合同",
        party_customer=str(opportunity.customer),
        party_company="Our company",
        created_by=engineer,
    )
    for position in range(2):
        ContractLine.objects.create(
            contract=contract,
            position=position,
            item=f"Energy meter {position}",
            quantity=Decimal("1"),
            unit_price=Decimal("100.00"),
            price_excl=Decimal("100.00"),
            tax=Decimal("13.00"),
            price_incl=Decimal("113.00"),
        )


def _bid_records(opportunity, author) -> None:
    """A bid decision, a tender and a bid (issue 11, R-BID-1, R-BID-5, R-REV-3)."""
    from bids.models import Bid, BidDecision, Tender

    BidDecision.objects.create(opportunity=opportunity, analysis="評分辦法", strategy="技術優先")
    deadline = timezone.now() + timedelta(days=10)
    Tender.objects.create(
        opportunity=opportunity,
        issuer="採購中心",
        number=f"ZB-{opportunity.pk}",
        submission_deadline=deadline,
    )
    Bid.objects.create(opportunity=opportunity, summary="投標文件", created_by=author)


def _tender_document(opportunity, author, i: int) -> None:
    """The desk's bids tab grows: one more required document (its tender made once)."""
    from bids.models import Tender, TenderDocument

    if not Tender.objects.filter(opportunity=opportunity).exists():
        _bid_records(opportunity, author)
    TenderDocument.objects.create(tender=opportunity.tender, name=f"資格文件 {i}")


def grow(
    engineer,
    n: int,
    *,
    customer: Customer | None = None,
    lead: Lead | None = None,
    opportunity: Opportunity | None = None,
) -> None:
    """Add ``n`` units of everything to the world of ``engineer`` (a presales engineer of a
    team with a manager); with ``customer``, ``lead`` or ``opportunity``, also ``n``
    communications, changes and project members on those (their detail pages grow)."""
    team = engineer.team
    chain = ReviewChain.objects.filter(kind="initiation", is_active=True).first() or ReviewChainFactory(
        kind="initiation"
    )
    lead_type = ContentType.objects.get_for_model(Lead)
    for i in range(n):

        def due(minutes: int, i: int = i) -> timedelta:
            # A unit's three timers fall due together, half the units overdue: a first page
            # of timers holds every kind whatever the size.
            return timedelta(hours=2 * (i - n // 2), minutes=minutes)

        person = UserFactory(roles=[Role.SALES_REP], team=team)
        cust = CustomerFactory(team=team, owner=person)
        CustomerPresalesFactory(customer=cust, user=UserFactory(roles=[Role.PRESALES_ENGINEER], team=team))
        contact = ContactFactory(customer=cust)
        comm = CommunicationFactory(
            customer=cust,
            contact=contact,
            author=UserFactory(roles=[Role.PRESALES_ENGINEER], team=team),
            next_step="Send the quote",
            next_step_due_at=timezone.now() + timedelta(days=3),
        )
        _timer("communication_follow_up", comm, engineer, team, due_in=due(0))
        cust.region = "Beijing"
        cust._history_user = person
        cust.save()
        lead = LeadFactory(team=team, owner=UserFactory(roles=[Role.SALES_REP], team=team), customer=cust)
        _timer("lead_first_contact", lead, engineer, team, due_in=due(1))
        opp = OpportunityFactory(team=team, customer=cust, presales_owner=engineer)
        for _k in range(3):
            ProjectMemberFactory(opportunity=opp, user=UserFactory(roles=[Role.PRESALES_ENGINEER], team=team))
        grow_solution(opp, engineer)
        _demo_and_trial(opp, engineer, contact)
        _contract(opp, engineer)
        _bid_records(opp, person)
        review = Review.objects.create(
            content_type=lead_type,
            object_id=lead.pk,
            kind="initiation",
            chain=chain,
            author=person,
            started_by=person,
            team=team,
            subject_summary=f"Subject {i}",
            current_step_order=1,
        )
        task = ReviewTask.objects.create(
            review=review, step_order=1, step_name="Step", mode="all", approver=engineer, state="pending"
        )
        _timer("review_step", task, engineer, team, due_in=due(2))
        ExportJobFactory(user=engineer)
        NotificationFactory(recipient=engineer)
        if customer is not None:
            extra = CommunicationFactory(
                customer=customer, author=UserFactory(roles=[Role.PRESALES_ENGINEER], team=team)
            )
            _timer("communication_follow_up", extra, engineer, team, due_in=timedelta(days=1))
            customer.employees = 500 + i
            customer._history_user = person
            customer.save()
        if lead is not None:
            CommunicationFactory(
                customer=None, lead=lead, author=UserFactory(roles=[Role.PRESALES_ENGINEER], team=team)
            )
            lead.contact_title = f"CIO {i}"
            lead._history_user = person
            lead.save()
        if opportunity is not None:
            # the desk's needs, solutions, demos, reviews and timers tabs grow too (issue 10)
            grow_solution(opportunity, engineer)
            _demo_and_trial(opportunity, engineer, ContactFactory(customer=opportunity.customer))
            _tender_document(opportunity, person, i)
            ProjectMemberFactory(
                opportunity=opportunity, user=UserFactory(roles=[Role.PRESALES_ENGINEER], team=team)
            )
            opportunity.sales_owner = UserFactory(roles=[Role.SALES_REP], team=team)
            opportunity._history_user = person
            opportunity.save()
    assert CommunicationRecord.objects.exists()
