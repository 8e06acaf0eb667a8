"""Delivery channels: email (preferences, error classes) and team chat robots (a local
http.server on 127.0.0.1; nothing leaves the machine)."""

import json
import smtplib
import socket
import threading
from datetime import datetime
from http.server import BaseHTTPRequestHandler, HTTPServer
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.test import override_settings

from presales.core.roles import Role
from presales.sla.delivery import PermanentError, TransientError, deliver, send_email, webhook_payload
from presales.sla.models import Delivery, DeliveryChannel, DeliveryState, Notification, NotificationPreference
from presales.sla.notifications import (
    ESCALATION,
    GRADE_CHANGE,
    REMINDER,
    notification_preferences_set,
    notify,
)
from tests.factories import TeamWebhookFactory

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def make(recipient, kind=REMINDER, key="k:1"):
    return notify(
        recipient=recipient,
        kind=kind,
        key=key,
        title="Due soon",
        body="Body",
        url="/deadlines/",
        now=T0,
        enqueue=lambda pk: None,
    )


# --- email -----------------------------------------------------------------------------------


def test_email_follows_the_users_preference(engineer):
    # default: reminders by email
    make(engineer, key="k:1")
    assert Delivery.objects.filter(channel=DeliveryChannel.EMAIL).count() == 1
    # when the user turns reminder emails off
    notification_preferences_set(actor=engineer, email_kinds={ESCALATION})
    make(engineer, key="k:2")
    make(engineer, kind=ESCALATION, key="k:3")
    # then only the escalation gets an email; the in-app notifications all exist
    assert list(Delivery.objects.order_by("id").values_list("notification__key", flat=True)) == ["k:1", "k:3"]
    assert NotificationPreference.objects.get(user=engineer, kind=REMINDER).email is False
    assert engineer.notifications.count() == 3


def test_no_email_without_an_address(make_user, team):
    user = make_user(Role.PRESALES_ENGINEER, team=team, email="")
    make(user)
    assert not Delivery.objects.exists()


def test_email_is_sent_with_an_absolute_link(engineer, settings):
    settings.PRESALES = {**settings.PRESALES, "SITE_URL": "https://crm.example.com"}
    notification = make(engineer)
    mail.outbox.clear()
    assert deliver(delivery_id=notification.deliveries.get().pk, now=T0) == "sent"
    (message,) = mail.outbox
    assert message.to == [engineer.email] and message.subject == "Due soon"
    assert f"https://crm.example.com/notifications/{notification.pk}/open/" in message.body


class RaisingBackend(BaseEmailBackend):
    error: Exception = RuntimeError()

    def send_messages(self, messages):
        raise type(self).error


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (smtplib.SMTPServerDisconnected("gone"), TransientError),
        (smtplib.SMTPConnectError(421, b"busy"), TransientError),
        (TimeoutError("timed out"), TransientError),
        (ConnectionRefusedError(111, "refused"), TransientError),
        (socket.gaierror(-3, "temporary failure in name resolution"), TransientError),
        (smtplib.SMTPDataError(451, b"try later"), TransientError),
        (smtplib.SMTPRecipientsRefused({"a@x": (450, b"mailbox busy")}), TransientError),
        (smtplib.SMTPRecipientsRefused({"a@x": (550, b"no such user")}), PermanentError),
        (smtplib.SMTPAuthenticationError(535, b"bad credentials"), PermanentError),
        (smtplib.SMTPDataError(554, b"rejected"), PermanentError),
    ],
)
def test_email_errors_are_classed_transient_or_permanent(engineer, error, expected):
    """Retries only for network trouble and SMTP 4xx; SMTP 5xx fails at once."""
    notification = make(engineer)
    RaisingBackend.error = error
    with (
        override_settings(EMAIL_BACKEND=f"{__name__}.RaisingBackend"),
        pytest.raises(expected),
    ):
        send_email(notification.deliveries.get())


# --- team chat robots ------------------------------------------------------------------------


