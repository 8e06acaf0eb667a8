"""One door for the lead's status (R-LEAD-2, R-LEAD-4): every status change goes through
LEAD_MACHINE and writes its LeadStatusChange row (who, when, from, to, move, note); the rows
are shown on the lead's page and read from the API. And the one writer of a customer's
``last_progress_at`` (R-CUST-3)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from leads import services
from leads.choices import Channel, LeadStatus
from leads.models import Customer, Lead, LeadStatusChange, MergeRecord
from presales.core.errors import GateRefused, NotAllowed
from tests.factories import CustomerFactory, LeadFactory

pytestmark = pytest.mark.django_db

EVALUATION = {
    "background": "Plant expansion in 2025.",
    "needs": "MES for two production lines.",
    "budget": "About 3M CNY approved.",
    "competition": "One local vendor.",
    "timeline": "Tender in Q3.",
}


def rows(lead) -> list[tuple]:
    """The lead's status changes, oldest first, as (from, to, move, actor, note)."""
    return list(
        LeadStatusChange.objects.filter(lead=lead)
        .order_by("at", "id")
        .values_list("from_status", "to_status", "move", "actor__username", "note")
    )


def first_contact(actor, lead):
    return services.lead_record_first_contact(
        actor=actor, lead=lead, data={"channel": Channel.PHONE, "key_points": "Needs MES."}
    )


# --- every status change writes its row ----------------------------------------------------


def test_first_contact_then_qualification_are_recorded_with_who_and_when_R_LEAD_4(engineer, team):
    # given a new lead
    lead = LeadFactory(team=team)
    before = timezone.now()
    # when its first contact is recorded, then it is qualified
    first_contact(engineer, lead)
    lead = services.lead_qualify(actor=engineer, lead=lead, evaluation=EVALUATION)
    # then each status change has its row: who, from, to, by which move
    assert rows(lead) == [
        (LeadStatus.NEW, LeadStatus.CONTACTED, "record_first_contact", engineer.username, ""),
        (LeadStatus.CONTACTED, LeadStatus.QUALIFIED, "qualify", engineer.username, ""),
    ]
    qualified = LeadStatusChange.objects.get(lead=lead, move="qualify")
    assert before <= qualified.at == lead.decided_at


def test_disqualification_is_recorded_with_its_note_R_LEAD_4(engineer, team):
    lead = LeadFactory(team=team)
    services.lead_disqualify(actor=engineer, lead=lead, reason="no_need", note="They built it in-house.")
    assert rows(lead) == [
        (LeadStatus.NEW, LeadStatus.DISQUALIFIED, "disqualify", engineer.username, "They built it in-house.")
    ]


def test_a_merge_records_both_leads_status_changes_R_LEAD_2(sales_rep, team):
    # given a new lead, and its duplicate already contacted
    target = LeadFactory(team=team)
    source = LeadFactory(team=team, status=LeadStatus.CONTACTED, first_contacted_at=timezone.now())
    # when the duplicate is merged into the new lead
    services.lead_merge(actor=sales_rep, source=source, target=target)
    # then the duplicate is merged, and the survivor took over its first contact, each with its row
    assert rows(source) == [
        (
            LeadStatus.CONTACTED,
            LeadStatus.MERGED,
            "merge",
            sales_rep.username,
            f"Merged into lead #{target.pk}.",
        )
    ]
    assert rows(target) == [
        (
            LeadStatus.NEW,
            LeadStatus.CONTACTED,
            "record_first_contact",
            sales_rep.username,
            f"First contact taken over from the merged lead #{source.pk}.",
        )
    ]


def test_merge_notes_are_shown_in_the_readers_language_R_LEAD_2(sales_rep, team):
    """Issue 8: the notes a merge writes are codes, put into words for each reader."""
    # given a merge done by a sales rep who works in Chinese
    target = LeadFactory(team=team)
    source = LeadFactory(team=team, status=LeadStatus.CONTACTED, first_contacted_at=timezone.now())
    with translation.override("zh-hans"):
        services.lead_merge(actor=sales_rep, source=source, target=target)
    merged = LeadStatusChange.objects.get(lead=source)
    # when an English and a Chinese reader read its note
    with translation.override("en"):
        english = merged.note_text
    with translation.override("zh-hans"):
        chinese = merged.note_text
    # then each reads it in their language
    assert english == f"Merged into lead #{target.pk}."
    assert chinese == f"已合并到线索 #{target.pk}。"


def test_a_merge_into_an_already_contacted_lead_moves_only_the_duplicate_R_LEAD_2(sales_rep, team):
    target = LeadFactory(team=team, status=LeadStatus.CONTACTED, first_contacted_at=timezone.now())
    source = LeadFactory(team=team)
    services.lead_merge(actor=sales_rep, source=source, target=target)
    assert rows(target) == []
    assert [r[:3] for r in rows(source)] == [(LeadStatus.NEW, LeadStatus.MERGED, "merge")]


# --- refused moves change nothing ----------------------------------------------------------


def test_a_merge_into_a_closed_lead_is_refused_by_the_merge_gate_R_LEAD_2(sales_rep, team):
    # given an open lead and a disqualified one
    lead = LeadFactory(team=team)
    closed = LeadFactory(team=team, status=LeadStatus.DISQUALIFIED, disqualify_reason="no_need")
    # when the open lead is merged into the closed one
    with pytest.raises(GateRefused) as refused:
        services.lead_merge(actor=sales_rep, source=lead, target=closed)
    # then the merge move's gate says why, and nothing changed
    assert refused.value.reasons == ["Leads can only be merged into an open lead."]
    assert Lead.objects.get(pk=lead.pk).status == LeadStatus.NEW
    assert not LeadStatusChange.objects.exists() and not MergeRecord.objects.exists()


