"""Web pages of leads and customers (R-LEAD-1..4, R-CUST-1..6, R-COMM-1): permissions,
forms through the services, duplicates, masking, exports and query counts."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from leads import services
from leads.choices import Channel, DisqualifyReason, Grade, LeadStatus
from leads.models import CommunicationRecord, Contact, Customer, CustomerPresales, Lead, MergeRecord
from presales.core.roles import Role
from presales.exports.models import ExportLog
from tests.factories import (
    CommunicationFactory,
    ContactFactory,
    CustomerFactory,
    CustomerPresalesFactory,
    LeadFactory,
)

pytestmark = pytest.mark.django_db

FORM_TIME = "%Y-%m-%dT%H:%M"


def local(dt) -> str:
    return timezone.localtime(dt).strftime(FORM_TIME)


@pytest.fixture
def lead(team, sales_rep, engineer):
    return LeadFactory(
        team=team,
        owner=sales_rep,
        presales_owner=engineer,
        company_name="Huadong Precision",
        contact_name="Li Wei",
        phone="13800001234",
        email="li.wei@huadong.example",
        received_at=timezone.now() - timedelta(hours=2),
    )


@pytest.fixture
def contacted_lead(lead, engineer):
    services.lead_record_first_contact(
        actor=engineer,
        lead=lead,
        data={"channel": Channel.PHONE, "key_points": "Wants an MES upgrade.", "concerns": "Downtime"},
    )
    lead.refresh_from_db()
    return lead


@pytest.fixture
def customer(team, sales_rep, engineer):
    customer = CustomerFactory(team=team, owner=sales_rep, name="Donghai Energy Group")
    CustomerPresalesFactory(customer=customer, user=engineer, is_primary=True)
    return customer


@pytest.fixture
def contact(customer):
    return ContactFactory(
        customer=customer, name="Wang Fang", phone="13911115678", email="wang@donghai.example"
    )


@pytest.fixture
def general_manager_client(client, general_manager):
    client.force_login(general_manager)
    return client


@pytest.fixture
def engineer_client(client, engineer):
    client.force_login(engineer)
    return client


def lead_form_data(team, owner, **overrides) -> dict:
    data = {
        "source": "trade_show",
        "company_name": "Xinghe Robotics Co., Ltd.",
        "contact_name": "Zhao Min",
        "contact_title": "IT Director",
        "phone": "139 0000 4321",
        "email": "zhao@xinghe.example",
        "industry": "manufacturing",
        "background": "New plant in Suzhou.",
        "initial_needs": "Line monitoring",
        "budget": "800000",
        "timing": "Q3",
        "received_at": local(timezone.now() - timedelta(hours=1)),
        "team": team.pk,
        "owner": owner.pk,
        "presales_owner": "",
    }
    data.update(overrides)
    return data


# --- the page matrix ---------------------------------------------------------------------

READ_PAGES = [
    ("lead_list", None),
    ("lead_detail", "lead"),
    ("lead_export", None),
    ("customer_list", None),
    ("customer_detail", "customer"),
    ("customer_export", None),
]
WRITE_PAGES = [
    ("lead_create", None),
    ("lead_edit", "lead"),
    ("lead_first_contact", "lead"),
    ("opportunities:qualify_lead", "lead"),
    ("lead_disqualify", "lead"),
    ("lead_merge", "lead"),
    ("lead_communication_create", "lead"),
    ("customer_create", None),
    ("customer_edit", "customer"),
    ("customer_merge", "customer"),
    ("contact_create", "customer"),
    ("communication_create", "customer"),
    ("contact_edit", "contact"),
    ("contact_delete", "contact"),
]
OBJECT_PAGES = [(name, kind) for name, kind in READ_PAGES + WRITE_PAGES if kind]


def page_url(name, kind, objects) -> str:
    args = [objects[kind].pk] if kind else []
    return reverse(name if ":" in name else f"leads:{name}", args=args)


@pytest.fixture
def objects(lead, customer, contact):
    return {"lead": lead, "customer": customer, "contact": contact}


@pytest.mark.parametrize(("name", "kind"), READ_PAGES + WRITE_PAGES)
def test_every_page_renders_for_a_team_member(engineer_client, objects, name, kind):
    # given an engineer of the owning team; when they open the page; then it renders
    response = engineer_client.get(page_url(name, kind, objects))
    assert response.status_code == 200


@pytest.mark.parametrize(("name", "kind"), OBJECT_PAGES)
def test_records_of_another_team_are_not_found(client, other_engineer, objects, name, kind):
    """R-CUST-6: out of scope is 404, also on the write URLs."""
    # given an engineer of another team
    client.force_login(other_engineer)
    # when they open a page of this team's record; then it does not exist for them
    assert client.get(page_url(name, kind, objects)).status_code == 404


@pytest.mark.parametrize(("name", "kind"), READ_PAGES + WRITE_PAGES)
def test_user_without_role_is_refused(client, no_role_user, objects, name, kind):
    client.force_login(no_role_user)
    assert client.get(page_url(name, kind, objects)).status_code == 403


@pytest.mark.parametrize(("name", "kind"), READ_PAGES + WRITE_PAGES)
def test_anonymous_is_sent_to_login(client, objects, name, kind):
    response = client.get(page_url(name, kind, objects))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(("name", "kind"), WRITE_PAGES)
def test_reader_roles_get_403_on_write_urls(general_manager_client, objects, name, kind):
    # given a general manager (sees everything, writes nothing here)
    # when they open or post a write URL; then they are refused and nothing changes
    url = page_url(name, kind, objects)
    assert general_manager_client.get(url).status_code == 403
    assert general_manager_client.post(url, {}).status_code == 403
    assert Lead.objects.count() == 1
    assert Customer.objects.count() == 1


def test_reader_sees_no_edit_buttons(general_manager_client, lead, customer):
    page = general_manager_client.get(reverse("leads:lead_detail", args=[lead.pk])).content.decode()
    assert reverse("leads:lead_edit", args=[lead.pk]) not in page
    assert 'data-move="' not in page
    page = general_manager_client.get(reverse("leads:customer_detail", args=[customer.pk])).content.decode()
    assert reverse("leads:customer_edit", args=[customer.pk]) not in page
    assert 'data-testid="presales-form"' not in page
    page = general_manager_client.get(reverse("leads:lead_list")).content.decode()
    assert reverse("leads:lead_create") not in page


def test_team_member_sees_edit_buttons(engineer_client, lead, customer):
    page = engineer_client.get(reverse("leads:lead_detail", args=[lead.pk])).content.decode()
    assert reverse("leads:lead_edit", args=[lead.pk]) in page
    assert 'data-move="record_first_contact"' in page
    page = engineer_client.get(reverse("leads:customer_detail", args=[customer.pk])).content.decode()
    assert reverse("leads:customer_edit", args=[customer.pk]) in page


def test_list_shows_only_visible_leads(client, other_engineer, lead):
    # given a lead of another team; when its list is opened by an outsider; then it is absent
    client.force_login(other_engineer)
    page = client.get(reverse("leads:lead_list")).content.decode()
    assert lead.company_name not in page


def test_posting_to_another_teams_lead_changes_nothing(client, other_engineer, lead):
    client.force_login(other_engineer)
    response = client.post(
        reverse("leads:lead_disqualify", args=[lead.pk]), {"reason": DisqualifyReason.NO_BUDGET}
    )
    assert response.status_code == 404
    lead.refresh_from_db()
    assert lead.status == LeadStatus.NEW


# --- intake and duplicates (R-LEAD-1, R-LEAD-2) --------------------------------------------


def test_intake_creates_the_lead_with_its_24h_deadline(engineer_client, team, sales_rep):
    """R-LEAD-1, R-LEAD-3: every intake fact is kept; first contact is due 24 h after receipt."""
    # given the intake form filled in
    data = lead_form_data(team, sales_rep)
    # when it is sent
    response = engineer_client.post(reverse("leads:lead_create"), data)
    # then the lead exists with its facts and deadline, and we land on it
    lead = Lead.objects.get()
    assert response.status_code == 302
    assert response["Location"] == lead.get_absolute_url()
    assert (lead.company_name, lead.contact_name, lead.source, lead.timing) == (
        "Xinghe Robotics Co., Ltd.",
        "Zhao Min",
        "trade_show",
        "Q3",
    )
    assert lead.status == LeadStatus.NEW
    assert lead.first_contact_due_at == lead.received_at + timedelta(hours=24)


def test_intake_errors_are_shown_and_nothing_is_saved(engineer_client, team, sales_rep):
    # given an intake without company, with a negative budget and no phone or email
    data = lead_form_data(team, sales_rep, company_name="", budget="-5")
    # when it is sent
    response = engineer_client.post(reverse("leads:lead_create"), data)
    # then the form comes back with the errors and what was typed, and nothing is saved
    assert response.status_code == 200
    form = response.context["form"]
    assert "company_name" in form.errors
    assert "budget" in form.errors
    assert 'value="Zhao Min"' in response.content.decode()
    assert Lead.objects.count() == 0


def test_intake_without_phone_or_email_is_refused_by_the_service(engineer_client, team, sales_rep):
    data = lead_form_data(team, sales_rep, phone="", email="")
    response = engineer_client.post(reverse("leads:lead_create"), data)
    assert response.status_code == 200
    assert response.context["form"].errors["phone"]
    assert Lead.objects.count() == 0


def test_duplicate_intake_shows_the_matches_and_keeps_the_input(engineer_client, lead, team, sales_rep):
    """R-LEAD-2: same phone as an open lead: warned, offered a merge, nothing created yet."""
    # given an open lead with phone 13800001234
    data = lead_form_data(team, sales_rep, company_name="Another Name Ltd", phone="+86 138-0000-1234")
    # when a new lead with that phone is sent
    response = engineer_client.post(reverse("leads:lead_create"), data)
    # then the warning lists it with a merge button, the typed data is still there
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="duplicate-warning"' in page
    assert f'data-duplicate-lead="{lead.pk}"' in page
    assert f'name="merge_into" value="{lead.pk}"' in page
    assert 'data-testid="create-anyway"' in page
    assert 'value="Another Name Ltd"' in page
    assert 'value="+86 138-0000-1234"' in page
    assert Lead.objects.count() == 1


def test_duplicates_outside_scope_show_name_and_team_only(engineer_client, other_team, team, sales_rep):
    """R-LEAD-2 with R-CUST-6: another team's lead and customer: name and team, no link, no merge."""
    # given another team's open lead and customer with the same company
    other_lead = LeadFactory(team=other_team, company_name="Xinghe Robotics")
    other_customer = CustomerFactory(team=other_team, name="Xinghe Robotics Co., Ltd.")
    # when our engineer takes in a lead of that company
    response = engineer_client.post(reverse("leads:lead_create"), lead_form_data(team, sales_rep))
    # then both are listed with their team but without ids, links or merge buttons
    page = response.content.decode()
    assert f'data-duplicate-lead="{other_lead.pk}"' not in page
    assert f'data-duplicate-customer="{other_customer.pk}"' not in page
    assert "Another team" in page
    assert other_team.name in page
    assert reverse("leads:lead_detail", args=[other_lead.pk]) not in page
    assert reverse("leads:customer_detail", args=[other_customer.pk]) not in page
    assert f'name="merge_into" value="{other_lead.pk}"' not in page
    assert Lead.objects.count() == 1


