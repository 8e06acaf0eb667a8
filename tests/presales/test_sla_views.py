"""Deadlines and notifications pages and API: who sees what (R-SLA-3, R-KPI-3, R-SLA-4)."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from presales.core.roles import Role
from presales.sla.defaults import LEAD_FIRST_CONTACT
from presales.sla.models import Notification, SlaPolicy
from presales.sla.services import timer_start
from tests.factories import LeadFactory, NotificationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(make_user, team):
    return make_user(Role.ADMIN, team=team, username="admin")


@pytest.fixture
def other_manager(make_user, other_team):
    user = make_user(Role.PRESALES_MANAGER, team=other_team, username="other_manager")
    other_team.manager = user
    other_team.save()
    return user


@pytest.fixture
def overdue_timer(engineer, team, manager):
    """An engineer's first-contact timer, overdue by two hours (started 26 h ago)."""
    lead = LeadFactory(team=team, owner=engineer, company_name="Overdue Foundry")
    return timer_start(
        kind=LEAD_FIRST_CONTACT, subject=lead, owner=engineer, start=timezone.now() - timedelta(hours=26)
    )


@pytest.fixture
def soon_timer(engineer, team):
    lead = LeadFactory(team=team, owner=engineer, company_name="Soon Textiles")
    return timer_start(
        kind=LEAD_FIRST_CONTACT, subject=lead, owner=engineer, start=timezone.now() - timedelta(hours=2)
    )


# --- web pages -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 302), ("no_role_user", 403), ("engineer", 200), ("other_engineer", 200), ("manager", 200)],
)
def test_my_deadlines_page_matrix(client, request, overdue_timer, who, status):
    """Every role has a deadlines page with their own timers only."""
    user = None if who == "anonymous" else request.getfixturevalue(who)
    if user:
        client.force_login(user)
    response = client.get(reverse("sla:deadlines"))
    assert response.status_code == status
    if status == 200:
        page = response.content.decode()
        assert ("Overdue Foundry" in page) is (who == "engineer")


def test_my_deadlines_groups_overdue_and_due_soon(client, engineer, overdue_timer, soon_timer):
    client.force_login(engineer)
    response = client.get(reverse("sla:deadlines"))
    groups = {key: [t.pk for t in timers] for key, _label, timers in response.context["groups"]}
    assert groups == {"overdue": [overdue_timer.pk], "due_soon": [soon_timer.pk], "later": []}
    assert 'data-badge="deadlines">1<' in response.content.decode()  # nav badge: my overdue count


def test_my_deadlines_say_how_long_is_left_r_sla_1(client, engineer, soon_timer):
    """A timer due in about 22 hours reads "due in 21 h", not "in 0 minutes"."""
    # given a first-contact timer started two hours ago (24 h limit)
    client.force_login(engineer)

    # when the deadlines page is shown
    page = client.get(reverse("sla:deadlines")).content.decode()

    # then the time left is counted from now to the due time
    assert "(in 0\xa0minutes)" not in page
    assert re.search(r"\(due in 2[12] h\)", page)


@pytest.mark.parametrize(
    ("who", "status", "sees"),
    [
        ("anonymous", 302, False),
        ("no_role_user", 403, False),
        ("engineer", 403, False),
        ("other_manager", 200, False),
        ("manager", 200, True),
    ],
)
def test_team_overdue_page_matrix(client, request, overdue_timer, who, status, sees):
    """R-KPI-3: the manager of the team sees its overdue list; another team's manager does not
    see it; engineers have no team list."""
    user = None if who == "anonymous" else request.getfixturevalue(who)
    if user:
        client.force_login(user)
    response = client.get(reverse("sla:team_deadlines"))
    assert response.status_code == status
    if status == 200:
        assert ("Overdue Foundry" in response.content.decode()) is sees


@pytest.mark.parametrize(
    "name",
    ["sla:policies", "sla:calendar", "sla:webhooks"],
)
@pytest.mark.parametrize(("who", "status"), [("engineer", 403), ("manager", 403), ("admin", 200)])
def test_admin_pages_are_for_admins(client, request, name, who, status):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse(name)).status_code == status


