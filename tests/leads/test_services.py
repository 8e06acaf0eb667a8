"""Services of the leads app against the real database: rules, gates, permissions, audit.

Each refusal is checked to have changed nothing (services are atomic).
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from leads import services
from leads.choices import (
    Channel,
    DisqualifyReason,
    FirstContactState,
    Grade,
    Industry,
    LeadSource,
    LeadStatus,
    SizeClass,
)
from leads.models import CommunicationRecord, Contact, Customer, CustomerPresales, Lead, MergeRecord, NeedTag
from presales.core.audit import history_entries
from presales.core.errors import Conflict, DomainError, GateRefused, NotAllowed
from presales.core.roles import Role
from tests.factories import (
    CommunicationFactory,
    ContactFactory,
    CustomerFactory,
    CustomerPresalesFactory,
    LeadFactory,
    TeamFactory,
)

pytestmark = pytest.mark.django_db

EVALUATION = {
    "background": "Plant expansion in 2025.",
    "needs": "MES for two production lines.",
    "budget": "About 3M CNY approved.",
    "competition": "One local vendor.",
    "timeline": "Tender in Q3.",
}


def customer_data(team, **overrides):
    data = {"name": "华东精密制造有限公司", "industry": Industry.MANUFACTURING, "team": team}
    data.update(overrides)
    return data


def lead_data(**overrides):
    data = {
        "source": LeadSource.TRADE_SHOW,
        "company_name": "Nanjing Robotics Co., Ltd.",
        "contact_name": "Li Wei",
        "contact_title": "CIO",
        "phone": "+86 139 0000 1111",
        "email": "li.wei@nanjing-robotics.example",
        "industry": Industry.MANUFACTURING,
        "initial_needs": "Line monitoring.",
    }
    data.update(overrides)
    return data


@pytest.fixture
def presales_engineer_b(make_user, team):
    return make_user(Role.PRESALES_ENGINEER, team=team, username="engineer_b")


@pytest.fixture
def remote_manager(make_user, team):
    """Manages ``team`` while belonging to another team (sees the team by management)."""
    user = make_user(Role.PRESALES_MANAGER, team=TeamFactory(name="Head office"), username="remote_manager")
    team.manager = user
    team.save()
    return user


# --- customers: create, update, grade, size (R-CUST-1, R-CUST-2, R-CUST-4) ----------------------


@pytest.mark.parametrize(
    ("fit", "value", "grade"),
    [(5, 5, Grade.A), (4, 4, Grade.A), (3, 5, Grade.B), (3, 3, Grade.B), (2, 4, Grade.C), (1, 1, Grade.C)],
)
def test_grade_follows_fit_times_value_r_cust_2(engineer, team, fit, value, grade):
    # when a customer is created with fit and value scores
    customer = services.customer_create(
        actor=engineer, data=customer_data(team, fit_score=fit, value_score=value)
    )
    # then the grade is derived from fit × value and the grading is dated
    assert customer.grade == grade
    assert customer.graded_at is not None


def test_grade_override_needs_a_reason_r_cust_2(engineer, team):
    # when the grade is set to A although fit × value gives C, without a reason
    with pytest.raises(DomainError) as refused:
        services.customer_create(
            actor=engineer, data=customer_data(team, fit_score=1, value_score=2, grade=Grade.A)
        )
    # then the reason is asked for and nothing is saved
    assert "grade_reason" in refused.value.fields
    assert not Customer.objects.exists()

    # when the same override comes with a reason
    customer = services.customer_create(
        actor=engineer,
        data=customer_data(
            team, fit_score=1, value_score=2, grade=Grade.A, grade_reason="Strategic reference account."
        ),
    )
    # then the override stands
    assert customer.grade == Grade.A


def test_grade_is_recomputed_when_scores_change_r_cust_2(engineer, team):
    # given a B customer
    customer = services.customer_create(actor=engineer, data=customer_data(team))
    assert customer.grade == Grade.B
    # when fit and value rise
    customer = services.customer_update(
        actor=engineer, customer=customer, data={"fit_score": 5, "value_score": 4}
    )
    # then the grade follows
    assert customer.grade == Grade.A
    assert Customer.objects.get().grade == Grade.A


@pytest.mark.parametrize(
    ("employees", "revenue", "size"),
    [
        (1000, None, SizeClass.LARGE),
        (10, Decimal("500000000"), SizeClass.LARGE),
        (99, Decimal("19999999.99"), SizeClass.SMALL),
        (None, None, SizeClass.SMALL),
        (100, Decimal(0), SizeClass.MEDIUM),
        (50, Decimal("20000000"), SizeClass.MEDIUM),
    ],
)
def test_size_class_from_staff_and_revenue_r_cust_4(engineer, team, employees, revenue, size):
    customer = services.customer_create(
        actor=engineer, data=customer_data(team, employees=employees, annual_revenue=revenue)
    )
    assert customer.size_class == size


def test_size_class_follows_new_facts_unless_set_r_cust_4(engineer, team):
    # given a small customer
    customer = services.customer_create(actor=engineer, data=customer_data(team, employees=20))
    assert customer.size_class == SizeClass.SMALL
    # when its staff grows past 1000, the class follows
    customer = services.customer_update(actor=engineer, customer=customer, data={"employees": 1500})
    assert customer.size_class == SizeClass.LARGE
    # when the class is set explicitly together with the facts, the explicit class stands
    customer = services.customer_update(
        actor=engineer, customer=customer, data={"employees": 1600, "size_class": SizeClass.MEDIUM}
    )
    assert customer.size_class == SizeClass.MEDIUM


def test_customer_create_defaults_team_and_owner_to_the_actor_r_cust_1(sales_rep, engineer, team):
    customer = services.customer_create(
        actor=sales_rep,
        data={"name": "Acme", "industry": Industry.ENERGY},
        need_tags=["降本", " 效率 ", ""],
        primary_presales=engineer,
    )
    assert customer.team == team
    assert customer.owner == sales_rep
    assert sorted(customer.need_tags.values_list("name", flat=True)) == ["效率", "降本"]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": ""}, "name"),
        ({"industry": "space_mining"}, "industry"),
        ({"annual_revenue": Decimal("-1")}, "annual_revenue"),
        ({"fit_score": 9}, "fit_score"),
        ({"website": "not a url"}, "website"),
        ({"name": "x" * 201}, "name"),
    ],
)
def test_customer_create_with_bad_input_names_the_field_and_saves_nothing_r_cust_1(
    engineer, team, data, field
):
    with pytest.raises(DomainError) as refused:
        services.customer_create(actor=engineer, data=customer_data(team, **data), need_tags=["降本"])
    assert field in refused.value.fields
    assert not Customer.objects.exists()
    assert not NeedTag.objects.exists()


def test_customer_update_with_bad_input_changes_nothing(engineer, team):
    customer = CustomerFactory(team=team, name="Acme")
    with pytest.raises(DomainError) as refused:
        services.customer_update(actor=engineer, customer=customer, data={"name": "Beta", "employees": -5})
    assert "employees" in refused.value.fields
    assert Customer.objects.get().name == "Acme"


def test_overlong_need_tag_is_refused(engineer, team):
    customer = CustomerFactory(team=team)
    with pytest.raises(DomainError) as refused:
        services.customer_update(actor=engineer, customer=customer, data={}, need_tags=["x" * 51])
    assert "need_tags" in refused.value.fields
    assert not NeedTag.objects.exists()


def test_unknown_field_is_refused_by_the_service(engineer, team):
    with pytest.raises(DomainError) as refused:
        services.customer_create(actor=engineer, data=customer_data(team, merged_into=None))
    assert "merged_into" in refused.value.fields


# --- permissions ---------------------------------------------------------------------------------


def test_writers_outside_the_team_cannot_change_a_customer_r_cust_6(other_engineer, team):
    customer = CustomerFactory(team=team, name="Acme")
    with pytest.raises(NotAllowed):
        services.customer_update(actor=other_engineer, customer=customer, data={"name": "Hijacked"})
    assert Customer.objects.get().name == "Acme"


@pytest.mark.parametrize("actor_fixture", ["general_manager", "no_role_user"])
def test_roles_that_do_not_write_cannot_create_customers(request, team, actor_fixture):
    actor = request.getfixturevalue(actor_fixture)
    with pytest.raises(NotAllowed):
        services.customer_create(actor=actor, data=customer_data(team))
    assert not Customer.objects.exists()


def test_manager_of_the_team_may_change_its_customers(remote_manager, team):
    customer = CustomerFactory(team=team, name="Acme")
    services.customer_update(actor=remote_manager, customer=customer, data={"region": "Suzhou"})
    assert Customer.objects.get().region == "Suzhou"


def test_a_writer_cannot_move_a_customer_out_of_their_sight(engineer, team, other_team):
    # given a customer of the engineer's team (the engineer is neither its owner nor assigned)
    customer = CustomerFactory(team=team)
    # when they move it to a team they are not on
    with pytest.raises(DomainError) as refused:
        services.customer_update(actor=engineer, customer=customer, data={"team": other_team})
    # then the move is refused on the team field (the team rule answers before the scope
    # check would roll it back) and nothing changed
    assert refused.value.status_code == 400
    assert refused.value.fields == {"team": ["Choose one of your teams."]}
    assert Customer.objects.get().team == team


def test_history_records_the_actor_and_the_change(engineer, team):
    # given a customer created by the engineer
    customer = services.customer_create(actor=engineer, data=customer_data(team, region="Shanghai"))
    # when they change the region
    services.customer_update(actor=engineer, customer=customer, data={"region": "Suzhou"})
    # then the latest history row names the engineer and holds before and after
    latest, created = customer.history.order_by("-history_id")[:2]
    assert latest.history_user == engineer
    assert created.history_user == engineer
    assert created.history_type == "+"
    changes = {c.field: (c.old, c.new) for c in latest.diff_against(created).changes}
    assert changes["region"] == ("Shanghai", "Suzhou")


# --- primary presales (R-CUST-5) -----------------------------------------------------------------


def test_exactly_one_primary_presales_the_service_swaps_r_cust_5(engineer, presales_engineer_b, team):
    # given a customer with the engineer as primary
    customer = services.customer_create(actor=engineer, data=customer_data(team), primary_presales=engineer)
    assert customer.primary_presales == engineer
    # when the other engineer becomes primary
    services.customer_set_primary_presales(actor=engineer, customer=customer, user=presales_engineer_b)
    # then there is exactly one primary and the former one assists
    rows = dict(CustomerPresales.objects.filter(customer=customer).values_list("user_id", "is_primary"))
    assert rows == {engineer.pk: False, presales_engineer_b.pk: True}
    assigned = CustomerPresales.objects.get(customer=customer, user=presales_engineer_b)
    assert assigned.history.first().history_user == engineer


def test_the_database_refuses_a_second_primary_r_cust_5(engineer, presales_engineer_b, team):
    customer = CustomerFactory(team=team)
    CustomerPresalesFactory(customer=customer, user=engineer, is_primary=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        CustomerPresales.objects.create(customer=customer, user=presales_engineer_b, is_primary=True)


def test_primary_presales_must_be_a_presales_engineer_r_cust_5(engineer, sales_rep, team):
    with pytest.raises(DomainError) as refused:
        services.customer_create(actor=engineer, data=customer_data(team), primary_presales=sales_rep)
    assert "primary_presales" in refused.value.fields
    assert not Customer.objects.exists()


def test_assistants_join_and_leave_but_the_primary_stays_r_cust_5(
    engineer, presales_engineer_b, sales_rep, team
):
    customer = services.customer_create(actor=engineer, data=customer_data(team), primary_presales=engineer)
    # an assistant joins (twice is harmless)
    services.customer_add_assistant(actor=engineer, customer=customer, user=presales_engineer_b)
    services.customer_add_assistant(actor=engineer, customer=customer, user=presales_engineer_b)
    assert CustomerPresales.objects.filter(customer=customer, is_primary=False).count() == 1
    # a sales rep cannot assist as presales
    with pytest.raises(DomainError):
        services.customer_add_assistant(actor=engineer, customer=customer, user=sales_rep)
    # the primary cannot simply be removed
    with pytest.raises(Conflict):
        services.customer_remove_presales(actor=engineer, customer=customer, user=engineer)
    # the assistant can
    services.customer_remove_presales(actor=engineer, customer=customer, user=presales_engineer_b)
    assert list(CustomerPresales.objects.filter(customer=customer).values_list("user_id", flat=True)) == [
        engineer.pk
    ]


# --- customer merge (R-LEAD-2) -------------------------------------------------------------------


def test_customer_merge_moves_everything_and_records_it_r_lead_2(
    engineer, presales_engineer_b, make_user, team
):
    # given a duplicate customer with a contact, a communication, a lead, presales people and tags
    third = make_user(Role.PRESALES_ENGINEER, team=team)
    target = CustomerFactory(team=team, name="Acme")
    CustomerPresalesFactory(customer=target, user=engineer, is_primary=True)
    source = CustomerFactory(team=team, name="ACME Shanghai Co., Ltd.")
    CustomerPresalesFactory(customer=source, user=presales_engineer_b, is_primary=True)
    CustomerPresalesFactory(customer=source, user=third, is_primary=False)
    CustomerPresalesFactory(customer=source, user=engineer, is_primary=False)
    source.need_tags.add(NeedTag.objects.create(name="降本"))
    contact = ContactFactory(customer=source)
    communication = CommunicationFactory(customer=source)
    lead = LeadFactory(team=team, customer=source)

    # when it is merged into the survivor
    record = services.customer_merge(actor=engineer, source=source, target=target)

    # then everything moved, the target keeps its one primary, and the merge is recorded
    contact.refresh_from_db()
    communication.refresh_from_db()
    lead.refresh_from_db()
    source.refresh_from_db()
    assert (contact.customer, communication.customer, lead.customer) == (target, target, target)
    assert source.merged_into == target
    assert list(target.need_tags.values_list("name", flat=True)) == ["降本"]
    people = dict(CustomerPresales.objects.filter(customer=target).values_list("user_id", "is_primary"))
    assert people == {engineer.pk: True, presales_engineer_b.pk: False, third.pk: False}
    assert record.kind == MergeRecord.Kind.CUSTOMER
    assert (record.source_id, record.target_id, record.actor) == (source.pk, target.pk, engineer)
    assert record.moved == {"contacts": 1, "communications": 1, "leads": 1, "presales": 2}

    # and the merged customer no longer changes
    with pytest.raises(Conflict):
        services.customer_update(actor=engineer, customer=source, data={"name": "again"})
    with pytest.raises(Conflict):
        services.contact_create(actor=engineer, customer=source, data={"name": "New"})


def test_customer_merge_writes_a_history_row_for_every_moved_record_r_lead_2(engineer, team):
    """R-LEAD-2: each contact, communication and lead moved by a merge shows, in its own audit
    trail, who moved it and from which customer to which."""
    # given a duplicate customer with two contacts, a communication and a lead
    target = CustomerFactory(team=team, name="Acme")
    source = CustomerFactory(team=team, name="ACME Shanghai Co., Ltd.")
    contacts = [ContactFactory(customer=source, name="Wang"), ContactFactory(customer=source, name="Li")]
    communication = CommunicationFactory(customer=source)
    lead = LeadFactory(team=team, customer=source)

    # when it is merged into the survivor
    services.customer_merge(actor=engineer, source=source, target=target)

    # then every moved row has a newest history row by the actor, from source to target
    for row in [*contacts, communication, lead]:
        latest = row.history.order_by("-history_date", "-history_id").first()
        previous = latest.prev_record
        assert (latest.history_type, latest.history_user) == ("~", engineer), row
        assert (previous.customer_id, latest.customer_id) == (source.pk, target.pk), row
    # and the audit display names the change on the survivor's page
    entries = history_entries(Contact.history.filter(customer_id=target.pk))
    moves = [(e.who, c.old, c.new) for e in entries for c in e.changes if c.field == "customer"]
    assert moves == [(engineer, str(source), str(target))] * 2


def test_customer_merge_gives_the_source_primary_to_a_survivor_without_one_r_cust_5(engineer, team):
    target = CustomerFactory(team=team)
    source = CustomerFactory(team=team)
    CustomerPresalesFactory(customer=source, user=engineer, is_primary=True)
    services.customer_merge(actor=engineer, source=source, target=target)
    assert Customer.objects.get(pk=target.pk).primary_presales == engineer


def test_customer_merge_refusals_change_nothing(engineer, other_engineer, team, other_team):
    own = CustomerFactory(team=team)
    foreign = CustomerFactory(team=other_team)
    ContactFactory(customer=own)
    with pytest.raises(DomainError):
        services.customer_merge(actor=engineer, source=own, target=own)
    with pytest.raises(NotAllowed):
        services.customer_merge(actor=engineer, source=own, target=foreign)
    with pytest.raises(NotAllowed):
        services.customer_merge(actor=other_engineer, source=own, target=foreign)
    assert not MergeRecord.objects.exists()
    assert Contact.objects.get().customer == own
    assert Customer.objects.filter(merged_into__isnull=False).count() == 0


# --- contacts (R-CUST-1) -------------------------------------------------------------------------


def test_contact_create_update_delete(engineer, team):
    customer = CustomerFactory(team=team)
    contact = services.contact_create(
        actor=engineer,
        customer=customer,
        data={"name": "Wang", "phone": "+86 138 0013 8000", "source": "business_card"},
    )
    assert contact.phone_normalized == "13800138000"
    services.contact_update(actor=engineer, contact=contact, data={"title": "CTO"})
    assert Contact.objects.get().title == "CTO"
    services.contact_delete(actor=engineer, contact=contact)
    assert not Contact.objects.exists()


def test_contact_refusals(engineer, other_engineer, team):
    customer = CustomerFactory(team=team)
    with pytest.raises(DomainError) as refused:
        services.contact_create(actor=engineer, customer=customer, data={"name": "Wang", "email": "nope"})
    assert "email" in refused.value.fields
    with pytest.raises(NotAllowed):
        services.contact_create(actor=other_engineer, customer=customer, data={"name": "Wang"})
    contact = ContactFactory(customer=customer, name="Wang")
    with pytest.raises(NotAllowed):
        services.contact_update(actor=other_engineer, contact=contact, data={"name": "Zhang"})
    with pytest.raises(NotAllowed):
        services.contact_delete(actor=other_engineer, contact=contact)
    assert list(Contact.objects.values_list("name", flat=True)) == ["Wang"]


# --- lead intake and duplicates (R-LEAD-1, R-LEAD-2) ---------------------------------------------


def test_lead_intake_sets_the_24_hour_first_contact_deadline_r_lead_1_r_lead_3(sales_rep, team):
    received = timezone.now() - timedelta(hours=2)
    lead = services.lead_create(actor=sales_rep, data=lead_data(received_at=received, budget=Decimal(300000)))
    assert lead.status == LeadStatus.NEW
    assert (lead.team, lead.owner) == (team, sales_rep)
    assert lead.first_contact_due_at == received + timedelta(hours=24)
    assert lead.first_contact_state == FirstContactState.DUE
    assert lead.history.get().history_user == sales_rep


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"company_name": ""}, "company_name"),
        ({"source": "carrier_pigeon"}, "source"),
        ({"email": "not-an-email"}, "email"),
        ({"budget": Decimal(-1)}, "budget"),
        ({"phone": "", "email": ""}, "phone"),
        ({"received_at": timezone.now() + timedelta(days=2)}, "received_at"),
    ],
)
def test_lead_intake_with_bad_input_saves_nothing_r_lead_1(sales_rep, data, field):
    with pytest.raises(DomainError) as refused:
        services.lead_create(actor=sales_rep, data=lead_data(**data))
    assert field in refused.value.fields
    assert not Lead.objects.exists()


@pytest.mark.parametrize(
    "variant",
    [
        {"company_name": "ＮＡＮＪＩＮＧ ＲＯＢＯＴＩＣＳ"},
        {"company_name": "Other name", "phone": "13900001111"},
        {"company_name": "Other name", "phone": "", "email": "LI.WEI@nanjing-robotics.example"},
    ],
)
def test_duplicate_leads_are_detected_across_teams_r_lead_2(sales_rep, make_user, other_team, variant):
    # given a lead of another team
    other_rep = make_user(Role.SALES_REP, team=other_team)
    services.lead_create(actor=other_rep, data=lead_data())
    # when a similar lead (same company, phone or email) comes in
    with pytest.raises(Conflict) as refused:
        services.lead_create(actor=sales_rep, data=lead_data(**variant))
    # then it is refused with the candidate, whose details stay hidden from this team (R-CUST-6)
    assert refused.value.code == "duplicate"
    assert refused.value.extra["duplicates"]["leads"] == [
        {"id": None, "company_name": "", "status": "", "team": str(other_team), "visible": False}
    ]
    assert Lead.objects.count() == 1
    # and confirming creates it anyway, recording why, who and when
    kept = services.lead_create(
        actor=sales_rep, data=lead_data(**variant), allow_duplicate=True, duplicate_reason="Other project."
    )
    assert Lead.objects.count() == 2
    assert (kept.duplicate_override_reason, kept.duplicate_override_by) == ("Other project.", sales_rep)
    assert kept.duplicate_override_at is not None


def test_duplicate_candidates_include_customers_via_their_contacts_r_lead_2(sales_rep, team):
    customer = CustomerFactory(team=team, name="Someone Else")
    ContactFactory(customer=customer, phone="021-6123 4567", email="")
    found = services.lead_find_duplicates(phone="+86 21 6123 4567")
    assert found.customers == [customer]
    assert found.as_dict(sales_rep)["customers"][0]["visible"] is True
    # a lead already linked to that customer is not its duplicate
    lead = services.lead_create(actor=sales_rep, data=lead_data(phone="+86 21 6123 4567", customer=customer))
    assert lead.customer == customer


def test_duplicate_search_ignores_closed_leads_and_merged_customers_r_lead_2(sales_rep, team):
    LeadFactory(team=team, company_name="Acme", status=LeadStatus.DISQUALIFIED, disqualify_reason="no_need")
    survivor = CustomerFactory(team=team, name="Zeta")
    CustomerFactory(team=team, name="Acme Ltd", merged_into=survivor)
    assert not services.lead_find_duplicates(company_name="ACME")


def test_lead_intake_merge_keeps_the_intake_and_merges_it_r_lead_2(sales_rep, team):
    # given an open lead without a title or budget
    target = services.lead_create(actor=sales_rep, data=lead_data(contact_title="", budget=None))
    # when the same company comes in again from another channel, merged at intake
    record = services.lead_intake_merge(
        actor=sales_rep,
        data=lead_data(source=LeadSource.WEBSITE, contact_title="CTO", budget=Decimal(500000)),
        target=target,
    )
    # then the intake is kept as a merged lead and fills the target's blanks
    source = Lead.objects.get(pk=record.source_id)
    target.refresh_from_db()
    assert (source.status, source.merged_into, source.source) == (
        LeadStatus.MERGED,
        target,
        LeadSource.WEBSITE,
    )
    assert (target.contact_title, target.budget) == ("CTO", Decimal(500000))
    assert set(record.moved["filled"]) >= {"contact_title", "budget"}


def test_lead_merge_moves_communications_and_fills_blanks_r_lead_2(sales_rep, team):
    target = LeadFactory(team=team, background="", timing="")
    source = LeadFactory(
        team=team,
        background="New plant.",
        timing="Q3",
        status=LeadStatus.CONTACTED,
        first_contacted_at=timezone.now(),
    )
    communication = CommunicationFactory(customer=None, lead=source)
    record = services.lead_merge(actor=sales_rep, source=source, target=target)
    target.refresh_from_db()
    source.refresh_from_db()
    communication.refresh_from_db()
    assert communication.lead == target
    assert (target.background, target.timing, target.status) == ("New plant.", "Q3", LeadStatus.CONTACTED)
    assert target.first_contacted_at == source.first_contacted_at
    assert (source.status, source.merged_into) == (LeadStatus.MERGED, target)
    assert record.kind == MergeRecord.Kind.LEAD
    assert record.moved["communications"] == 1
    assert record.actor == sales_rep
    assert source.history.first().history_user == sales_rep


def test_lead_merge_refusals_change_nothing(sales_rep, other_engineer, team, other_team):
    lead = LeadFactory(team=team)
    closed = LeadFactory(team=team, status=LeadStatus.DISQUALIFIED, disqualify_reason="no_need")
    foreign = LeadFactory(team=other_team)
    with pytest.raises(DomainError):
        services.lead_merge(actor=sales_rep, source=lead, target=lead)
    with pytest.raises(Conflict):
        services.lead_merge(actor=sales_rep, source=lead, target=closed)
    with pytest.raises(NotAllowed):
        services.lead_merge(actor=sales_rep, source=lead, target=foreign)
    with pytest.raises(NotAllowed):
        services.lead_merge(actor=other_engineer, source=lead, target=foreign)
    with pytest.raises(GateRefused):
        services.lead_merge(actor=sales_rep, source=closed, target=lead)
    assert not MergeRecord.objects.exists()
    assert Lead.objects.get(pk=lead.pk).status == LeadStatus.NEW


def test_lead_update_edits_open_leads_only(sales_rep, team):
    lead = LeadFactory(team=team, timing="")
    services.lead_update(actor=sales_rep, lead=lead, data={"timing": "Q4"})
    assert Lead.objects.get(pk=lead.pk).timing == "Q4"
    closed = LeadFactory(team=team, status=LeadStatus.DISQUALIFIED, disqualify_reason="no_need", timing="")
    with pytest.raises(Conflict):
        services.lead_update(actor=sales_rep, lead=closed, data={"timing": "Q4"})
    assert Lead.objects.get(pk=closed.pk).timing == ""


def test_lead_intake_back_dated_receipt_starts_the_clock_then_r_lead_3(sales_rep, team):
    """R-LEAD-3 (b): a receipt time given at intake (in the past) is when the clock starts."""
    received = timezone.now() - timedelta(hours=30)
    lead = services.lead_create(actor=sales_rep, data=lead_data(received_at=received))
    assert lead.first_contact_due_at == received + timedelta(hours=24)
    assert lead.first_contact_state == FirstContactState.OVERDUE
    assert Lead.objects.first_contact_overdue().get() == lead


# --- first contact (R-LEAD-3) --------------------------------------------------------------------


def test_first_contact_sets_status_and_time_r_lead_3(engineer, team):
    # given a new lead received an hour ago
    lead = LeadFactory(team=team, received_at=timezone.now() - timedelta(hours=1), contact_title="")
    when = timezone.now() - timedelta(minutes=10)
    # when the first contact is recorded, with a corrected title
    record = services.lead_record_first_contact(
        actor=engineer,
        lead=lead,
        data={
            "channel": Channel.PHONE,
            "occurred_at": when,
            "key_points": "Needs MES.",
            "concerns": "Price.",
            "contact_title": "Plant manager",
        },
    )
    # then the lead is contacted when the system saw the record (R-LEAD-3: not the stated
    # time), and the record is its first contact, at the stated time
    lead.refresh_from_db()
    assert (lead.status, lead.first_contacted_at, lead.contact_title) == (
        LeadStatus.CONTACTED,
        record.created_at,
        "Plant manager",
    )
    assert record.occurred_at == when
    assert lead.first_contact_state == FirstContactState.DONE
    assert (record.is_first_contact, record.lead, record.author) == (True, lead, engineer)


def test_first_contact_refusals_change_nothing_r_lead_3(engineer, other_engineer, team):
    lead = LeadFactory(team=team, received_at=timezone.now() - timedelta(hours=1))
    data = {"channel": Channel.PHONE, "key_points": "Hello."}
    with pytest.raises(NotAllowed):
        services.lead_record_first_contact(actor=other_engineer, lead=lead, data=data)
    with pytest.raises(DomainError) as refused:
        services.lead_record_first_contact(
            actor=engineer, lead=lead, data={**data, "occurred_at": timezone.now() - timedelta(hours=3)}
        )
    assert "occurred_at" in refused.value.fields
    with pytest.raises(DomainError) as refused:
        services.lead_record_first_contact(actor=engineer, lead=lead, data={**data, "email": "broken"})
    assert "email" in refused.value.fields
    assert not CommunicationRecord.objects.exists()
    assert Lead.objects.get().status == LeadStatus.NEW
    # recorded once, not twice
    services.lead_record_first_contact(actor=engineer, lead=lead, data=data)
    with pytest.raises(GateRefused):
        services.lead_record_first_contact(actor=engineer, lead=lead, data=data)
    assert CommunicationRecord.objects.count() == 1


# --- qualification (R-LEAD-4) --------------------------------------------------------------------


def contacted_lead(team, **kwargs):
    return LeadFactory(
        team=team,
        status=LeadStatus.CONTACTED,
        first_contacted_at=timezone.now() - timedelta(hours=1),
        received_at=timezone.now() - timedelta(hours=2),
        **kwargs,
    )


def test_qualify_needs_the_first_contact_r_lead_4(engineer, team):
    lead = LeadFactory(team=team)
    with pytest.raises(GateRefused) as refused:
        services.lead_qualify(actor=engineer, lead=lead, evaluation=EVALUATION)
    assert refused.value.reasons == ["Record the first contact before qualifying the lead."]
    assert Lead.objects.get().status == LeadStatus.NEW
    assert not Customer.objects.exists()


def test_qualify_needs_every_aspect_assessed_r_lead_4(engineer, team):
    lead = contacted_lead(team)
    with pytest.raises(GateRefused) as refused:
        services.lead_qualify(
            actor=engineer, lead=lead, evaluation={**EVALUATION, "budget": " ", "timeline": ""}
        )
    assert refused.value.reasons == ["Assess the lead's budget, timeline before qualifying it."]
    lead.refresh_from_db()
    assert (lead.status, lead.eval_needs) == (LeadStatus.CONTACTED, "")


def test_qualify_creates_the_customer_and_contact_r_lead_4(engineer, team):
    # given a contacted lead with a presales owner and a communication
    lead = contacted_lead(
        team, company_name="Suzhou Optics Co., Ltd.", contact_name="Zhao", presales_owner=engineer
    )
    communication = CommunicationFactory(customer=None, lead=lead, author=engineer)
    # when it is qualified
    lead = services.lead_qualify(actor=engineer, lead=lead, evaluation=EVALUATION)
    # then a customer exists with the lead's contact, the communication and the presales owner
    customer = Customer.objects.get()
    assert (customer.name, customer.team, customer.owner) == ("Suzhou Optics Co., Ltd.", team, lead.owner)
    assert customer.primary_presales == engineer
    assert customer.contacts.get().name == "Zhao"
    communication.refresh_from_db()
    assert communication.customer == customer
    assert (lead.status, lead.customer, lead.eval_budget) == (
        LeadStatus.QUALIFIED,
        customer,
        EVALUATION["budget"],
    )
    assert lead.decided_at is not None


def test_qualify_links_the_existing_customer_by_name_r_lead_4(engineer, team):
    customer = CustomerFactory(team=team, name="SUZHOU OPTICS")
    ContactFactory(customer=customer, phone="13911112222")
    lead = contacted_lead(team, company_name="Suzhou Optics Co., Ltd.", phone="+86 139 1111 2222")
    services.lead_qualify(actor=engineer, lead=lead, evaluation=EVALUATION)
    assert Customer.objects.count() == 1
    assert Lead.objects.get().customer == customer
    # the contact was already there (same phone): not added twice
    assert customer.contacts.count() == 1


def test_qualify_refuses_a_merged_customer_r_lead_4(engineer, team):
    survivor = CustomerFactory(team=team)
    merged = CustomerFactory(team=team, merged_into=survivor)
    lead = contacted_lead(team)
    with pytest.raises(DomainError) as refused:
        services.lead_qualify(actor=engineer, lead=lead, evaluation=EVALUATION, customer=merged)
    assert "customer" in refused.value.fields
    assert Lead.objects.get().status == LeadStatus.CONTACTED


def test_disqualify_needs_a_reason_r_lead_4(engineer, team):
    lead = LeadFactory(team=team)
    with pytest.raises(GateRefused) as refused:
        services.lead_disqualify(actor=engineer, lead=lead, reason="")
    assert refused.value.reasons == ["Give the reason for disqualifying the lead."]
    with pytest.raises(DomainError) as refused:
        services.lead_disqualify(actor=engineer, lead=lead, reason="bad_weather")
    assert "reason" in refused.value.fields
    assert Lead.objects.get().status == LeadStatus.NEW

    lead = services.lead_disqualify(actor=engineer, lead=lead, reason=DisqualifyReason.NO_BUDGET, note="2026")
    assert (lead.status, lead.disqualify_reason, lead.disqualify_note) == (
        LeadStatus.DISQUALIFIED,
        DisqualifyReason.NO_BUDGET,
        "2026",
    )


@pytest.mark.parametrize("actor_fixture", ["other_engineer", "general_manager", "no_role_user"])
def test_lead_moves_are_refused_outside_the_team_or_without_a_writer_role(request, team, actor_fixture):
    actor = request.getfixturevalue(actor_fixture)
    lead = contacted_lead(team)
    with pytest.raises(NotAllowed):
        services.lead_qualify(actor=actor, lead=lead, evaluation=EVALUATION)
    with pytest.raises(NotAllowed):
        services.lead_disqualify(actor=actor, lead=lead, reason=DisqualifyReason.NO_NEED)
    with pytest.raises(NotAllowed):
        services.lead_update(actor=actor, lead=lead, data={"timing": "now"})
    assert Lead.objects.get().status == LeadStatus.CONTACTED


def test_the_lead_owner_outside_the_team_may_work_the_lead(make_user, team, other_team):
    owner = make_user(Role.SALES_REP, team=other_team)
    lead = LeadFactory(team=team, owner=owner)
    services.lead_disqualify(actor=owner, lead=lead, reason=DisqualifyReason.NO_NEED)
    assert Lead.objects.get().status == LeadStatus.DISQUALIFIED


# --- communications (R-COMM-1) -------------------------------------------------------------------


def test_communication_records_an_interaction_and_its_follow_up_r_comm_1(engineer, team):
    customer = CustomerFactory(team=team)
    Customer.objects.filter(pk=customer.pk).update(last_progress_at=timezone.now() - timedelta(days=60))
    contact = ContactFactory(customer=customer)
    due = timezone.now() + timedelta(days=3)
    record = services.communication_create(
        actor=engineer,
        customer=customer,
        data={
            "channel": Channel.SITE_VISIT,
            "place": "Plant 2",
            "participants": "Wang, Li",
            "participant_users": [engineer],  # R-COMM-2: the first visit includes presales
            "key_points": "Walked the line.",
            "customer_feedback": "Positive.",
            "next_step": "Send the draft solution.",
            "next_step_due_at": due,
            "contact": contact,
        },
    )
    assert (record.author, record.customer, record.next_step_due_at) == (engineer, customer, due)
    # the interaction counts as progress on the customer (R-CUST-3)
    assert Customer.objects.get().last_progress_at == record.occurred_at
    assert list(CommunicationRecord.objects.follow_ups_due(now=due)) == [record]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"next_step_due_at": timezone.now() + timedelta(days=1)}, "__all__"),
        ({"channel": "telepathy"}, "channel"),
        ({"key_points": ""}, "key_points"),
        ({"occurred_at": timezone.now() + timedelta(days=1)}, "occurred_at"),
    ],
)
def test_communication_with_bad_input_saves_nothing_r_comm_1(engineer, team, data, field):
    customer = CustomerFactory(team=team)
    with pytest.raises(DomainError) as refused:
        services.communication_create(
            actor=engineer, customer=customer, data={"channel": Channel.PHONE, "key_points": "Call.", **data}
        )
    assert field in refused.value.fields
    assert not CommunicationRecord.objects.exists()


def test_communication_refusals_r_comm_1(engineer, other_engineer, team):
    customer = CustomerFactory(team=team)
    other_contact = ContactFactory()
    data = {"channel": Channel.PHONE, "key_points": "Call."}
    with pytest.raises(DomainError):
        services.communication_create(actor=engineer, data=data)
    with pytest.raises(NotAllowed):
        services.communication_create(actor=other_engineer, customer=customer, data=data)
    with pytest.raises(DomainError) as refused:
        services.communication_create(
            actor=engineer, customer=customer, data={**data, "contact": other_contact}
        )
    assert "contact" in refused.value.fields
    assert not CommunicationRecord.objects.exists()


def test_only_the_author_corrects_a_communication_r_comm_1(engineer, presales_engineer_b, team):
    customer = CustomerFactory(team=team)
    record = services.communication_create(
        actor=engineer, customer=customer, data={"channel": Channel.PHONE, "key_points": "Call."}
    )
    with pytest.raises(NotAllowed):
        services.communication_update(actor=presales_engineer_b, record=record, data={"key_points": "Edited"})
    services.communication_update(actor=engineer, record=record, data={"key_points": "Call about MES."})
    assert CommunicationRecord.objects.get().key_points == "Call about MES."


def test_communication_on_a_lead_takes_the_lead_customer_r_comm_1(engineer, team):
    customer = CustomerFactory(team=team)
    lead = LeadFactory(team=team, customer=customer)
    record = services.communication_create(
        actor=engineer, lead=lead, data={"channel": Channel.EMAIL, "key_points": "Sent brochure."}
    )
    assert (record.lead, record.customer) == (lead, customer)
    with pytest.raises(DomainError):
        services.communication_create(
            actor=engineer,
            lead=lead,
            customer=CustomerFactory(team=team),
            data={"channel": "email", "key_points": "x"},
        )


# --- visibility and masking (R-CUST-6) -----------------------------------------------------------


def test_visibility_and_contact_access_r_cust_6(engineer, other_engineer, general_manager, team, other_team):
    own = CustomerFactory(team=team)
    foreign = CustomerFactory(team=other_team)
    assert list(Customer.objects.visible_to(engineer)) == [own]
    assert set(Customer.objects.visible_to(general_manager)) == {own, foreign}
    access = dict(Customer.objects.with_contact_access(general_manager).values_list("pk", "contact_access"))
    assert access == {own.pk: False, foreign.pk: False}
    # a person assigned to a customer sees it and its contact details
    CustomerPresalesFactory(customer=foreign, user=engineer, is_primary=True)
    assert set(Customer.objects.visible_to(engineer)) == {own, foreign}
    assert not Customer.objects.visible_to(other_engineer).filter(pk=own.pk).exists()
