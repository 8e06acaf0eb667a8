"""The quote's arithmetic (R-SOL-2, R-QUOTE-1): Decimal, one rounding rule (half up to the
fen at line totals), tax inclusive and exclusive, totals as sums of lines, currencies."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

from proposals.solutions.money import Amounts, amounts, q, quote_money, totals


def line(**kw):
    values = {
        "quantity": D("1"),
        "unit_cost": D("0"),
        "unit_price": D("0"),
        "tax_rate": D("13"),
        "tax_inclusive": False,
    }
    values.update(kw)
    return amounts(**values)


def test_tax_exclusive_line_R_SOL_2():
    a = line(quantity=D("10"), unit_cost=D("700"), unit_price=D("1000"), tax_rate=D("13"))
    assert a == Amounts(
        cost=D("7000.00"), price_excl=D("10000.00"), tax=D("1300.00"), price_incl=D("11300.00")
    )
    assert a.margin == D("3000.00")
    assert a.margin_percent == D("30.00")


def test_tax_inclusive_line_splits_the_tax_out_and_adds_up_to_the_fen_R_SOL_2():
    # 3 × 33.33 incl. 13% = 99.99; 99.99 / 1.13 = 88.4867… → 88.49; tax = 11.50
    a = line(quantity=D("3"), unit_cost=D("20"), unit_price=D("33.33"), tax_rate=D("13"), tax_inclusive=True)
    assert a.price_incl == D("99.99")
    assert a.price_excl == D("88.49")
    assert a.tax == D("11.50")
    assert a.price_excl + a.tax == a.price_incl
    assert a.margin == D("28.49")
    assert a.margin_percent == D("32.20")  # 28.49 / 88.49 = 32.1957… → 32.20


def test_rounding_is_half_up_at_the_fen_never_bankers_R_QUOTE_1():
    assert q(D("0.125")) == D("0.13")  # banker's rounding would give 0.12
    assert q(D("0.135")) == D("0.14")
    # a line's tax exactly on the half fen: 0.50 × 5% = 0.025 → 0.03
    assert line(unit_price=D("0.50"), tax_rate=D("5")).tax == D("0.03")


def test_no_float_creeps_in():
    # 0.1 + 0.2 in floats is 0.30000000000000004; Decimal line figures are exact.
    a = line(quantity=D("3"), unit_price=D("0.1"), tax_rate=D("0"))
    assert a.price_excl == D("0.30")
    assert isinstance(a.margin, D)


def test_totals_are_sums_of_rounded_lines_R_QUOTE_1():
    class L:
        def __init__(self, **kw):
            self.__dict__.update(
                {"quantity": D("1"), "unit_cost": D("0"), "tax_rate": D("13"), "tax_inclusive": False} | kw
            )

    lines = [L(unit_price=D("0.005"), unit_cost=D("0.004")) for _ in range(3)]
    total = totals(lines)
    # each line rounds 0.005 → 0.01 (price) and 0.004 → 0.00 (cost): the totals are 0.03 / 0.00,
    # not the rounding of the exact sum (0.015 → 0.02)
    assert total.price_excl == D("0.03")
    assert total.cost == D("0.00")
    assert total.margin_percent == D("100.00")


def test_margin_percent_without_price_is_none_and_negative_margin_kept():
    assert Amounts().margin_percent is None
    a = line(unit_cost=D("120"), unit_price=D("100"), tax_rate=D("0"))
    assert a.margin == D("-20.00")
    assert a.margin_percent == D("-20.00")


def test_mixed_lines_total_R_SOL_2():
    class L:
        def __init__(self, **kw):
            self.__dict__.update(kw)

    lines = [
        L(quantity=D("2"), unit_cost=D("5000"), unit_price=D("8000"), tax_rate=D("13"), tax_inclusive=False),
        L(quantity=D("1"), unit_cost=D("3000"), unit_price=D("10600"), tax_rate=D("6"), tax_inclusive=True),
    ]
    total = totals(lines)
    assert total.price_excl == D("26000.00")  # 16000 + 10000
    assert total.tax == D("2680.00")  # 2080 + 600
    assert total.price_incl == D("28680.00")
    assert total.cost == D("13000.00")
    assert total.margin == D("13000.00")
    assert total.margin_percent == D("50.00")


def test_foreign_currency_quote_converts_at_the_recorded_rate_R_QUOTE_1():
    class V:
        currency = "USD"
        fx_rate_to_cny = D("7.123456")
        fx_rate_date = date(2026, 11, 30)

    money = quote_money(V(), D("1000.05"))
    assert money.currency == "USD"
    assert money.cny == D("7123.81")  # 7123.812… half up to the fen
    assert quote_money(
        type("C", (), {"currency": "CNY", "fx_rate_to_cny": None, "fx_rate_date": None})(), D("5")
    ).cny == D("5.00")
