"""Browser journey: an engineer sees an overdue deadline and reads the reminder (R-SLA-3)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from presales.sla.defaults import LEAD_FIRST_CONTACT
from presales.sla.services import timer_start
from presales.sla.sweep import sweep
from tests.factories import LeadFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_engineer_reads_the_escalation_and_sees_the_overdue_deadline(
    live_server, page, engineer, manager, team
):
    # given a first-contact timer overdue by two hours, swept (escalation to owner and manager)
    lead = LeadFactory(team=team, owner=engineer, company_name="Suzhou Optics")
    timer_start(
        kind=LEAD_FIRST_CONTACT, subject=lead, owner=engineer, start=timezone.now() - timedelta(hours=26)
    )
    sweep(now=timezone.now(), enqueue=lambda pk: None)
    # when the engineer signs in
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "engineer")
    page.fill("input[name=password]", "pw")
    page.click("button[type=submit]")
    # then the bell shows one unread notification and the Deadlines entry one overdue timer
    assert page.inner_text("[data-testid=unread-count]") == "1"
    assert page.inner_text("[data-badge=deadlines]") == "1"
    # when they open the notifications and mark the escalation read (htmx)
    page.goto(f"{live_server.url}/notifications/")
    assert "Suzhou Optics" in page.inner_text("[data-testid=notification-list]")
    page.click("[data-testid=mark-read]")
    page.wait_for_selector("[data-notification][data-read='1']")
    # then the bell refreshes without the count
    page.wait_for_selector("[data-testid=unread-count]", state="detached")
    # and the deadlines page lists the overdue timer
    page.click("[data-nav=deadlines]")
    overdue = page.inner_text("[data-group=overdue]")
    assert "Suzhou Optics" in overdue and "Overdue" in overdue