class Robot:
    """A local HTTP server that answers like a group robot and records what it receives."""

    def __init__(self, status=200, answer=None):
        self.received: list = []
        robot = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers["Content-Length"])
                robot.received.append(json.loads(self.rfile.read(length)))
                body = json.dumps(answer if answer is not None else {"errcode": 0, "errmsg": "ok"}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/cgi-bin/webhook/send?key=test"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


def _escalation_to(user, key="e:1"):
    notification = notify(
        recipient=user,
        kind=ESCALATION,
        key=key,
        title="Overdue: archive",
        body="Owner: X",
        url="/deadlines/",
        now=T0,
        enqueue=lambda pk: None,
    )
    return notification.deliveries.get(channel=DeliveryChannel.WEBHOOK)


def test_team_robot_receives_the_escalation_once(engineer, team):
    """A team's WeCom robot gets the escalations of the team's people, once."""
    with Robot() as robot:
        TeamWebhookFactory(team=team, flavor="wecom", url=robot.url, kinds=[ESCALATION])
        delivery = _escalation_to(engineer)
        # when
        assert deliver(delivery_id=delivery.pk, now=T0) == "sent"
        assert deliver(delivery_id=delivery.pk, now=T0) == "done"
    # then
    assert robot.received == [
        {"msgtype": "text", "text": {"content": "Overdue: archive\nOwner: X\n/deadlines/"}}
    ]


def test_robot_posts_an_event_once_however_many_people_hear_of_it_r_sla_3(engineer, team, make_user):
    """An escalation told to the owner and the manager, a review step opened to two
    approvers: one post on the team robot per event, one bell (and e-mail) per person."""
    from presales.sla.notifications import Message, notify_many

    manager = make_user(Role.DEPARTMENT_HEAD, team=team, username="robot_mgr")
    hook = TeamWebhookFactory(team=team, kinds=[ESCALATION, REMINDER])
    escalation = [
        Message(person, ESCALATION, f"esc:9:to:{person.pk}", "Overdue", event="timer:9:escalation")
        for person in (engineer, manager)
    ]
    notify_many(escalation, now=T0, enqueue=lambda pk: None)
    posts = Delivery.objects.filter(channel=DeliveryChannel.WEBHOOK, webhook=hook)
    assert posts.count() == 1
    assert Notification.objects.filter(key__startswith="esc:9:").count() == 2
    # a retried call adds nothing; a different event posts again
    notify_many(escalation, now=T0, enqueue=lambda pk: None)
    notify_many(
        [Message(engineer, REMINDER, "rem:10", "Due", event="timer:10:reminder")],
        now=T0,
        enqueue=lambda pk: None,
    )
    assert posts.count() == 2
    # without an explicit event, each key is its own event (as before)
    notify_many(
        [Message(p, ESCALATION, f"solo:{p.pk}", "Overdue") for p in (engineer, manager)],
        now=T0,
        enqueue=lambda pk: None,
    )
    assert posts.count() == 4


def test_robot_only_gets_the_kinds_chosen(engineer, team):
    TeamWebhookFactory(team=team, kinds=[ESCALATION])
    make(engineer, kind=REMINDER)
    make(engineer, kind=GRADE_CHANGE, key="k:2")
    assert not Delivery.objects.filter(channel=DeliveryChannel.WEBHOOK).exists()


@pytest.mark.parametrize(
    ("status", "answer", "outcome", "state"),
    [
        (500, {}, "retry", DeliveryState.PENDING),
        (429, {}, "retry", DeliveryState.PENDING),
        (200, {"errcode": 45009, "errmsg": "api freq out of limit"}, "retry", DeliveryState.PENDING),
        (404, {}, "failed", DeliveryState.FAILED),
        (200, {"errcode": 93000, "errmsg": "invalid webhook url"}, "failed", DeliveryState.FAILED),
        (200, {"code": 19001, "msg": "param invalid"}, "failed", DeliveryState.FAILED),
    ],
)
def test_robot_errors_retry_only_when_transient(engineer, team, status, answer, outcome, state):
    with Robot(status=status, answer=answer) as robot:
        TeamWebhookFactory(team=team, flavor="feishu", url=robot.url, kinds=[ESCALATION])
        delivery = _escalation_to(engineer)
        assert deliver(delivery_id=delivery.pk, now=T0) == outcome
    delivery.refresh_from_db()
    assert delivery.state == state and delivery.last_error


def test_robot_unreachable_is_transient(engineer, team):
    # a port nobody listens on (bound, then closed)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    TeamWebhookFactory(team=team, url=f"http://127.0.0.1:{port}/robot", kinds=[ESCALATION])
    delivery = _escalation_to(engineer)
    assert deliver(delivery_id=delivery.pk, now=T0) == "retry"


@pytest.mark.parametrize(
    ("flavor", "shape"),
    [
        ("wecom", {"msgtype": "text", "text": {"content": "T\nB\nU"}}),
        ("dingtalk", {"msgtype": "text", "text": {"content": "T\nB\nU"}}),
        ("feishu", {"msg_type": "text", "content": {"text": "T\nB\nU"}}),
        ("generic", {"title": "T", "body": "B", "url": "U", "kind": "k", "key": "x"}),
    ],
)
def test_webhook_payload_per_robot(flavor, shape):
    assert webhook_payload(flavor, title="T", body="B", url="U", kind="k", key="x") == shape


def test_admin_sets_a_team_robot_and_others_cannot(team, make_user, engineer):
    from presales.core.errors import DomainError, NotAllowed
    from presales.sla.models import TeamWebhook
    from presales.sla.services import team_webhook_set

    admin = make_user(Role.ADMIN, team=team, username="admin")
    data = {
        "flavor": "dingtalk",
        "url": "https://oapi.dingtalk.com/robot/send?access_token=x",
        "kinds": [ESCALATION],
    }
    with pytest.raises(NotAllowed):
        team_webhook_set(actor=engineer, team=team, data=data)
    assert not TeamWebhook.objects.exists()
    with pytest.raises(DomainError) as exc:
        team_webhook_set(actor=admin, team=team, data={**data, "kinds": ["nonsense"]})
    assert "kinds" in exc.value.fields
    hook = team_webhook_set(actor=admin, team=team, data=data)
    assert hook.flavor == "dingtalk" and hook.enabled


def test_unexpected_sender_error_keeps_the_row_for_recovery(engineer):
    """A bug (not a network error) propagates; the attempt is counted and the lease decides."""
    from presales.sla import delivery as delivery_module

    notification = make(engineer)
    with (
        mock.patch.dict(delivery_module.SENDERS, {"email": mock.Mock(side_effect=KeyError("bug"))}),
        pytest.raises(KeyError),
    ):
        deliver(delivery_id=notification.deliveries.get().pk, now=T0)
    row = notification.deliveries.get()
    assert (row.state, row.attempts) == (DeliveryState.SENDING, 1)


def test_robot_posts_a_bid_decision_to_several_owners_once(engineer, team, make_user):
    """Issue 8: messages of one kind about one page sent together (a bid decision told to
    each owner, no explicit event) are one event for the team robot."""
    from presales.sla.notifications import Message, notify_many

    manager = make_user(Role.SALES_MANAGER, team=team, username="robot_sales_mgr")
    hook = TeamWebhookFactory(team=team, kinds=["bid_decision"])
    notify_many(
        [
            Message(
                person, "bid_decision", f"bid-decision:5:to:{person.pk}", "Bid", url="/opportunities/5/#bids"
            )
            for person in (engineer, manager)
        ],
        now=T0,
        enqueue=lambda pk: None,
    )
    assert Notification.objects.filter(key__startswith="bid-decision:5:").count() == 2
    assert Delivery.objects.filter(channel=DeliveryChannel.WEBHOOK, webhook=hook).count() == 1


def test_robot_posts_the_missing_calendar_year_once_for_all_admins(team, make_user):
    """Issue 8: every administrator is told the year's calendar is missing, each in their
    bell; their team's robot posts it once, not once per administrator."""
    from presales.sla.notifications import CALENDAR_UNKNOWN
    from presales.sla.services import _tell_admins_year_unknown

    for n in range(3):
        make_user(Role.ADMIN, team=team, username=f"robot_admin{n}")
    hook = TeamWebhookFactory(team=team, kinds=[CALENDAR_UNKNOWN])
    assert _tell_admins_year_unknown(2031) == 3
    assert Notification.objects.filter(kind=CALENDAR_UNKNOWN).count() == 3
    assert Delivery.objects.filter(channel=DeliveryChannel.WEBHOOK, webhook=hook).count() == 1
    # a second run tells nobody again
    assert _tell_admins_year_unknown(2031) == 0
