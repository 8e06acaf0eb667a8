"""The .ics invitation (R-DEMO-1, RFC 5545): parsed back and checked line by line."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from proposals.demos import ics, selectors, services
from tests.factories import ContactFactory
from tests.proposals.demos.factories import RequirementFactory, demo_data

pytestmark = pytest.mark.django_db

# 2030-03-05 02:00 UTC is 10:00 in Shanghai.
STARTS = datetime(2030, 3, 5, 2, 0, tzinfo=UTC)


@pytest.fixture
def demo(engineer, opportunity, version, contacts, requirement):
    other = RequirementFactory(opportunity=opportunity, description="提供操作培訓,員工掌握率100%")
    return services.demo_create(
        actor=engineer,
        opportunity=opportunity,
        data=demo_data(
            version,
            title="演示; 節能, 監測\n第二行",
            starts_at=STARTS,
            duration_minutes=90,
            location="客戶會議室 3F, Building A; Shanghai",
        ),
        our_attendees=[engineer],
        customer_attendees=contacts,
        agenda=[
            {"text": "能耗監測看板 — a long agenda line " + "x" * 80, "requirements": [requirement, other]},
            {"text": "Q&A; pricing, next steps"},
        ],
    )


def _ics(demo) -> bytes:
    return ics.demo_ics(selectors.demo_detail_queryset().get(pk=demo.pk))


def _event(raw: bytes):
    cal = Calendar.from_ical(raw)
    events = cal.walk("VEVENT")
    assert len(events) == 1
    return cal, events[0]


def test_r_demo_1_ics_is_a_request_with_the_right_times(demo, engineer, contacts):
    cal, event = _event(_ics(demo))
    assert str(cal["METHOD"]) == "REQUEST"
    assert str(cal["VERSION"]) == "2.0"
    start = event.decoded("DTSTART")
    end = event.decoded("DTEND")
    assert start == STARTS and end == STARTS + timedelta(minutes=90)
    # Local time in the company's zone, with its VTIMEZONE.
    assert start.astimezone(ZoneInfo("Asia/Shanghai")).hour == 10
    assert event["DTSTART"].params["TZID"] == "Asia/Shanghai"
    assert [tz["TZID"] for tz in cal.walk("VTIMEZONE")] == ["Asia/Shanghai"]
    assert str(event["UID"]) == f"demo-{demo.pk}@presales"
    assert int(event["SEQUENCE"]) == 0
    assert str(event["ORGANIZER"]) == f"mailto:{engineer.email}"
    attendees = event["ATTENDEE"]
    assert sorted(str(a) for a in attendees) == sorted(
        [f"mailto:{engineer.email}", *(f"mailto:{c.email}" for c in contacts)]
    )
    assert {str(a.params["CN"]) for a in attendees} == {str(engineer), *(c.name for c in contacts)}


def test_r_demo_1_ics_escapes_folds_and_uses_crlf(demo):
    raw = _ics(demo)
    assert b"\r\n" in raw
    assert b"\n" not in raw.replace(b"\r\n", b"")  # every line ends with CRLF
    for line in raw.split(b"\r\n"):
        assert len(line) <= 75  # folded at 75 octets (RFC 5545 3.1)
    unfolded = raw.replace(b"\r\n ", b"").decode()
    assert "SUMMARY:演示\\; 節能\\, 監測\\n第二行" in unfolded
    assert "LOCATION:客戶會議室 3F\\, Building A\\; Shanghai" in unfolded
    _cal, event = _event(raw)
    assert str(event["SUMMARY"]) == "演示; 節能, 監測\n第二行"
    description = str(event["DESCRIPTION"])
    assert "REQ-" in description and "Q&A; pricing, next steps" in description


def test_r_demo_1_reschedule_keeps_uid_and_raises_sequence(engineer, demo):
    services.demo_update(
        actor=engineer, demo=demo, data={"starts_at": datetime(2030, 3, 6, 6, 30, tzinfo=UTC)}
    )
    services.demo_move(actor=engineer, demo=demo, move="schedule")
    first_uid = str(_event(_ics(demo))[1]["UID"])
    services.demo_update(
        actor=engineer, demo=demo, data={"starts_at": datetime(2030, 3, 7, 6, 30, tzinfo=UTC)}
    )
    _cal, event = _event(_ics(demo))
    assert str(event["UID"]) == first_uid
    assert int(event["SEQUENCE"]) == 1
    assert event.decoded("DTSTART") == datetime(2030, 3, 7, 6, 30, tzinfo=UTC)


def test_r_demo_1_cancelled_demo_sends_a_cancel(engineer, demo):
    services.demo_move(actor=engineer, demo=demo, move="schedule")
    services.demo_move(actor=engineer, demo=demo, move="cancel", reason="客戶改期")
    cal, event = _event(_ics(demo))
    assert str(cal["METHOD"]) == "CANCEL"
    assert str(event["STATUS"]) == "CANCELLED"
    assert int(event["SEQUENCE"]) == 1


def test_r_demo_1_attendee_without_email_still_listed(engineer, opportunity, version):
    nameless = ContactFactory(customer=opportunity.customer, email="", name="李工")
    demo = services.demo_create(
        actor=engineer, opportunity=opportunity, data=demo_data(version), customer_attendees=[nameless]
    )
    _cal, event = _event(_ics(demo))
    attendee = event["ATTENDEE"]
    attendee = attendee if not isinstance(attendee, list) else attendee[0]
    assert str(attendee.params["CN"]) == "李工"
