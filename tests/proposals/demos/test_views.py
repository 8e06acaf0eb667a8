"""Demo and trial pages (R-DEMO-1..3, R-SOL-5): the web route and the admin keep the gates."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import timezone
from icalendar import Calendar

from proposals.choices import VersionStatus
from proposals.demos import desk
from proposals.demos.defaults import ensure_trial_chain
from proposals.models import Demo, TrialRequest
from tests.factories import UserFactory
from tests.proposals.demos.factories import (
    DemoFactory,
    SolutionFactory,
    SolutionVersionFactory,
    TrialRequestFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def web(client, engineer):
    client.force_login(engineer)
    return client


def _form(version, contacts, engineer, **extra):
    starts = (timezone.localtime() + timedelta(days=3)).strftime("%Y-%m-%dT10:00")
    return {
        "solution_version": version.pk,
        "title": "節能方案演示",
        "starts_at": starts,
        "duration_minutes": 60,
        "location": "3F",
        "our_attendees": [engineer.pk],
        "customer_attendees": [c.pk for c in contacts],
        **extra,
    }


def test_r_demo_1_schedule_form_offers_only_approved_versions(web, opportunity, version):
    draft = SolutionVersionFactory(solution=version.solution, status=VersionStatus.DRAFT)
    response = web.get(f"/proposals/opportunity/{opportunity.pk}/demos/new/")
    assert response.status_code == 200
    choices = [v for v, _label in response.context["form"].fields["solution_version"].choices if v]
    assert [int(str(v)) for v in choices] == [version.pk]
    assert draft.pk not in [int(str(v)) for v in choices]


def test_r_sol_5_web_post_of_a_draft_version_is_refused(web, opportunity, version, contacts, engineer):
    """R-SOL-5 through the web form: a tampered POST naming a draft version saves nothing."""
    draft = SolutionVersionFactory(solution=version.solution, status=VersionStatus.DRAFT)
    response = web.post(
        f"/proposals/opportunity/{opportunity.pk}/demos/new/", _form(draft, contacts, engineer)
    )
    assert response.status_code == 200
    assert "solution_version" in response.context["form"].errors
    assert not Demo.objects.exists()


def test_r_demo_1_create_with_agenda_codes(web, opportunity, version, contacts, engineer, requirement):
    response = web.post(
        f"/proposals/opportunity/{opportunity.pk}/demos/new/",
        _form(version, contacts, engineer, agenda=f"能耗監測看板 {requirement.code}\nQ&A"),
    )
    assert response.status_code == 302, response.context["form"].errors if response.context else ""
    demo = Demo.objects.get()
    items = list(demo.agenda.order_by("position"))
    assert [i.text for i in items] == ["能耗監測看板", "Q&A"]
    assert list(items[0].requirements.all()) == [requirement]
    # An unknown code is a form error.
    response = web.post(
        f"/proposals/opportunity/{opportunity.pk}/demos/new/",
        _form(version, contacts, engineer, agenda="x REQ-999"),
    )
    assert "agenda" in response.context["form"].errors


def test_r_demo_1_detail_shows_why_start_is_blocked_and_htmx_ticks(
    web, engineer, team, opportunity, contacts
):
    demo = DemoFactory(team=team, owner=engineer, opportunity=opportunity)
    demo.our_attendees.add(engineer)
    demo.customer_attendees.add(*contacts)
    assert web.post(f"/proposals/demos/{demo.pk}/move/schedule/").status_code == 302
    page = web.get(f"/proposals/demos/{demo.pk}/").content.decode()
    assert "The environment checklist is not complete" in page
    assert "Draft → Scheduled" in page  # the history row
    item = demo.checklist.get(kind="devices")
    response = web.post(
        f"/proposals/demos/{demo.pk}/checklist/{item.pk}/", {"done": "1"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200 and 'id="checklist"' in response.content.decode()
    item.refresh_from_db()
    assert item.done and item.done_by == engineer


def test_r_demo_1_ics_download_per_attendee(web, engineer, team, opportunity, contacts):
    demo = DemoFactory(team=team, owner=engineer, opportunity=opportunity)
    demo.customer_attendees.add(contacts[0])
    response = web.get(f"/proposals/demos/{demo.pk}/ics/contact-{contacts[0].pk}/")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    assert "attachment" in response["Content-Disposition"]
    event = Calendar.from_ical(response.content).walk("VEVENT")[0]
    assert str(event["UID"]) == demo.uid
    assert web.get(f"/proposals/demos/{demo.pk}/ics/contact-{contacts[1].pk}/").status_code == 404


def test_r_demo_1_other_team_gets_404(client, other_engineer, engineer, team, opportunity):
    demo = DemoFactory(team=team, owner=engineer, opportunity=opportunity)
    client.force_login(other_engineer)
    assert client.get(f"/proposals/demos/{demo.pk}/").status_code == 404
    assert client.post(f"/proposals/demos/{demo.pk}/move/cancel/", {"reason": "x"}).status_code == 404
    assert client.get(f"/proposals/opportunity/{opportunity.pk}/demos/new/").status_code == 404
    demo.refresh_from_db()
    assert demo.status == "draft"


def test_r_demo_2_feedback_form(web, engineer, team, opportunity):
    demo = DemoFactory(team=team, owner=engineer, opportunity=opportunity)
    Demo.objects.filter(pk=demo.pk).update(status="done")
    response = web.post(f"/proposals/demos/{demo.pk}/feedback/", {"questions": "?"})
    assert response.status_code == 400
    response = web.post(
        f"/proposals/demos/{demo.pk}/feedback/",
        {"outcome": "neutral", "next_step": "POC", "questions": "接口?"},
    )
    assert response.status_code == 302
    demo.refresh_from_db()
    assert demo.feedback_at is not None and demo.questions == "接口?"


def test_r_demo_desk_section_lists_demos_and_trials(rf: RequestFactory, engineer, team, opportunity):
    DemoFactory(team=team, owner=engineer, opportunity=opportunity, title="第一次演示")
    TrialRequestFactory(team=team, owner=engineer, opportunity=opportunity)
    request = rf.get("/")
    request.user = engineer
    html = render_to_string("proposals/demos/desk.html", desk.desk_context(request, opportunity))
    assert "第一次演示" in html and "0/4" in html and 'data-testid="trial-row"' in html
    from opportunities.desk import desk_sections

    assert [s.order for s in desk_sections() if s.key == "demos"] == [50]


def test_r_demo_3_trial_pages(web, opportunity, manager):
    ensure_trial_chain()
    today = timezone.localdate()
    response = web.post(
        f"/proposals/opportunity/{opportunity.pk}/trials/new/",
        {
            "kind": "loan",
            "items": "2 × 監測終端",
            "period_start": today.isoformat(),
            "period_end": (today + timedelta(days=7)).isoformat(),
            "return_date": (today + timedelta(days=8)).isoformat(),
        },
    )
    assert response.status_code == 302
    trial = TrialRequest.objects.get()
    web.post(f"/proposals/trials/{trial.pk}/submit/")
    trial.refresh_from_db()
    assert trial.status == "in_review"
    assert "Approval" in web.get(f"/proposals/trials/{trial.pk}/").content.decode()


# --- admin: support look-up only -------------------------------------------------------------


def test_r_sol_5_admin_cannot_add_or_change_a_demo(client, engineer, team, opportunity):
    """R-SOL-5 through the admin: demos are read-only there (no add, no change, no delete)."""
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(root)
    demo = DemoFactory(team=team, owner=engineer, opportunity=opportunity)
    draft = SolutionVersionFactory(
        solution=SolutionFactory(opportunity=opportunity), status=VersionStatus.DRAFT
    )
    assert client.get("/admin/proposals/demo/add/").status_code == 403
    response = client.post(
        f"/admin/proposals/demo/{demo.pk}/change/", {"solution_version": draft.pk, "title": "x"}
    )
    assert response.status_code == 403
    demo.refresh_from_db()
    assert demo.solution_version_id != draft.pk
    assert client.get(f"/admin/proposals/demo/{demo.pk}/change/").status_code == 200
    assert client.get("/admin/proposals/trialrequest/add/").status_code == 403


def test_r_demo_desk_section_costs_constant_queries(rf: RequestFactory, engineer, team, opportunity):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    request = rf.get("/")
    request.user = engineer

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            render_to_string("proposals/demos/desk.html", desk.desk_context(request, opportunity))
        return len(ctx.captured_queries)

    DemoFactory(team=team, owner=engineer, opportunity=opportunity)
    TrialRequestFactory(team=team, owner=engineer, opportunity=opportunity)
    count()  # the opportunity caches its project team for the permission check
    few = count()
    for _ in range(5):
        DemoFactory(team=team, owner=engineer, opportunity=opportunity)
        TrialRequestFactory(team=team, owner=engineer, opportunity=opportunity)
    assert count() == few <= 3


def test_r_demo_3_trial_waits_in_the_managers_review_inbox(client, engineer, manager, opportunity):
    """Approval through the engine's inbox: the manager sees what is asked (R-REV-6)."""
    from proposals.demos import services

    ensure_trial_chain()
    trial = TrialRequestFactory(
        team=opportunity.team, owner=engineer, opportunity=opportunity, items="3 × 監測終端"
    )
    services.trial_submit(actor=engineer, trial=trial)
    client.force_login(manager)
    page = client.get("/reviews/").content.decode()
    assert opportunity.title in page


