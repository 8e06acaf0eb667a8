"""Issue 9: web lists count at most a capped number of rows, and detail pages show a
window of their timelines (communications, audit trail) with a link to the older ones."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from leads.choices import Channel, Industry
from leads.models import CommunicationRecord, Customer
from presales.core.audit import history_page
from presales.core.windows import TIMELINE_WINDOW
from presales.web.paging import CappedPaginator
from presales.web.views import ScopedListView
from tests.factories import CustomerFactory, LeadFactory, UserFactory

pytestmark = pytest.mark.django_db


# --- capped counts -----------------------------------------------------------------------------


def _customer_pks(page: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'href="/leads/customers/(\d+)/"', page)]


def _next_link(page: str) -> str | None:
    found = re.search(r'class="next page-item">\s*<a href="([^"]+)"', page)
    return html.unescape(found.group(1)) if found else None


@pytest.fixture
def small_pages(monkeypatch):
    """A cap of 4 rows and pages of 2, so that seven rows go past the cap."""
    monkeypatch.setattr(CappedPaginator, "cap", 4)
    monkeypatch.setattr(ScopedListView, "table_pagination", {"per_page": 2})


def test_issue_9_a_list_counts_at_most_the_cap_with_a_limit_in_its_sql(client, engineer, team, small_pages):
    # given seven customers of the engineer's team
    CustomerFactory.create_batch(7, team=team)
    client.force_login(engineer)
    url = reverse("leads:customer_list")
    # when the first page is shown
    with CaptureQueriesContext(connection) as ctx:
        page = client.get(url).content.decode()
    # then its count reads at most cap + 1 rows: a LIMIT inside the count, no bare COUNT
    counts = [q["sql"] for q in ctx.captured_queries if "COUNT(" in q["sql"] and "leads_customer" in q["sql"]]
    assert counts and all("LIMIT 5" in sql for sql in counts), counts
    # and the page says there are more than the cap, not how many
    assert "More than 4 customers" in page
    assert 'data-testid="count-capped"' in page
    assert "7 customers" not in page


def test_issue_9_pages_past_the_cap_keep_the_filters_and_the_order(client, engineer, team, small_pages):
    # given seven manufacturers and two banks
    makers = CustomerFactory.create_batch(7, team=team, industry=Industry.MANUFACTURING)
    CustomerFactory.create_batch(2, team=team, industry=Industry.FINANCE)
    client.force_login(engineer)
    url = f"{reverse('leads:customer_list')}?industry={Industry.MANUFACTURING}&sort=-name"
    # when the "next" links are followed from the first page
    seen: list[int] = []
    pages = 0
    while url:
        response = client.get(url if url.startswith("/") else reverse("leads:customer_list") + url)
        assert response.status_code == 200
        body = response.content.decode()
        seen += _customer_pks(body)
        pages += 1
        url = _next_link(body)
        if url:
            assert f"industry={Industry.MANUFACTURING}" in url and "sort=-name" in url
    # then every manufacturer is listed once, in the order asked, past the cap too
    expected = [c.pk for c in sorted(makers, key=lambda c: c.name, reverse=True)]
    assert seen == expected and pages == 4
    # and the last page knows the end: it counts the seven rows it reached
    assert "7 customers" in body and 'data-testid="count-capped"' not in body


def test_issue_9_a_list_under_the_cap_shows_its_exact_count(client, engineer, team, small_pages):
    CustomerFactory.create_batch(3, team=team)
    client.force_login(engineer)
    page = client.get(reverse("leads:customer_list")).content.decode()
    assert "3 customers" in page and "More than" not in page


# --- timelines of the detail pages ---------------------------------------------------------


def _communications(customer: Customer, n: int, author) -> list[CommunicationRecord]:
    """``n`` communications, one a minute from yesterday's local noon, so they share a date
    whatever the clock says when the test runs (their titles name the date)."""
    noon = timezone.localtime().replace(hour=12, minute=0, second=0, microsecond=0)
    start = noon - timedelta(days=1)
    rows = [
        CommunicationRecord(
            customer=customer,
            channel=Channel.PHONE,
            key_points=f"Call number {i}",
            occurred_at=start + timedelta(minutes=i),
            author=author,
        )
        for i in range(n)
    ]
    return bulk_create_with_history(rows, CommunicationRecord, default_user=author)


def _follow(client, first_page: str, marker: str, testid: str) -> tuple[list[str], int]:
    """Follow the "Show older" links from the detail page; the markers seen and the windows."""
    seen = re.findall(marker, first_page)
    windows = 1
    link = re.search(rf'href="([^"]+)"[^>]*data-testid="{testid}"', first_page)
    while link:
        response = client.get(html.unescape(link.group(1)), HTTP_HX_REQUEST="true")
        assert response.status_code == 200
        body = response.content.decode()
        seen += re.findall(marker, body)
        windows += 1
        link = re.search(rf'href="([^"]+)"[^>]*data-testid="{testid}"', body)
    return seen, windows


def test_issue_9_a_customer_with_300_communications_shows_a_window_and_pages_the_rest(client, engineer, team):
    # given a customer with 300 communications
    customer = CustomerFactory(team=team, owner=engineer)
    records = _communications(customer, 300, engineer)
    client.force_login(engineer)
    # when its page opens
    page = client.get(customer.get_absolute_url()).content.decode()
    # then it shows the newest window only, and a link to the older ones
    shown = re.findall(r'data-communication="(\d+)"', page)
    newest = sorted(records, key=lambda r: r.occurred_at, reverse=True)
    assert shown == [str(r.pk) for r in newest[:TIMELINE_WINDOW]]
    assert 'data-testid="communications-more"' in page
    # and the audit trail too is a window
    assert page.count('class="border-bottom py-2"') <= TIMELINE_WINDOW
    assert 'data-testid="history-more"' in page
    # and the page weighs about the same as with a window's worth of communications
    assert len(page) < 120_000
    # when "Show older" is followed to the end
    seen, windows = _follow(client, page, r'data-communication="(\d+)"', "communications-more")
    # then every communication is shown once, newest first
    assert seen == [str(r.pk) for r in newest] and windows == 15


def test_issue_9_following_the_older_history_shows_every_change_once(client, engineer, team):
    customer = CustomerFactory(team=team, owner=engineer)
    _communications(customer, 45, engineer)
    for i in range(5):
        customer.region = f"Region {i}"
        customer._history_user = engineer
        customer.save()
    client.force_login(engineer)
    page = client.get(customer.get_absolute_url()).content.decode()
    seen, windows = _follow(client, page, r"«([^»]*)» (?:created|changed)", "history-more")
    # the customer's creation and five changes, the 45 communications created
    assert len(seen) == 51 and windows == 3
    assert seen.count(customer.name) == 6 and len(set(seen) - {customer.name}) == 1


def test_issue_9_a_bad_cursor_is_a_400_and_another_teams_timeline_a_404(client, engineer, other_team):
    mine = CustomerFactory(team=engineer.team, owner=engineer)
    theirs = CustomerFactory(team=other_team)
    client.force_login(engineer)
    bad = reverse("leads:customer_communications", args=[mine.pk]) + "?before=yesterday"
    assert client.get(bad).status_code == 400
    assert client.get(reverse("leads:customer_history", args=[mine.pk]) + "?before=x").status_code == 400
    for name in ("leads:customer_communications", "leads:customer_history"):
        assert client.get(reverse(name, args=[theirs.pk])).status_code == 404


def test_issue_9_the_lead_page_windows_its_communications(client, engineer, team):
    lead = LeadFactory(team=team, owner=engineer)
    start = timezone.now() - timedelta(days=1)
    CommunicationRecord.objects.bulk_create(
        CommunicationRecord(
            lead=lead,
            channel=Channel.PHONE,
            key_points="Call",
            occurred_at=start + timedelta(minutes=i),
            author=engineer,
        )
        for i in range(30)
    )
    client.force_login(engineer)
    page = client.get(lead.get_absolute_url()).content.decode()
    assert page.count("data-communication=") == TIMELINE_WINDOW
    seen, windows = _follow(client, page, r'data-communication="(\d+)"', "communications-more")
    assert len(set(seen)) == 30 == len(seen) and windows == 2


# --- the audit trail's queries -------------------------------------------------------------


def test_issue_9_the_history_window_costs_the_same_queries_for_5_or_50_changes(engineer, team):
    customer = CustomerFactory(team=team, owner=engineer)
    people = [UserFactory(team=team) for _ in range(50)]

    def changes(n: int) -> int:
        for person in people[:n]:
            customer.owner = person
            customer._history_user = person
            customer.save()
        histories = (
            Customer.history.filter(id=customer.pk),
            CommunicationRecord.history.filter(customer_id=customer.pk),
        )
        with CaptureQueriesContext(connection) as ctx:
            page = history_page(*histories)
        # every entry names its owners before and after
        assert all(c.field == "sales owner" for e in page.entries[:-1] for c in e.changes)
        return len(ctx.captured_queries)

    assert changes(5) == changes(45)


def test_issue_9_each_entry_compares_with_the_version_before_it(engineer, team):
    """The previous versions fetched in bulk are those simple-history's prev_record gives."""
    customers = CustomerFactory.create_batch(3, team=team, owner=engineer)
    for round_ in range(4):
        for customer in customers:
            customer.employees = 100 * round_ + customer.pk
            customer.region = f"Region {round_}"
            customer.save()
    page = history_page(Customer.history.filter(id__in=[c.pk for c in customers]), limit=100)
    records = Customer.history.filter(id__in=[c.pk for c in customers]).order_by("-history_date")
    expected = []
    for record in records:
        previous = record.prev_record
        if record.history_type == "+":
            expected.append(None)
        else:
            expected.append((str(previous.employees), str(record.employees)))
    got = [
        next(((c.old, c.new) for c in e.changes if c.field == "employees"), None)
        if e.action == "changed"
        else None
        for e in page.entries
    ]
    assert got == expected