@pytest.mark.parametrize(
    ("who", "offered"),
    [("legal", False), ("engineer", False), ("manager", False), ("admin", True)],
)
def test_deadline_pages_offer_the_admin_pages_only_to_admins_r_sla_4(
    client, request, make_user, who, offered
):
    """Issue 8: the policy and calendar tabs lead to admin-only pages, so only admins see
    them; the others' pages still render."""
    # given a user of the role
    user = make_user(Role.LEGAL, username="legal") if who == "legal" else request.getfixturevalue(who)
    client.force_login(user)
    # when they open their deadlines (and a manager the team's overdue list)
    pages = [reverse("sla:deadlines")] + ([reverse("sla:team_deadlines")] if who == "manager" else [])
    for url in pages:
        response = client.get(url)
        # then the admin tabs are there exactly for admins
        assert response.status_code == 200
        page = response.content.decode()
        for testid in ("policies-tab", "calendar-tab"):
            assert (f'data-testid="{testid}"' in page) is offered, (url, testid)
        assert (reverse("sla:calendar") in page) is offered


@pytest.mark.parametrize("name", ["sla:policies", "sla:calendar", "sla:webhooks"])
def test_admin_pages_keep_their_tabs(client, admin, name):
    client.force_login(admin)
    page = client.get(reverse(name)).content.decode()
    assert 'data-testid="policies-tab"' in page and 'data-testid="calendar-tab"' in page


def test_admin_edits_a_policy_on_the_web_r_sla_4(client, admin):
    client.force_login(admin)
    url = reverse("sla:policy_edit", args=[LEAD_FIRST_CONTACT])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "limit_value": "12",
            "limit_unit": "hours",
            "reminder_hours": "6, 2",
            "escalate_to": "owner_manager",
            "escalate_role": "",
            "escalate_after_hours": "0",
            "repeat_every_hours": "",
            "max_escalations": "1",
        },
    )
    assert response.status_code == 302
    policy = SlaPolicy.objects.get(kind=LEAD_FIRST_CONTACT)
    assert (policy.limit_value, policy.reminder_hours) == (12, [6, 2])


def test_bad_policy_form_shows_errors_and_saves_nothing(client, admin):
    client.force_login(admin)
    before = SlaPolicy.objects.get(kind=LEAD_FIRST_CONTACT).version
    response = client.post(
        reverse("sla:policy_edit", args=[LEAD_FIRST_CONTACT]),
        {
            "limit_value": "12",
            "limit_unit": "hours",
            "reminder_hours": "soon",
            "escalate_to": "owner_manager",
            "escalate_after_hours": "0",
            "max_escalations": "1",
        },
    )
    assert response.status_code == 400
    assert "whole numbers" in response.content.decode()
    assert SlaPolicy.objects.get(kind=LEAD_FIRST_CONTACT).version == before


def test_admin_adds_a_company_day_on_the_web(client, admin):
    client.force_login(admin)
    response = client.post(
        reverse("sla:calendar"), {"date": "2026-12-24", "kind": "day_off", "name": "Party"}
    )
    assert response.status_code == 302
    assert 'data-day="2026-12-24"' in client.get(reverse("sla:calendar")).content.decode()
    client.post(reverse("sla:calendar_delete", args=["2026-12-24"]))
    assert 'data-day="2026-12-24"' not in client.get(reverse("sla:calendar")).content.decode()