def test_duplicate_created_anyway_after_confirmation(engineer_client, lead, team, sales_rep):
    """R-LEAD-2: the user saw the matches and confirms a separate lead."""
    # given "create anyway" without a reason: the matches are shown again, asking for one
    data = lead_form_data(team, sales_rep, company_name=lead.company_name, allow_duplicate="on")
    response = engineer_client.post(reverse("leads:lead_create"), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="duplicate-warning"' in page
    assert 'data-testid="duplicate-reason-error"' in page
    assert Lead.objects.filter(company_name=lead.company_name).count() == 1
    # when confirmed with a reason
    data["duplicate_override_reason"] = "Another plant of the group, own budget."
    response = engineer_client.post(reverse("leads:lead_create"), data)
    # then it is created, and its page says why it was kept
    assert response.status_code == 302
    created = Lead.objects.filter(company_name=lead.company_name).exclude(pk=lead.pk).get()
    assert created.duplicate_override_reason == "Another plant of the group, own budget."
    page = engineer_client.get(created.get_absolute_url()).content.decode()
    assert 'data-testid="duplicate-override"' in page
    assert "Another plant of the group, own budget." in page


def test_duplicate_merged_into_the_existing_lead(engineer_client, lead, team, sales_rep):
    """R-LEAD-2: "merge into this lead" keeps the intake as a merged record of the target."""
    data = lead_form_data(team, sales_rep, company_name=lead.company_name, merge_into=lead.pk)
    response = engineer_client.post(reverse("leads:lead_create"), data)
    assert response.status_code == 302
    assert response["Location"] == lead.get_absolute_url()
    intake = Lead.objects.exclude(pk=lead.pk).get()
    assert intake.status == LeadStatus.MERGED
    assert intake.merged_into == lead
    record = MergeRecord.objects.get(kind=MergeRecord.Kind.LEAD)
    assert record.target_id == lead.pk
    page = engineer_client.get(lead.get_absolute_url()).content.decode()
    assert 'data-testid="merge-info"' in page


def test_merge_into_a_lead_out_of_scope_is_refused(engineer_client, other_team, team, sales_rep):
    # given another team's lead; when our intake asks to merge into it by id
    other_lead = LeadFactory(team=other_team, company_name="Xinghe Robotics")
    data = lead_form_data(team, sales_rep, merge_into=other_lead.pk)
    response = engineer_client.post(reverse("leads:lead_create"), data)
    # then the form says no and nothing is created or merged
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert Lead.objects.count() == 1
    assert not MergeRecord.objects.exists()


# --- detail and lifecycle (R-LEAD-3, R-LEAD-4) ---------------------------------------------


def test_detail_shows_deadline_moves_timeline_and_history(engineer_client, contacted_lead):
    page = engineer_client.get(contacted_lead.get_absolute_url()).content.decode()
    assert 'data-first-contact="done"' in page
    assert 'data-move="qualify"' in page
    assert 'data-move="disqualify"' in page
    assert 'data-move="record_first_contact"' not in page
    assert "Wants an MES upgrade." in page
    assert 'data-testid="history"' in page
    assert "communication record" in page


def test_first_contact_badge_counts_hours(engineer_client, team, sales_rep):
    """R-LEAD-3: "due in 5 h" and "overdue 3 h" on the list."""
    now = timezone.now()
    LeadFactory(team=team, owner=sales_rep, received_at=now - timedelta(hours=19, minutes=10))
    LeadFactory(team=team, owner=sales_rep, received_at=now - timedelta(hours=27, minutes=10))
    page = engineer_client.get(reverse("leads:lead_list")).content.decode()
    assert "due in 4 h" in page
    assert "overdue 3 h" in page


def test_first_contact_recorded_through_the_form(engineer_client, lead, engineer):
    """R-LEAD-3: company, contact, title, phone, initial need, concerns, and the conversation."""
    # given a new lead; when the first-contact form is sent with a corrected title
    data = {
        "company_name": lead.company_name,
        "contact_name": lead.contact_name,
        "contact_title": "Deputy GM",
        "phone": lead.phone,
        "email": lead.email,
        "initial_needs": "MES for two lines",
        "concerns": "Integration with SAP",
        "channel": Channel.PHONE,
        "occurred_at": local(timezone.now() - timedelta(minutes=30)),
        "key_points": "Budget approved for next year.",
        "next_step": "Send references",
        "next_step_due_at": local(timezone.now() + timedelta(days=2)),
    }
    response = engineer_client.post(reverse("leads:lead_first_contact", args=[lead.pk]), data)
    # then the lead is contacted, the facts are updated, the record is the first contact
    assert response.status_code == 302
    assert response["Location"] == lead.get_absolute_url()
    lead.refresh_from_db()
    assert lead.status == LeadStatus.CONTACTED
    assert lead.first_contacted_at is not None
    assert lead.contact_title == "Deputy GM"
    assert lead.initial_needs == "MES for two lines"
    record = CommunicationRecord.objects.get(lead=lead)
    assert record.is_first_contact
    assert record.concerns == "Integration with SAP"
    assert record.next_step_due_at is not None
    assert record.author == engineer


def test_first_contact_form_errors_save_nothing(engineer_client, lead):
    data = {
        "company_name": lead.company_name,
        "contact_name": "",
        "phone": "",
        "email": "",
        "channel": "phone",
    }
    response = engineer_client.post(reverse("leads:lead_first_contact", args=[lead.pk]), data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert {"contact_name", "phone", "key_points", "initial_needs", "occurred_at"} <= set(errors)
    lead.refresh_from_db()
    assert lead.status == LeadStatus.NEW
    assert not CommunicationRecord.objects.exists()


def test_first_contact_twice_is_refused_with_the_reason(engineer_client, contacted_lead):
    url = reverse("leads:lead_first_contact", args=[contacted_lead.pk])
    page = engineer_client.get(url).content.decode()
    assert 'data-testid="blocked-reasons"' in page


def test_qualify_lands_on_the_new_customer(engineer_client, contacted_lead):
    """R-LEAD-4: the five assessments qualify the lead and create its customer."""
    data = {
        "background": "Expanding capacity",
        "needs": "MES, quality tracing",
        "budget": "1.2M approved",
        "competition": "Vendor X incumbent",
        "timeline": "Decision in Q3",
        "customer": "",
    }
    response = engineer_client.post(reverse("opportunities:qualify_lead", args=[contacted_lead.pk]), data)
    contacted_lead.refresh_from_db()
    assert contacted_lead.status == LeadStatus.QUALIFIED
    assert contacted_lead.eval_competition == "Vendor X incumbent"
    customer = contacted_lead.customer
    assert customer.name == "Huadong Precision"
    assert response.status_code == 302
    # the new opportunity is shown next (R-OPP-1); it links its customer
    assert response["Location"] == contacted_lead.opportunity.get_absolute_url()
    page = engineer_client.get(customer.get_absolute_url()).content.decode()
    assert "Li Wei" in page


def test_qualify_opens_the_opportunity_as_entered_r_opp_1(engineer_client, contacted_lead):
    """R-LEAD-4, R-OPP-1: the title, expected close and competitors entered at qualification
    are the opportunity's; the timeline assessment is kept in its description."""
    # given the qualify form, which proposes a title
    url = reverse("opportunities:qualify_lead", args=[contacted_lead.pk])
    page = engineer_client.get(url).content.decode()
    assert 'name="title"' in page and 'name="expected_close"' in page and 'name="competitors"' in page
    close = timezone.localdate() + timedelta(days=90)
    data = {
        **dict.fromkeys(("background", "needs", "budget"), "ok"),
        "competition": "Vendor X is the incumbent.",
        "timeline": "Decision in Q3",
        "customer": "",
        "title": "Huadong MES phase 2",
        "expected_close": close.isoformat(),
        "competitors": "Vendor X, Vendor Y",
    }
    # when it is posted
    response = engineer_client.post(url, data)
    # then the opportunity carries what was entered
    assert response.status_code == 302, response.context and response.context["form"].errors
    contacted_lead.refresh_from_db()
    opportunity = contacted_lead.opportunity
    assert opportunity.title == "Huadong MES phase 2"
    assert opportunity.expected_close == close
    assert opportunity.competitors == ["Vendor X", "Vendor Y"]
    assert "Decision in Q3" in opportunity.description


def test_qualify_into_an_existing_customer(engineer_client, contacted_lead, customer):
    data = dict.fromkeys(("background", "needs", "budget", "competition", "timeline"), "ok")
    data["customer"] = customer.pk
    response = engineer_client.post(reverse("opportunities:qualify_lead", args=[contacted_lead.pk]), data)
    assert response["Location"] == contacted_lead.opportunity.get_absolute_url()
    contacted_lead.refresh_from_db()
    assert contacted_lead.customer == customer


def test_qualify_needs_every_assessment(engineer_client, contacted_lead):
    """R-LEAD-4: a missing assessment is an error on the form; nothing changes."""
    data = {"background": "x", "needs": "x", "budget": "", "competition": "x", "timeline": ""}
    response = engineer_client.post(reverse("opportunities:qualify_lead", args=[contacted_lead.pk]), data)
    assert response.status_code == 200
    assert {"budget", "timeline"} <= set(response.context["form"].errors)
    contacted_lead.refresh_from_db()
    assert contacted_lead.status == LeadStatus.CONTACTED
    assert not Customer.objects.exists()


def test_qualify_before_first_contact_is_refused(engineer_client, lead):
    """R-LEAD-3/4 gate: the page says why, and a post changes nothing."""
    url = reverse("opportunities:qualify_lead", args=[lead.pk])
    assert 'data-testid="blocked-reasons"' in engineer_client.get(url).content.decode()
    data = dict.fromkeys(("background", "needs", "budget", "competition", "timeline"), "ok")
    response = engineer_client.post(url, data)
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    lead.refresh_from_db()
    assert lead.status == LeadStatus.NEW


def test_disqualify_needs_a_reason(engineer_client, lead):
    """R-LEAD-4: disqualified with a reason; without one nothing changes."""
    url = reverse("leads:lead_disqualify", args=[lead.pk])
    response = engineer_client.post(url, {"reason": "", "note": "x"})
    assert response.status_code == 200
    lead.refresh_from_db()
    assert lead.status == LeadStatus.NEW
    response = engineer_client.post(url, {"reason": DisqualifyReason.NO_BUDGET, "note": "Frozen until 2027"})
    assert response.status_code == 302
    lead.refresh_from_db()
    assert (lead.status, lead.disqualify_reason) == (LeadStatus.DISQUALIFIED, DisqualifyReason.NO_BUDGET)


def test_lead_merged_into_another_open_lead(engineer_client, lead, team, sales_rep):
    """R-LEAD-2 after intake: merge a duplicate into the surviving lead."""
    duplicate = LeadFactory(team=team, owner=sales_rep, company_name="Huadong Precision Ltd")
    response = engineer_client.post(reverse("leads:lead_merge", args=[duplicate.pk]), {"target": lead.pk})
    assert response["Location"] == lead.get_absolute_url()
    duplicate.refresh_from_db()
    assert (duplicate.status, duplicate.merged_into) == (LeadStatus.MERGED, lead)


def test_lead_edit_saves_through_the_service(engineer_client, lead, team, sales_rep):
    data = lead_form_data(team, sales_rep, company_name="Huadong Precision", phone=lead.phone, timing="Q4")
    response = engineer_client.post(reverse("leads:lead_edit", args=[lead.pk]), data)
    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.timing == "Q4"
    assert lead.status == LeadStatus.NEW


def test_closed_lead_cannot_be_edited(engineer_client, lead, engineer, team, sales_rep):
    services.lead_disqualify(actor=engineer, lead=lead, reason=DisqualifyReason.NO_NEED)
    data = lead_form_data(team, sales_rep, company_name="Renamed")
    response = engineer_client.post(reverse("leads:lead_edit", args=[lead.pk]), data)
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    lead.refresh_from_db()
    assert lead.company_name == "Huadong Precision"


def test_communication_on_a_lead(engineer_client, engineer, lead):
    """R-COMM-1 on a lead; the first meeting names its presales engineer (R-COMM-2)."""
    data = {
        "occurred_at": local(timezone.now()),
        "channel": Channel.MEETING,
        "key_points": "Site tour",
        "participant_users": [engineer.pk],
    }
    response = engineer_client.post(reverse("leads:lead_communication_create", args=[lead.pk]), data)
    assert response["Location"] == lead.get_absolute_url()
    assert CommunicationRecord.objects.get().lead == lead


# --- customers (R-CUST-1..5, R-COMM-1) -----------------------------------------------------


def test_customer_created_with_need_tags_and_primary_presales(engineer_client, engineer, team, sales_rep):
    """R-CUST-1, R-CUST-2, R-CUST-5: tags from comma-separated text; graded; one primary."""
    data = {
        "name": "Nanfang Textiles",
        "industry": "manufacturing",
        "employees": "1500",
        "annual_revenue": "",
        "size_class": "",
        "region": "Guangdong",
        "need_tags_text": "cost reduction， efficiency, ",
        "fit_score": "5",
        "value_score": "4",
        "grade": "",
        "grade_reason": "",
        "tier": "important",
        "team": team.pk,
        "owner": sales_rep.pk,
        "primary_presales": engineer.pk,
    }
    response = engineer_client.post(reverse("leads:customer_create"), data)
    customer = Customer.objects.get()
    assert response["Location"] == customer.get_absolute_url()
    assert sorted(t.name for t in customer.need_tags.all()) == ["cost reduction", "efficiency"]
    assert customer.grade == Grade.A
    assert customer.size_class == "large"
    assert customer.primary_presales == engineer


def test_customer_grade_override_needs_a_reason(engineer_client, team, sales_rep):
    """R-CUST-2: a grade other than fit × value needs its reason; nothing is saved without."""
    data = {
        "name": "Nanfang Textiles",
        "industry": "manufacturing",
        "fit_score": "2",
        "value_score": "2",
        "grade": "A",
        "grade_reason": "",
        "tier": "general",
        "team": team.pk,
        "owner": sales_rep.pk,
    }
    response = engineer_client.post(reverse("leads:customer_create"), data)
    assert response.status_code == 200
    assert response.context["form"].errors["grade_reason"]
    assert not Customer.objects.exists()


def test_customer_edit_keeps_an_explained_grade(engineer_client, customer, team, sales_rep):
    data = {
        "name": customer.name,
        "industry": customer.industry,
        "employees": "50",
        "fit_score": "1",
        "value_score": "1",
        "grade": "A",
        "grade_reason": "Strategic reference account",
        "tier": "strategic",
        "team": team.pk,
        "owner": sales_rep.pk,
        "need_tags_text": "efficiency",
    }
    response = engineer_client.post(reverse("leads:customer_edit", args=[customer.pk]), data)
    assert response.status_code == 302
    customer.refresh_from_db()
    assert (customer.grade, customer.tier) == (Grade.A, "strategic")
    assert [t.name for t in customer.need_tags.all()] == ["efficiency"]


def test_presales_panel_adds_promotes_and_refuses_removing_the_primary(
    engineer_client, customer, engineer, make_user, team
):
    """R-CUST-5: one primary; assistants added with htmx; the primary cannot just be removed."""
    colleague = make_user(Role.PRESALES_ENGINEER, team=team, username="colleague")
    url = reverse("leads:customer_presales", args=[customer.pk])
    htmx = {"HTTP_HX_REQUEST": "true"}
    # when a colleague is added as assistant; then the panel comes back with them
    response = engineer_client.post(url, {"user": colleague.pk, "action": "assist"}, **htmx)
    assert response.status_code == 200
    assert f'data-presales="{colleague.pk}"' in response.content.decode()
    assert "<html" not in response.content.decode()
    # when the colleague is made primary; then the former primary assists
    engineer_client.post(url, {"user": colleague.pk, "action": "primary"}, **htmx)
    assert CustomerPresales.objects.get(customer=customer, is_primary=True).user == colleague
    # when the primary is removed; then the panel says why not and nothing changes
    response = engineer_client.post(url, {"user": colleague.pk, "action": "remove"}, **htmx)
    assert 'data-testid="presales-error"' in response.content.decode()
    assert CustomerPresales.objects.filter(customer=customer).count() == 2
    # when the assistant is removed; then only the primary stays
    engineer_client.post(url, {"user": engineer.pk, "action": "remove"}, **htmx)
    assert list(CustomerPresales.objects.filter(customer=customer).values_list("user", flat=True)) == [
        colleague.pk
    ]


def test_presales_panel_refuses_other_teams(client, other_engineer, customer, engineer):
    client.force_login(other_engineer)
    url = reverse("leads:customer_presales", args=[customer.pk])
    response = client.post(url, {"user": other_engineer.pk, "action": "primary"})
    assert response.status_code == 404
    assert CustomerPresales.objects.get(customer=customer, is_primary=True).user == engineer


def test_contacts_added_edited_and_deleted(engineer_client, customer):
    """R-CUST-1: contacts with title and decision role."""
    data = {
        "name": "Chen Jie",
        "title": "CTO",
        "phone": "13700009999",
        "email": "",
        "decision_role": "decision_maker",
        "source": "business_card",
    }
    response = engineer_client.post(reverse("leads:contact_create", args=[customer.pk]), data)
    assert response["Location"] == customer.get_absolute_url()
    contact = Contact.objects.get()
    engineer_client.post(reverse("leads:contact_edit", args=[contact.pk]), {**data, "title": "CIO"})
    contact.refresh_from_db()
    assert contact.title == "CIO"
    response = engineer_client.post(reverse("leads:contact_delete", args=[contact.pk]))
    assert response["Location"] == customer.get_absolute_url()
    assert not Contact.objects.exists()


def test_contact_form_errors_save_nothing(engineer_client, customer):
    data = {"name": "", "email": "not-an-email", "decision_role": "decision_maker"}
    response = engineer_client.post(reverse("leads:contact_create", args=[customer.pk]), data)
    assert response.status_code == 200
    assert {"name", "email"} <= set(response.context["form"].errors)
    assert not Contact.objects.exists()


def test_communication_with_a_follow_up_date(engineer_client, engineer, customer, contact):
    """R-COMM-1: time, channel, participants, key points, feedback, next step and its date."""
    due = timezone.now() + timedelta(days=3)
    data = {
        "occurred_at": local(timezone.now() - timedelta(hours=2)),
        "channel": Channel.SITE_VISIT,
        "place": "Ningbo plant",
        "contact": contact.pk,
        "participants": "Plant manager",
        "participant_users": [engineer.pk],  # R-COMM-2
        "key_points": "Walked the line",
        "customer_feedback": "Positive",
        "next_step": "Send a proposal outline",
        "next_step_due_at": local(due),
    }
    response = engineer_client.post(reverse("leads:communication_create", args=[customer.pk]), data)
    assert response["Location"] == customer.get_absolute_url()
    record = CommunicationRecord.objects.get()
    assert (record.customer, record.contact, record.place) == (customer, contact, "Ningbo plant")
    assert record.next_step_due_at is not None
    page = engineer_client.get(customer.get_absolute_url()).content.decode()
    assert "Walked the line" in page


def test_communication_date_without_next_step_is_refused(engineer_client, customer):
    data = {
        "occurred_at": local(timezone.now()),
        "channel": Channel.PHONE,
        "key_points": "Call",
        "next_step": "",
        "next_step_due_at": local(timezone.now() + timedelta(days=1)),
    }
    response = engineer_client.post(reverse("leads:communication_create", args=[customer.pk]), data)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not CommunicationRecord.objects.exists()


def test_communication_in_the_future_is_refused(engineer_client, customer):
    data = {"occurred_at": local(timezone.now() + timedelta(days=2)), "channel": "phone", "key_points": "x"}
    response = engineer_client.post(reverse("leads:communication_create", args=[customer.pk]), data)
    assert response.status_code == 200
    assert response.context["form"].errors["occurred_at"]
    assert not CommunicationRecord.objects.exists()


def test_customer_merged_into_another(engineer_client, customer, contact, team, sales_rep):
    """R-LEAD-2 for customers: contacts move; the merged one points at the survivor."""
    duplicate = CustomerFactory(team=team, owner=sales_rep, name="Donghai Energy Shanghai")
    moved = ContactFactory(customer=duplicate)
    response = engineer_client.post(
        reverse("leads:customer_merge", args=[duplicate.pk]), {"target": customer.pk}
    )
    assert response["Location"] == customer.get_absolute_url()
    moved.refresh_from_db()
    assert moved.customer == customer
    page = engineer_client.get(customer.get_absolute_url()).content.decode()
    assert 'data-testid="merge-records"' in page
    page = engineer_client.get(duplicate.get_absolute_url()).content.decode()
    assert 'data-testid="merged-into"' in page
    assert reverse("leads:customer_edit", args=[duplicate.pk]) not in page


def test_customer_history_lists_contacts_and_assignments(engineer_client, customer, contact, engineer):
    services.contact_update(actor=engineer, contact=contact, data={"title": "Plant director"})
    page = engineer_client.get(customer.get_absolute_url()).content.decode()
    assert "Plant director" in page
    assert "presales assignment" in page


# --- masking and exports (R-CUST-6) --------------------------------------------------------


def test_contact_details_masked_for_all_scope_outsiders(
    general_manager_client, client, engineer, lead, contact
):
    """R-CUST-6: a general manager sees the records, not the phone numbers and emails."""
    # when the general manager opens the lead, the list and the customer
    detail = general_manager_client.get(lead.get_absolute_url()).content.decode()
    listing = general_manager_client.get(reverse("leads:lead_list")).content.decode()
    customer_page = general_manager_client.get(contact.customer.get_absolute_url()).content.decode()
    # then the details are masked everywhere
    for page in (detail, listing):
        assert "13800001234" not in page
        assert "***1234" in page
    assert "li.wei@huadong.example" not in detail
    assert "l***@huadong.example" in detail
    assert "13911115678" not in customer_page
    assert "***5678" in customer_page
    assert "wang@donghai.example" not in customer_page
    # and the owning team sees them in full
    client.force_login(engineer)
    assert "13800001234" in client.get(lead.get_absolute_url()).content.decode()
    assert "13911115678" in client.get(contact.customer.get_absolute_url()).content.decode()


def read_csv(response) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_lead_export_is_masked_for_outsiders_and_logged(general_manager_client, general_manager, lead):
    """R-CUST-6: every export is logged; details masked where the viewer lacks access."""
    response = general_manager_client.get(reverse("leads:lead_export"), {"status": "new"})
    rows = read_csv(response)
    assert len(rows) == 2
    assert "13800001234" not in rows[1]
    assert "***1234" in rows[1]
    assert "l***@huadong.example" in rows[1]
    log = ExportLog.objects.get()
    assert (log.user, log.resource, log.row_count, log.query) == (general_manager, "leads", 1, "status=new")


def test_lead_export_in_full_for_the_team(engineer_client, engineer, lead, other_team):
    LeadFactory(team=other_team, company_name="Hidden Corp")
    rows = read_csv(engineer_client.get(reverse("leads:lead_export")))
    assert len(rows) == 2
    assert "13800001234" in rows[1]
    assert "li.wei@huadong.example" in rows[1]
    assert ExportLog.objects.get().user == engineer


def test_customer_export_masks_contacts_for_outsiders(general_manager_client, client, engineer, contact):
    rows = read_csv(general_manager_client.get(reverse("leads:customer_export")))
    assert "***5678" in rows[1][-1]
    assert "13911115678" not in rows[1][-1]
    client.force_login(engineer)
    rows = read_csv(client.get(reverse("leads:customer_export")))
    assert "13911115678" in rows[1][-1]
    assert list(ExportLog.objects.values_list("resource", "row_count")) == [
        ("customers", 1),
        ("customers", 1),
    ]


# --- list pages: filters, htmx, sorting, query counts --------------------------------------


def test_filters_with_htmx_return_only_the_table(engineer_client, lead, team, sales_rep):
    LeadFactory(team=team, owner=sales_rep, company_name="Other Company")
    response = engineer_client.get(reverse("leads:lead_list"), {"q": "Huadong"}, HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert "<html" not in page
    assert 'data-testid="lead-table"' in page
    assert "Huadong Precision" in page
    assert "Other Company" not in page
    assert reverse("leads:lead_export") + "?q=Huadong" in page


def test_first_contact_filter(engineer_client, team, sales_rep):
    """R-LEAD-3: the list filters overdue first contacts."""
    LeadFactory(team=team, owner=sales_rep, company_name="Fresh", received_at=timezone.now())
    LeadFactory(
        team=team, owner=sales_rep, company_name="Late", received_at=timezone.now() - timedelta(hours=30)
    )
    page = engineer_client.get(reverse("leads:lead_list"), {"first_contact": "overdue"}).content.decode()
    assert "Late" in page
    assert "Fresh" not in page


def test_tables_sort(engineer_client, team, sales_rep):
    for name in ("Bravo", "Alpha", "Charlie"):
        LeadFactory(team=team, owner=sales_rep, company_name=name)
    response = engineer_client.get(reverse("leads:lead_list"), {"sort": "company_name"})
    names = [row.record.company_name for row in response.context["table"].paginated_rows]
    assert names == ["Alpha", "Bravo", "Charlie"]


def test_customer_list_filters(engineer_client, customer, team, sales_rep):
    CustomerFactory(team=team, owner=sales_rep, name="Beijing Retail", region="Beijing")
    page = engineer_client.get(reverse("leads:customer_list"), {"q": "Donghai"}).content.decode()
    assert "Donghai Energy Group" in page
    assert "Beijing Retail" not in page


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_lead_list_queries_do_not_grow_with_rows(engineer_client, team, make_user):
    # given 5 leads, each with its own owner and presales engineer and customer
    def make(n):
        for _ in range(n):
            LeadFactory(
                team=team,
                presales_owner=make_user(Role.PRESALES_ENGINEER, team=team),
                customer=CustomerFactory(team=team),
            )

    make(5)
    url = reverse("leads:lead_list")
    engineer_client.get(url)
    five = count_queries(engineer_client, url)
    # when there are 25; then the page costs the same number of queries
    make(20)
    assert count_queries(engineer_client, url) == five


def test_customer_list_queries_do_not_grow_with_rows(engineer_client, team):
    def make(n):
        for _ in range(n):
            CustomerPresalesFactory(customer=CustomerFactory(team=team))

    make(5)
    url = reverse("leads:customer_list")
    engineer_client.get(url)
    five = count_queries(engineer_client, url)
    make(20)
    assert count_queries(engineer_client, url) == five


# --- navigation and dashboard ----------------------------------------------------------------


def test_navigation_and_dashboard_panel(engineer_client, engineer, team, sales_rep):
    """R-LEAD-3 on the dashboard: my leads due and overdue for their first contact."""
    LeadFactory(team=team, owner=sales_rep, presales_owner=engineer, company_name="Soon")
    LeadFactory(
        team=team,
        owner=sales_rep,
        presales_owner=engineer,
        company_name="Late",
        received_at=timezone.now() - timedelta(hours=30),
    )
    LeadFactory(team=team, owner=sales_rep, company_name="Not mine")
    response = engineer_client.get(reverse("dashboard"))
    page = response.content.decode()
    assert 'data-nav="leads"' in page
    assert 'data-nav="customers"' in page
    assert 'data-badge="leads"' in page
    panel = next(p for p in response.context["panels"] if p["key"] == "leads_first_contact")
    assert (panel["due"], panel["overdue"]) == (1, 1)
    assert "Not mine" not in page
    assert "Soon" in page
    assert "Late" in page


def test_the_first_contact_panels_counts_equal_the_rows_its_links_list(
    engineer_client, engineer, team, sales_rep
):
    """Issue 8: the dashboard counts my leads; its links list exactly those (not every
    visible lead of the team)."""
    # given my leads due and overdue, and the team's other leads in both states
    late = timezone.now() - timedelta(hours=30)
    LeadFactory(team=team, owner=sales_rep, presales_owner=engineer)
    LeadFactory(team=team, owner=sales_rep, presales_owner=engineer, received_at=late)
    LeadFactory(team=team, owner=sales_rep, presales_owner=engineer, received_at=late)
    LeadFactory(team=team, owner=sales_rep)
    LeadFactory(team=team, owner=sales_rep, received_at=late)
    # when the dashboard is shown and each of its links followed
    panel = next(
        p
        for p in engineer_client.get(reverse("dashboard")).context["panels"]
        if p["key"] == "leads_first_contact"
    )
    listed = {
        key: engineer_client.get(panel[f"{key}_url"]).context["table"].paginator.count
        for key in ("due", "overdue")
    }
    # then each count is the number of rows its link lists
    assert (panel["due"], panel["overdue"]) == (1, 2)
    assert listed == {"due": 1, "overdue": 2}


def test_no_panel_or_navigation_without_role(client, no_role_user):
    client.force_login(no_role_user)
    page = client.get(reverse("dashboard")).content.decode()
    assert 'data-nav="leads"' not in page
    assert 'data-panel="leads_first_contact"' not in page


def test_customer_page_shows_leads_and_communications(engineer_client, customer, team, sales_rep, engineer):
    LeadFactory(team=team, owner=sales_rep, customer=customer, contact_name="Sun Li")
    CommunicationFactory(customer=customer, author=engineer, key_points="Quarterly review call")
    page = engineer_client.get(customer.get_absolute_url()).content.decode()
    assert "Sun Li" in page
    assert "Quarterly review call" in page


def test_form_messages_are_worded_for_people(engineer_client, team, sales_rep):
    """Issue 8: too long a text and a choice not offered are told plainly, not in Django's
    developer wording ("Ensure this value has at most 200 characters")."""
    # given the intake form with too long a company name and a source that is not offered
    data = {**lead_form_data(team, sales_rep), "company_name": "x" * 201, "source": "carrier_pigeon"}
    # when it is sent
    response = engineer_client.post(reverse("leads:lead_create"), data)
    # then each field says what to do
    errors = response.context["form"].errors
    assert errors["company_name"] == ["Please shorten this to 200 characters or fewer (it has 201)."]
    assert errors["source"] == ["Please choose one of the options offered."]
    assert not Lead.objects.exists()


def test_folded_filters_say_when_they_are_active(client, engineer):
    """Issue 8: on a phone the filters hide behind a button, which marks that a filter is set
    (sorting or paging is no filter)."""
    # given a signed-in engineer
    client.force_login(engineer)
    url = reverse("leads:lead_list")
    marker = 'data-testid="filters-active"'

    # when the list is opened plain, sorted, and filtered
    plain = client.get(url).content.decode()
    sorted_only = client.get(url, {"sort": "company_name"}).content.decode()
    filtered = client.get(url, {"q": "Huadong"}).content.decode()

    # then only the filtered list marks the toggle
    assert marker not in plain
    assert marker not in sorted_only
    assert marker in filtered
