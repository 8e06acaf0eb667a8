"""R-KPI-4: the actuals of the sales targets, by aggregate SQL over hand-built records."""

from datetime import date
from decimal import Decimal

from kpi.indicators import get_indicator
from kpi.models import SalesTarget
from kpi.periods import Period
from kpi.targets import selectors
from kpi.targets.selectors import PERSON, TEAM, achieved, actuals, grid
from tests.factories import CustomerFactory
from tests.kpi.targets.factories import opportunity_of, receipt, satisfaction, signed

NOV = Period.parse("2026-11")


def test_r_kpi_4_amount_signed_counts_contracts_signed_in_the_period_in_cny(rep, rep2, sales_team):
    # given two contracts of rep in November (one in USD at 7.1), one in October, one unsigned
    signed(rep, on=date(2026, 11, 1), amount="1000.00")
    signed(rep, on=date(2026, 11, 30), amount="100.00", currency="USD", rate="7.1")
    signed(rep, on=date(2026, 10, 31), amount="5000.00")
    signed(rep, on=date(2026, 11, 15), amount="9000.00", status="approved")
    signed(rep2, on=date(2026, 12, 1), amount="300.00")
    # when
    found = actuals("amount_signed", NOV, by=PERSON, ids=[rep.pk, rep2.pk])
    # then: 1000 + 710 for rep; rep2 signed nothing in November (absent, not 0)
    assert found[rep.pk].value == Decimal("1710.00")
    assert found[rep.pk].count == 2
    assert rep2.pk not in found
    # and by team (the opportunity's team)
    assert actuals("amount_signed", NOV, by=TEAM, ids=[sales_team.pk])[sales_team.pk].value == Decimal(
        "1710.00"
    )


def test_r_kpi_4_a_foreign_contract_without_a_rate_is_left_out(rep):
    signed(rep, on=date(2026, 11, 2), amount="100.00", currency="USD", rate=None)
    signed(rep, on=date(2026, 11, 3), amount="50.00")
    assert actuals("amount_signed", NOV, by=PERSON, ids=[rep.pk])[rep.pk].value == Decimal("50.00")


def test_r_kpi_4_payments_collected_less_reversals_in_cny(rep, admin_user):
    # given receipts in and out of November, one reversed, one on a USD contract
    cny = signed(rep, on=date(2026, 9, 1), amount="1000.00")
    usd = signed(rep, on=date(2026, 9, 1), amount="100.00", currency="USD", rate="7")
    first = receipt(cny, on=date(2026, 11, 3), amount="300.00", recorder=admin_user)
    receipt(cny, on=date(2026, 11, 4), amount="100.00", recorder=admin_user, reverses=first)
    receipt(cny, on=date(2026, 10, 31), amount="200.00", recorder=admin_user)
    receipt(usd, on=date(2026, 11, 20), amount="10.00", recorder=admin_user)
    # when
    found = actuals("payments_collected", NOV, by=PERSON, ids=[rep.pk])
    # then 300 - 100 + 70
    assert found[rep.pk].value == Decimal("270.00")
    assert found[rep.pk].count == 2  # receipts, reversals not counted


def test_r_kpi_4_new_customers_created_in_the_period_by_owner(rep, rep2, sales_team):
    from leads.models import Customer
    from tests.kpi.targets.factories import at

    inside = CustomerFactory(team=sales_team, owner=rep)
    outside = CustomerFactory(team=sales_team, owner=rep)
    merged = CustomerFactory(team=sales_team, owner=rep)
    Customer.objects.filter(pk=inside.pk).update(created_at=at(date(2026, 11, 10)))
    Customer.objects.filter(pk=outside.pk).update(created_at=at(date(2026, 12, 1)))
    Customer.objects.filter(pk=merged.pk).update(created_at=at(date(2026, 11, 10)), merged_into=inside)
    found = actuals("new_customers", NOV, by=PERSON, ids=[rep.pk, rep2.pk])
    assert found[rep.pk].value == 1
    assert rep2.pk not in found


def test_r_kpi_4_satisfaction_averages_answers_on_the_reps_opportunities(rep, rep2):
    mine = opportunity_of(rep)
    satisfaction(mine, score=5, on=date(2026, 11, 2))
    satisfaction(opportunity_of(rep), score=2, on=date(2026, 11, 28))
    satisfaction(mine, score=1, on=date(2026, 10, 2))  # before the period
    satisfaction(opportunity_of(rep), score=1, on=date(2026, 11, 2), measure="collaboration")
    found = actuals("satisfaction", NOV, by=PERSON, ids=[rep.pk, rep2.pk])
    assert found[rep.pk].value == Decimal("3.50")
    assert found[rep.pk].count == 2
    assert rep2.pk not in found


