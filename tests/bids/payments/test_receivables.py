"""Receivables (R-PAY-1): per contract, customer, sales owner and team, with the outstanding
by age past due (0–30, 31–60, 61–90, over 90 days; not yet due apart), computed in SQL and
scoped to what the user sees; the page, its CSV export and its constant query count."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bids.models import PaymentInstalment
from bids.payments import selectors, services
from tests.bids.payments.factories import instalments, quick_signed
from tests.factories import CustomerFactory, OpportunityFactory

pytestmark = pytest.mark.django_db


def _signed(team, owner, customer=None):
    opportunity = OpportunityFactory(
        team=team,
        sales_owner=owner,
        presales_owner=owner,
        stage="contract",
        customer=customer or CustomerFactory(team=team),
    )
    return quick_signed(owner, opportunity)


def _due(instalment, days_ago: int) -> None:
    PaymentInstalment.objects.filter(pk=instalment.pk).update(
        due_on=timezone.localdate() - timedelta(days=days_ago)
    )


@pytest.fixture
def book(team, sales_rep):
    """Two contracts of 1,000.00: one 30 % due 10 days ago (100 received), 60 % 45 days ago,
    10 % waiting; the other 30 % 75 days ago, 60 % 120 days ago, 10 % due tomorrow."""
    a = _signed(team, sales_rep)
    first, second, _third = instalments(a)
    _due(first, 10)
    _due(second, 45)
    services.receipt_record(
        actor=sales_rep,
        instalment=first,
        data={"amount": Decimal("100.00"), "received_on": timezone.localdate(), "method": "cash"},
    )
    b = _signed(team, sales_rep)
    first, second, third = instalments(b)
    _due(first, 75)
    _due(second, 120)
    _due(third, -1)
    return a, b


def test_r_pay_1_receivables_ageing_buckets_per_contract(sales_rep, book):
    a, b = book
    rows = {
        row["plan__contract_id"]: row
        for row in selectors.receivables(selectors.receivable_instalments(sales_rep), group="contract")
    }
    figures = {pk: [rows[pk][name] for name in selectors.FIGURES] for pk in rows}
    d = Decimal
    assert figures[a.pk] == [d("1000"), d("100"), d("900"), d("100"), d("200"), d("600"), d("0"), d("0")]
    assert figures[b.pk] == [d("1000"), d("0"), d("1000"), d("100"), d("0"), d("0"), d("300"), d("600")]


def test_r_pay_1_receivables_group_by_customer_owner_and_team(sales_rep, team, book):
    visible = selectors.receivable_instalments(sales_rep)
    for group, expected_rows in (("customer", 2), ("owner", 1), ("team", 1)):
        rows = list(selectors.receivables(visible, group=group))
        assert len(rows) == expected_rows
        assert sum(r["outstanding"] for r in rows) == Decimal("1900.00")
    (team_row,) = selectors.receivables(visible, group="team")
    assert selectors.row_label("team", team_row) == team.name
    assert team_row["days_over_90"] == Decimal("600.00")


def test_r_pay_1_receivables_are_team_scoped(client, sales_rep, other_engineer, book):
    assert not selectors.receivables(
        selectors.receivable_instalments(other_engineer), group="contract"
    ).exists()
    client.force_login(other_engineer)
    page = client.get(reverse("bids:receivables"))
    assert page.status_code == 200 and b"receivables-row" not in page.content


def test_r_pay_1_unsigned_contracts_are_not_receivables(sales_rep, opportunity):
    from tests.bids.payments.factories import drawn_contract

    drawn_contract(sales_rep, opportunity)
    assert not selectors.receivable_instalments(sales_rep).exists()


def test_r_pay_1_receivables_page_filters_and_exports_csv_safely(client, sales_rep, team, other_team, book):
    a, _b = book
    customer = a.opportunity.customer
    customer.name = "=HYPERLINK(evil)"
    customer.save()
    client.force_login(sales_rep)
    page = client.get(reverse("bids:receivables"), {"group": "customer", "team": team.pk})
    assert page.status_code == 200 and page.content.count(b'data-testid="receivables-row"') == 2
    csv = client.get(reverse("bids:receivables"), {"group": "customer", "format": "csv"})
    assert csv["Content-Type"].startswith("text/csv")
    text = csv.content.decode("utf-8-sig")
    assert "'=HYPERLINK(evil)" in text and "\n=HYPERLINK" not in text
    # a team the user may not filter by is a form error, and shows nothing
    refused = client.get(reverse("bids:receivables"), {"team": other_team.pk})
    assert refused.status_code == 200 and b"receivables-row" not in refused.content


def test_r_pay_1_receivables_page_query_count_is_constant(client, sales_rep, team):
    client.force_login(sales_rep)
    _signed(team, sales_rep)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("bids:receivables"), {"group": "contract"}).status_code == 200
        return len(queries)

    few = count()
    for _ in range(4):
        _signed(team, sales_rep)
    assert count() == few
