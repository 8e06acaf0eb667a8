"""The audit trail: who, when, before and after, for every change (issue 2 §9, R-OPP-3)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from leads.choices import Channel, DisqualifyReason, LeadStatus
from leads.models import Lead
from leads.services import lead_disqualify, lead_record_first_contact, lead_update
from presales.core.audit import history_entries
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


def _lead(engineer, team):
    # given a lead created through the history-recording manager
    lead = LeadFactory(team=team, owner=engineer, received_at=timezone.now() - timedelta(hours=3))
    lead.history.all().update(history_user=engineer)
    return lead


def test_update_shows_who_when_before_and_after(engineer, team):
    lead = _lead(engineer, team)
    # when the contact title changes
    lead_update(actor=engineer, lead=lead, data={"contact_title": "CTO"})
    # then the newest entry names the actor and the old and new values
    entry = history_entries(Lead.history.filter(id=lead.pk))[0]
    assert entry.who == engineer
    titles = [c for c in entry.changes if c.new == "CTO"]
    assert titles and titles[0].old == "CIO"


def test_state_fields_that_no_form_edits_are_still_audited(engineer, team):
    """Status and deadlines are editable=False; their changes must still appear."""
    lead = _lead(engineer, team)
    # when the first contact is recorded and then the lead is disqualified
    lead_record_first_contact(
        actor=engineer,
        lead=lead,
        data={"channel": Channel.PHONE, "key_points": "Call", "occurred_at": timezone.now()},
    )
    lead_disqualify(actor=engineer, lead=lead, reason=DisqualifyReason.NO_BUDGET)
    # then both status changes are in the trail with their before and after
    entries = history_entries(Lead.history.filter(id=lead.pk))
    status_changes = [(c.old, c.new) for e in entries for c in e.changes if c.field == "status"]
    assert (str(LeadStatus.CONTACTED.label), str(LeadStatus.DISQUALIFIED.label)) in status_changes
    assert (str(LeadStatus.NEW.label), str(LeadStatus.CONTACTED.label)) in status_changes