def test_notifications_page_shows_only_mine_and_marks_read(client, engineer, other_engineer):
    mine = NotificationFactory(recipient=engineer, title="Mine to read")
    NotificationFactory(recipient=other_engineer, title="Someone else's")
    client.force_login(engineer)
    page = client.get(reverse("sla:notifications")).content.decode()
    assert "Mine to read" in page and "Someone else" not in page
    assert 'data-testid="unread-count">1<' in page  # the bell
    # htmx mark read returns the row
    response = client.post(reverse("sla:notification_read", args=[mine.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and 'data-read="1"' in response.content.decode()
    mine.refresh_from_db()
    assert mine.read_at is not None


def test_cannot_mark_someone_elses_notification(client, engineer, other_engineer):
    theirs = NotificationFactory(recipient=other_engineer)
    client.force_login(engineer)
    assert client.post(reverse("sla:notification_read", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("sla:notification_open", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_read_and_open(client, engineer):
    first = NotificationFactory(recipient=engineer, url="/deadlines/")
    NotificationFactory(recipient=engineer)
    client.force_login(engineer)
    response = client.post(reverse("sla:notification_open", args=[first.pk]))
    assert response.status_code == 302 and response["Location"] == "/deadlines/"
    client.post(reverse("sla:notifications_read_all"))
    assert not Notification.objects.filter(recipient=engineer, read_at__isnull=True).exists()


def test_open_never_redirects_off_site(client, engineer):
    evil = NotificationFactory(recipient=engineer, url="https://evil.example.com/")
    client.force_login(engineer)
    response = client.post(reverse("sla:notification_open", args=[evil.pk]))
    assert response["Location"] == reverse("sla:notifications")


def test_preferences_page_saves_email_choices(client, engineer):
    client.force_login(engineer)
    assert client.get(reverse("sla:notification_preferences")).status_code == 200
    client.post(reverse("sla:notification_preferences"), {"timer_escalation": "on"})
    prefs = dict(engineer.notification_preferences.values_list("kind", "email"))
    # Every registered kind is saved (apps above register theirs, e.g. demo invitations).
    from presales.sla.notifications import notification_kinds

    assert prefs == {kind.kind: kind.kind == "timer_escalation" for kind in notification_kinds()}
    assert {
        "timer_reminder",
        "timer_escalation",
        "customer_grade_change",
        "calendar_unknown",
        "initiation_reopened",
        "review_waiting",
        "review_outcome",
    } <= set(prefs)


def test_bell_partial(client, engineer):
    NotificationFactory(recipient=engineer, title="Bell item")
    client.force_login(engineer)
    response = client.get(reverse("sla:notification_bell"))
    assert "Bell item" in response.content.decode()


def test_timers_partial_shows_a_records_timers(engineer, overdue_timer):
    from django.template import Context, Template

    html = Template("{% load sla %}{% timers_panel lead %}").render(Context({"lead": overdue_timer.subject}))
    assert f'data-timer="{overdue_timer.pk}"' in html and 'data-state="overdue"' in html


# --- API -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status", "count"),
    [
        ("anonymous", 401, None),
        ("no_role_user", 403, None),
        ("other_engineer", 200, 0),
        ("other_manager", 200, 0),
        ("engineer", 200, 1),
        ("manager", 200, 1),
        ("general_manager", 200, 1),
    ],
)
def test_timers_api_matrix(client_for, request, overdue_timer, who, status, count):
    """Own timers; the team's for its manager; nothing of another team."""
    user = None if who == "anonymous" else request.getfixturevalue(who)
    response = client_for(user).get(reverse("timer-list"))
    assert response.status_code == status
    if count is not None:
        assert len(response.json()["results"]) == count
    detail = client_for(user).get(reverse("timer-detail", args=[overdue_timer.pk]))
    assert detail.status_code == (status if count != 0 else 404)


def test_timers_api_filters(client_for, engineer, manager, overdue_timer, soon_timer):
    api = client_for(engineer)
    ids = lambda r: [row["id"] for row in r.json()["results"]]  # noqa: E731
    assert ids(api.get(reverse("timer-list"), {"overdue": "true"})) == [overdue_timer.pk]
    assert ids(api.get(reverse("timer-list"), {"due_soon": "true"})) == [soon_timer.pk]
    assert ids(api.get(reverse("timer-list"), {"scope": "team"})) == []  # not a manager
    body = api.get(reverse("timer-detail", args=[overdue_timer.pk])).json()
    assert body["overdue"] is True and body["subject"]["label"].startswith("Overdue Foundry")
    team_ids = ids(client_for(manager).get(reverse("timer-list"), {"scope": "team", "overdue": "true"}))
    assert team_ids == [overdue_timer.pk]


def test_timers_api_is_read_only(client_for, engineer, overdue_timer):
    response = client_for(engineer).patch(
        reverse("timer-detail", args=[overdue_timer.pk]), {"state": "satisfied"}
    )
    assert response.status_code == 405


def test_notifications_api(client_for, engineer, other_engineer):
    mine = NotificationFactory(recipient=engineer)
    theirs = NotificationFactory(recipient=other_engineer)
    api = client_for(engineer)
    assert [n["id"] for n in api.get(reverse("notification-list")).json()["results"]] == [mine.pk]
    assert api.get(reverse("notification-detail", args=[theirs.pk])).status_code == 404
    assert api.post(reverse("notification-read", args=[theirs.pk])).status_code == 404
    response = api.post(reverse("notification-read", args=[mine.pk]))
    assert response.status_code == 200 and response.json()["is_read"] is True
    assert api.get(reverse("notification-list"), {"unread": "true"}).json()["results"] == []
    NotificationFactory(recipient=engineer)
    assert api.post(reverse("notification-read-all")).json() == {"marked": 1}
    assert client_for(None).get(reverse("notification-list")).status_code == 401


@pytest.mark.parametrize(("who", "status"), [("engineer", 403), ("manager", 403), ("admin", 200)])
def test_policy_api_writes_for_admins_only(client_for, request, who, status):
    """R-SLA-4: every role reads policies; only admins change them; a refusal changes nothing."""
    api = client_for(request.getfixturevalue(who))
    url = reverse("sla-policy-detail", args=[LEAD_FIRST_CONTACT])
    assert api.get(url).status_code == 200
    before = SlaPolicy.objects.get(kind=LEAD_FIRST_CONTACT).version
    response = api.patch(url, {"limit_value": 36, "reminder_hours": [8]}, format="json")
    assert response.status_code == status
    after = SlaPolicy.objects.get(kind=LEAD_FIRST_CONTACT)
    if status == 200:
        assert response.json()["limit_value"] == 36 and after.version == before + 1
    else:
        assert after.version == before and set(response.json()) >= {"code", "message", "fields"}


def test_policy_api_bad_input_is_400_with_fields(client_for, admin):
    api = client_for(admin)
    url = reverse("sla-policy-detail", args=[LEAD_FIRST_CONTACT])
    response = api.patch(url, {"reminder_hours": [-3]}, format="json")
    assert response.status_code == 400 and "reminder_hours" in response.json()["fields"]
    response = api.patch(
        reverse("sla-policy-detail", args=["tender_deadline"]),
        {"limit_unit": "hours", "limit_value": 3},
        format="json",
    )
    assert response.status_code == 400 and "limit_unit" in response.json()["fields"]
    assert api.get(reverse("sla-policy-detail", args=["nope"])).status_code == 404
    kinds = [p["kind"] for p in api.get(reverse("sla-policy-list")).json()]
    assert LEAD_FIRST_CONTACT in kinds and "contract_archive" in kinds


def test_the_e_mail_link_opens_a_notification_by_get_R_SLA_3(client, engineer, other_engineer):
    """The open link is what notification e-mails carry: a GET marks the caller's own
    notification read and goes to its record; someone else's is 404 and stays unread."""
    # given a notification of the engineer and one of another engineer
    mine = NotificationFactory(recipient=engineer, url="/deadlines/")
    theirs = NotificationFactory(recipient=other_engineer, url="/deadlines/")
    # when a signed-out reader follows the link, then they are asked to sign in first
    url = reverse("sla:notification_open", args=[mine.pk])
    assert client.get(url).status_code == 302 and Notification.objects.get(pk=mine.pk).read_at is None
    # when the recipient follows it signed in
    client.force_login(engineer)
    response = client.get(url)
    # then it is read and they land on the record; twice is the same
    assert response.status_code == 302 and response["Location"] == "/deadlines/"
    assert Notification.objects.get(pk=mine.pk).read_at is not None
    assert client.get(url)["Location"] == "/deadlines/"
    # and another's notification is not found and stays unread
    assert client.get(reverse("sla:notification_open", args=[theirs.pk])).status_code == 404
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_the_deadlines_page_shows_the_earliest_and_says_more_follow_issue_9(
    client, engineer, team, monkeypatch
):
    """Issue 9: the page's size does not follow the number of open timers: the earliest
    ``DEADLINES_SHOWN`` are shown, and the page says more follow."""
    from presales.sla import selectors

    monkeypatch.setattr(selectors, "DEADLINES_SHOWN", 3)
    started = timezone.now() - timedelta(hours=30)
    timers = [
        timer_start(
            kind=LEAD_FIRST_CONTACT,
            subject=LeadFactory(team=team, owner=engineer, company_name=f"Foundry {n}"),
            owner=engineer,
            start=started + timedelta(minutes=n),
        )
        for n in range(4)
    ]
    client.force_login(engineer)
    response = client.get(reverse("sla:deadlines"))
    shown = [t.pk for _key, _label, group in response.context["groups"] for t in group]
    assert shown == [t.pk for t in timers[:3]]
    assert 'data-testid="deadlines-more"' in response.content.decode()
    # with room for all of them, no notice
    monkeypatch.setattr(selectors, "DEADLINES_SHOWN", 4)
    response = client.get(reverse("sla:deadlines"))
    assert 'data-testid="deadlines-more"' not in response.content.decode()