def test_r_kpi_4_empty_period_is_no_data_and_percent_needs_a_target_above_zero(rep, sales_manager):
    # given a target of 0 and a target of 1000 on a period without records
    SalesTarget.objects.create(
        period_kind="month",
        period_start=NOV.start,
        person=rep,
        metric="amount_signed",
        target=Decimal("0"),
        set_by=sales_manager,
    )
    SalesTarget.objects.create(
        period_kind="month",
        period_start=NOV.start,
        person=rep,
        metric="new_customers",
        target=Decimal("4"),
        set_by=sales_manager,
    )
    # when
    (row,) = grid(NOV, people=[rep], teams=[])
    cells = {cell.metric: cell for cell in row.cells}
    # then: sums are 0, the average is no data, division by zero gives no percent
    assert cells["amount_signed"].actual == Decimal("0.00")
    assert cells["amount_signed"].percent is None
    assert cells["new_customers"].percent == Decimal("0.0")
    assert cells["satisfaction"].actual is None
    assert cells["satisfaction"].percent is None
    assert achieved(Decimal("150"), Decimal("100")) == Decimal("150.0")
    assert achieved(None, Decimal("1")) is None


def test_r_kpi_4_person_and_team_targets_are_separate_rows(rep, sales_team, sales_manager):
    signed(rep, on=date(2026, 11, 5), amount="500.00")
    for person, team, value in ((rep, None, "1000"), (None, sales_team, "2000")):
        SalesTarget.objects.create(
            period_kind="month",
            period_start=NOV.start,
            person=person,
            team=team,
            metric="amount_signed",
            target=Decimal(value),
            set_by=sales_manager,
        )
    rows = grid(NOV, people=[rep], teams=[sales_team])
    team_row, rep_row = rows
    assert (team_row.kind, rep_row.kind) == ("team", "person")
    assert team_row.cells[0].percent == Decimal("25.0")
    assert rep_row.cells[0].percent == Decimal("50.0")
    assert rep_row.cells[0].bar == 50


def test_r_kpi_4_a_quarter_sums_its_months(rep):
    signed(rep, on=date(2026, 10, 5), amount="1.00")
    signed(rep, on=date(2026, 12, 31), amount="2.00")
    q4 = Period.parse("2026-Q4")
    assert actuals("amount_signed", q4, by=PERSON, ids=[rep.pk])[rep.pk].value == Decimal("3.00")


def test_r_kpi_4_indicators_registered_with_target(rep, sales_manager):
    SalesTarget.objects.create(
        period_kind="month",
        period_start=NOV.start,
        person=rep,
        metric="amount_signed",
        target=Decimal("100"),
        set_by=sales_manager,
    )
    signed(rep, on=date(2026, 11, 5), amount="50.00")
    indicator = get_indicator("amount_signed")
    assert indicator is not None and "sales" in indicator.audiences
    value = indicator.compute([rep.pk, sales_manager.pk], NOV)
    assert value[rep.pk].value == Decimal("50.00")
    assert value[rep.pk].target == Decimal("100.00")
    assert sales_manager.pk not in value
    for key in ("payments_collected", "new_customers", "sales_satisfaction"):
        found = get_indicator(key)
        assert found is not None
        assert found.records_url(rep.pk, NOV).startswith("/")


def test_r_kpi_4_actuals_cost_a_constant_number_of_queries(rep, rep2, sales_team, django_assert_num_queries):
    for person in (rep, rep2):
        signed(person, on=date(2026, 11, 5))
        satisfaction(opportunity_of(person), score=4, on=date(2026, 11, 5))
    people = selectors.team_members(sales_team)
    # the targets and the four metrics for the people and for the team
    with django_assert_num_queries(9):
        grid(NOV, people=people, teams=[sales_team])


def test_period_kinds_of_the_model_agree_with_periods():
    from kpi.models.targets import PERIOD_KINDS, period_key
    from kpi.periods import PeriodKind

    assert [k for k, _ in PERIOD_KINDS] == list(PeriodKind.values)
    for text in ("2026-11", "2026-Q4", "2026"):
        period = Period.parse(text)
        assert period_key(period.kind, period.start) == period.key