def test_r_demo_1_edit_form_shows_pickers_with_the_chosen_people(
    web, engineer, team, opportunity, contacts, requirement
):
    demo = DemoFactory(team=team, owner=engineer, opportunity=opportunity)
    demo.our_attendees.add(engineer)
    demo.customer_attendees.add(contacts[0])
    from proposals.models import DemoAgendaItem

    DemoAgendaItem.objects.create(demo=demo, text="看板").requirements.add(requirement)
    page = web.get(f"/proposals/demos/{demo.pk}/edit/").content.decode()
    assert "data-autocomplete-url" in page and "multiple" in page
    assert f'value="{engineer.pk}" selected' in page and contacts[0].name in page
    assert contacts[1].name not in page  # only the chosen ones are rendered; the rest are searched
    assert f"看板 {requirement.code}" in page


def test_r_demo_2_demo_page_shows_the_feedback_deadline(web, engineer, team, opportunity):
    from presales.sla.defaults import DEMO_FEEDBACK
    from presales.sla.services import timer_start

    demo = DemoFactory(team=team, owner=engineer, opportunity=opportunity)
    Demo.objects.filter(pk=demo.pk).update(status="done")
    timer = timer_start(kind=DEMO_FEEDBACK, subject=demo, owner=engineer, team=team)
    page = web.get(f"/proposals/demos/{demo.pk}/").content.decode()
    assert f'data-timer="{timer.pk}"' in page
