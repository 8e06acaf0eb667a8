"""The demo's calendar invitation, one file per attendee (RFC 5545, R-DEMO-1).

Built with ``icalendar`` (which folds lines at 75 octets, ends them with CRLF and escapes
commas, semicolons and newlines in text). ``METHOD:REQUEST`` (``CANCEL`` for a cancelled
demo); ``UID`` stable for the demo; ``SEQUENCE`` raised on every reschedule; ``DTSTART`` /
``DTEND`` in the company's time zone (``settings.TIME_ZONE``, Asia/Shanghai by default)
with its ``VTIMEZONE``, so calendars show the right local time anywhere; ``ORGANIZER`` the
demo's organizer; one ``ATTENDEE`` per attendee with ``CN``; the agenda in the description.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vCalAddress, vText

from proposals.demos.choices import DemoStatus
from proposals.models import Demo

PRODID = "-//Presales CRM//Demos//EN"


def _address(name: str, email: str, *, role: str | None = None, partstat: bool = True) -> vCalAddress:
    # A person without an e-mail still appears, with an address that names nobody's inbox.
    address = vCalAddress(f"mailto:{email}" if email else "mailto:noreply@invalid")
    address.params["CN"] = vText(name)
    if role:
        address.params["ROLE"] = vText(role)
    if partstat:
        address.params["PARTSTAT"] = vText("NEEDS-ACTION")
        address.params["RSVP"] = vText("TRUE")
    return address


def description(demo: Demo) -> str:
    lines = [str(_("Solution version: %(version)s") % {"version": demo.solution_version})]
    agenda = list(demo.agenda.all())
    if agenda:
        lines.append(str(_("Agenda:")))
        for number, item in enumerate(agenda, start=1):
            codes = ", ".join(r.code for r in item.requirements.all())
            lines.append(f"{number}. {item.text}" + (f" ({codes})" if codes else ""))
    if demo.online_link:
        lines.append(str(_("Online: %(link)s") % {"link": demo.online_link}))
    return "\n".join(lines)


def demo_ics(demo: Demo, *, language: str | None = None) -> bytes:
    """The invitation of ``demo`` (read with ``selectors.demo_detail_queryset``) as bytes."""
    zone = ZoneInfo(settings.TIME_ZONE)
    with translation.override(language or settings.LANGUAGE_CODE):
        cancelled = demo.status == DemoStatus.CANCELLED
        cal = Calendar()
        cal.add("prodid", PRODID)
        cal.add("version", "2.0")
        cal.add("calscale", "GREGORIAN")
        cal.add("method", "CANCEL" if cancelled else "REQUEST")
        event = Event()
        event.add("uid", demo.uid)
        event.add("sequence", demo.sequence)
        event.add("dtstamp", timezone.now().astimezone(ZoneInfo("UTC")))
        event.add("dtstart", demo.starts_at.astimezone(zone))
        event.add("dtend", demo.ends_at.astimezone(zone))
        event.add("summary", demo.title)
        event.add("description", description(demo))
        if demo.location or demo.online_link:
            event.add("location", demo.location or demo.online_link)
        if demo.online_link:
            event.add("url", demo.online_link)
        event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
        organizer = demo.created_by
        event.add("organizer", _address(str(organizer), organizer.email, partstat=False))
        for user in demo.our_attendees.all():
            event.add("attendee", _address(str(user), user.email, role="REQ-PARTICIPANT"), encode=False)
        for contact in demo.customer_attendees.all():
            event.add("attendee", _address(contact.name, contact.email, role="REQ-PARTICIPANT"), encode=False)
        cal.add_component(event)
        cal.add_missing_timezones()
        return cal.to_ical()
