"""Escalations respect who may see the record (R-CUST-6 with R-SLA-3): the record's team's
manager, a neutral text for whoever cannot see it, and the record's team's chat robot."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from presales.core.roles import Role
from presales.sla.defaults import LEAD_FIRST_CONTACT
from presales.sla.models import Delivery, Notification, Timer
from presales.sla.models.notifications import DeliveryChannel
from presales.sla.services import sla_policy_update, timer_start
from presales.sla.sweep import sweep
from tests.factories import LeadFactory, TeamWebhookFactory

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=SH)  # a Monday, no holiday near


@pytest.fixture(autouse=True)
def policy(make_user, team):
    admin = make_user(Role.ADMIN, team=team, username="admin")
    sla_policy_update(
        actor=admin,
        kind=LEAD_FIRST_CONTACT,
        data={"limit_value": 24, "limit_unit": "hours", "reminder_hours": []},
    )


@pytest.fixture
def foreign_lead(other_team, engineer):
    """A lead of the other team (which has no manager), owned by our engineer: the owner's
    home team is ``team``, whose manager does not see the lead."""
    return LeadFactory(team=other_team, owner=engineer, company_name="Secret Works")


def overdue_sweep():
    sweep(now=T0 + timedelta(hours=24), enqueue=lambda _pk: None)


def test_escalation_never_falls_back_to_the_owners_other_team_manager_r_cust_6(
    foreign_lead, engineer, manager
):
    """R-CUST-6 / R-SLA-3: a record's team without a manager does not send the record's name
    to the manager of the owner's home team."""
    # given an open first-contact timer on the other team's lead
    timer_start(kind=LEAD_FIRST_CONTACT, subject=foreign_lead, owner=engineer, start=T0)
    # when it is overdue
    overdue_sweep()
    # then only the owner is told
    assert set(Notification.objects.values_list("recipient__username", flat=True)) == {"engineer"}


def test_escalation_to_the_records_team_manager_names_the_record_r_cust_6(
    foreign_lead, engineer, make_user, other_team
):
    # given the record's team has a manager
    boss = make_user(Role.PRESALES_MANAGER, team=other_team, username="boss")
    other_team.manager = boss
    other_team.save()
    timer_start(kind=LEAD_FIRST_CONTACT, subject=foreign_lead, owner=engineer, start=T0)
    # when overdue
    overdue_sweep()
    # then that manager, who sees the lead, is told with its name
    assert "Secret Works" in Notification.objects.get(recipient=boss).title


def test_recipient_who_cannot_see_the_record_gets_a_neutral_text_r_cust_6(foreign_lead, engineer, manager):
    """R-CUST-6: a timer without a team escalates to the owner's team manager, who cannot see
    the lead: the notification names no customer or lead, and still links to the record."""
    # given a team-less timer on the other team's lead
    timer = timer_start(kind=LEAD_FIRST_CONTACT, subject=foreign_lead, owner=engineer, start=T0)
    Timer.objects.filter(pk=timer.pk).update(team=None)
    # when overdue
    overdue_sweep()
    # then the manager's notification is neutral, the owner's names the lead
    told = Notification.objects.get(recipient=manager)
    assert "Secret Works" not in told.title + told.body
    assert told.url == foreign_lead.get_absolute_url()
    assert "Secret Works" in Notification.objects.get(recipient=engineer).title


def test_chat_robot_is_the_records_team_robot_r_cust_6(foreign_lead, engineer, team, other_team, make_user):
    """R-CUST-6: the record's team's chat robot posts it, never the recipient's other team's."""
    # given both teams have a robot taking escalations, and the record's team a manager
    ours = TeamWebhookFactory(team=team)
    theirs = TeamWebhookFactory(team=other_team)
    boss = make_user(Role.PRESALES_MANAGER, team=other_team, username="boss")
    other_team.manager = boss
    other_team.save()
    timer_start(kind=LEAD_FIRST_CONTACT, subject=foreign_lead, owner=engineer, start=T0)
    # when overdue (the owner's home team is ``team``)
    overdue_sweep()
    # then every robot delivery goes to the record's team's robot
    hooks = set(Delivery.objects.filter(channel=DeliveryChannel.WEBHOOK).values_list("webhook_id", flat=True))
    assert hooks == {theirs.pk}
    assert ours.pk not in hooks