def test_refused_status_moves_write_no_row_R_LEAD_4(engineer, other_engineer, team):
    lead = LeadFactory(team=team)
    # no reason given
    with pytest.raises(GateRefused):
        services.lead_disqualify(actor=engineer, lead=lead, reason="")
    # someone of another team
    with pytest.raises(NotAllowed):
        services.lead_disqualify(actor=other_engineer, lead=lead, reason="no_need")
    # qualifying without a first contact
    with pytest.raises(GateRefused):
        services.lead_qualify(actor=engineer, lead=lead, evaluation=EVALUATION)
    assert Lead.objects.get(pk=lead.pk).status == LeadStatus.NEW
    assert not LeadStatusChange.objects.exists()


def test_the_offered_moves_leave_input_gates_to_the_move(engineer, team):
    """Input guards run when the move is made, not when it is offered: disqualifying and
    merging are offered as allowed (their forms ask for the reason and the survivor)."""
    from leads.transitions import LEAD_MACHINE

    lead = LeadFactory(team=team)
    options = {o.move.name: o.reasons for o in LEAD_MACHINE.options(lead, engineer)}
    assert options == {
        "record_first_contact": [],
        "qualify": ["Record the first contact before qualifying the lead."],
        "disqualify": [],
        "merge": [],
    }
    assert LEAD_MACHINE.reasons(lead, engineer, "merge") == ["Choose the lead this one duplicates."]


# --- page and API --------------------------------------------------------------------------


def test_the_lead_page_shows_its_status_history_R_LEAD_4(client, engineer, team):
    lead = LeadFactory(team=team)
    services.lead_disqualify(actor=engineer, lead=lead, reason="no_need", note="In-house build.")
    client.force_login(engineer)
    response = client.get(lead.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    section = html[html.index('data-testid="status-history"') :]
    section = section[: section.index("</table>")]
    assert "New" in section and "Disqualified" in section
    assert str(engineer) in section and "In-house build." in section


def _url(lead) -> str:
    return reverse("lead-status-changes", args=[lead.pk])


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 401), ("no_role_user", 403), ("other_engineer", 404), ("engineer", 200), ("manager", 200)],
)
def test_status_changes_api_permission_matrix_R_LEAD_4(request, client_for, engineer, team, who, status):
    lead = LeadFactory(team=team)
    first_contact(engineer, lead)
    actor = None if who == "anonymous" else request.getfixturevalue(who)
    response = client_for(actor).get(_url(lead))
    assert response.status_code == status, response.content
    if status == 200:
        [change] = response.json()
        assert change["from_status"] == LeadStatus.NEW and change["to_status"] == LeadStatus.CONTACTED
        assert (change["move"], change["actor"], change["actor_name"]) == (
            "record_first_contact",
            engineer.pk,
            str(engineer),
        )
        assert change["at"]


def test_status_changes_api_is_read_only(client_for, engineer, team):
    lead = LeadFactory(team=team)
    assert client_for(engineer).post(_url(lead), {}).status_code == 405


@pytest.mark.parametrize("count", [2, 10])
def test_status_changes_api_costs_the_same_queries_for_few_or_many_rows(
    client_for, engineer, team, django_assert_num_queries, count
):
    # given a lead with ``count`` status changes by different people
    lead = LeadFactory(team=team)
    for i in range(count):
        LeadStatusChange.objects.create(
            lead=lead,
            from_status=LeadStatus.NEW,
            to_status=LeadStatus.CONTACTED,
            move="record_first_contact",
            actor=LeadFactory(team=team).owner,
            at=timezone.now() - timedelta(minutes=i),
        )
    client = client_for(engineer)
    # then the list costs the same queries: the user's roles and teams, the lead, the rows
    with django_assert_num_queries(4):
        response = client.get(_url(lead))
    assert len(response.json()) == count


# --- the one writer of last_progress_at (R-CUST-3) -------------------------------------------


def test_customer_progress_only_moves_forward_R_CUST_3(team):
    now = timezone.now()
    customer = CustomerFactory(team=team, last_progress_at=now - timedelta(days=10))
    services.customer_record_progress(customer_id=customer.pk, at=now - timedelta(days=20))
    assert Customer.objects.get(pk=customer.pk).last_progress_at == now - timedelta(days=10)
    services.customer_record_progress(customer_id=customer.pk, at=now)
    assert Customer.objects.get(pk=customer.pk).last_progress_at == now
    services.customer_record_progress(customer_id=None, at=now)  # no customer: nothing


def test_qualifying_a_lead_is_progress_with_its_customer_R_CUST_3(engineer, team):
    customer = CustomerFactory(
        team=team, owner=engineer, last_progress_at=timezone.now() - timedelta(days=90)
    )
    lead = LeadFactory(
        team=team, customer=customer, status=LeadStatus.CONTACTED, first_contacted_at=timezone.now()
    )
    lead = services.lead_qualify(actor=engineer, lead=lead, evaluation=EVALUATION)
    assert Customer.objects.get(pk=customer.pk).last_progress_at == lead.decided_at
