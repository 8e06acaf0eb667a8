"""How far a deadline is (R-SLA-1, issue 8): hours up to 48 h, whole days beyond, the same
phrase on the deadlines pages, the timers panel and the first-contact badge."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from leads.templatetags.leads_ui import first_contact_badge
from presales.core.i18n import due_phrase
from presales.sla.defaults import LEAD_FIRST_CONTACT
from presales.sla.services import timer_start
from tests.factories import LeadFactory

NOW = timezone.now()


@pytest.mark.parametrize(
    ("hours", "phrase"),
    [
        (0.5, "due in less than 1 h"),
        (5, "due in 5 h"),
        (48, "due in 48 h"),
        (49, "due in 2 days"),
        (24 * 30 + 3, "due in 30 days"),
        (-0.5, "overdue less than 1 h"),
        (-1, "overdue 1 h"),
        (-48, "overdue 48 h"),
        (-49, "overdue 2 days"),
        (-265, "overdue 11 days"),
    ],
)
def test_durations_read_in_hours_up_to_48_h_and_in_days_beyond_R_SLA_1(hours, phrase):
    assert due_phrase(NOW + timedelta(hours=hours), NOW) == phrase


def test_hours_stay_translated_in_chinese():
    with translation.override("zh-hans"):
        assert due_phrase(NOW - timedelta(hours=5), NOW) == "已超时 5 小时"


@pytest.mark.django_db
def test_the_first_contact_badge_counts_weeks_in_days_R_LEAD_3(team, engineer):
    # given a lead whose first contact was due 265 hours ago
    lead = LeadFactory(team=team, owner=engineer)
    now = lead.first_contact_due_at + timedelta(hours=265)
    # when its badge is drawn, then it reads in days
    assert first_contact_badge(lead, now)["label"] == "overdue 11 days"


@pytest.mark.django_db
def test_deadlines_page_and_timers_panel_show_days_for_long_overdue_R_SLA_1(client, team, engineer):
    # given a first-contact timer (24 h) started 13 days ago: overdue 12 days
    lead = LeadFactory(team=team, owner=engineer, company_name="Forgotten Mill")
    timer_start(
        kind=LEAD_FIRST_CONTACT, subject=lead, owner=engineer, start=timezone.now() - timedelta(days=13)
    )
    client.force_login(engineer)
    # when the deadlines page and the lead's page are shown
    deadlines = client.get(reverse("sla:deadlines")).content.decode()
    record = client.get(reverse("leads:lead_detail", args=[lead.pk])).content.decode()
    # then both say it in days
    assert "(overdue 12 days)" in deadlines
    assert "<span data-due-in>overdue 12 days</span>" in record
