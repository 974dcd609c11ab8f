"""Equity duration and rate sensitivity: closed forms by hand, properties, Nasdaq vs Dow."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from narrowgate.models.dcf import dcf_value
from narrowgate.models.duration import (
    EquityAssumptions,
    compare_duration,
    duration_from_dividend_yield,
    duration_from_pe,
    implied_discount_rate,
    perpetuity_duration,
    perpetuity_price_change,
    two_stage_duration,
    two_stage_price_change,
)
from narrowgate.models.valuation import ValuationInputError


def test_hand_checked_perpetuity() -> None:
    # r = 8 %, g = 3 %: D = 1 / 0.05 = 20 years; +50 bp: P'/P = 0.05 / 0.055 → −9.09 %.
    assert perpetuity_duration(0.08, 0.03) == pytest.approx(20)
    assert perpetuity_price_change(0.08, 0.03, 0.005) == pytest.approx(0.05 / 0.055 - 1)
    assert duration_from_pe(30) == pytest.approx(30)
    assert duration_from_pe(30, payout_ratio=0.5) == pytest.approx(60)
    assert duration_from_pe(22, growth=0.10, basis="trailing") == pytest.approx(20)
    assert duration_from_dividend_yield(0.02) == pytest.approx(50)
    with pytest.raises(ValuationInputError, match="must exceed growth"):
        perpetuity_duration(0.03, 0.04)


def test_two_stage_with_equal_growth_is_the_perpetuity() -> None:
    duration = two_stage_duration(0.08, 0.05, years=7, terminal_growth=0.05)
    assert duration.macaulay == pytest.approx(1.08 / 0.03)
    assert duration.modified == pytest.approx(1 / 0.03)
    assert duration.value == pytest.approx(1.05 / 0.03)


def test_modified_duration_matches_the_numerical_derivative() -> None:
    r, h = 0.09, 1e-6
    args = dict(growth=0.2, terminal_growth=0.03, years=8)
    up = dcf_value(1.0, args["growth"], discount_rate=r + h, terminal_growth=0.03, years=8)
    down = dcf_value(1.0, args["growth"], discount_rate=r - h, terminal_growth=0.03, years=8)
    mid = dcf_value(1.0, args["growth"], discount_rate=r, terminal_growth=0.03, years=8)
    numeric = -(up - down) / (2 * h) / mid
    assert two_stage_duration(r, 0.2, 8, 0.03).modified == pytest.approx(numeric, rel=1e-6)


@settings(max_examples=300, deadline=None)
@given(
    rate=st.floats(0.02, 0.3),
    bump=st.floats(1e-4, 0.1),
    growth=st.floats(-0.3, 0.6),
    terminal=st.floats(-0.02, 0.015),
    years=st.integers(1, 30),
)
def test_duration_falls_as_the_discount_rate_rises(
    rate: float, bump: float, growth: float, terminal: float, years: int
) -> None:
    assume(rate > terminal + 1e-3)
    lower = two_stage_duration(rate, growth, years, terminal)
    higher = two_stage_duration(rate + bump, growth, years, terminal)
    assert higher.macaulay < lower.macaulay
    assert higher.modified < lower.modified
    assert perpetuity_duration(rate + bump, terminal) < perpetuity_duration(rate, terminal)


def test_implied_discount_rate_reprices_the_pe() -> None:
    rate = implied_discount_rate(25, 0.12, 10, 0.03, payout_ratio=0.8, basis="trailing")
    value = dcf_value(0.8, 0.12, discount_rate=rate, terminal_growth=0.03, years=10)
    assert value == pytest.approx(25, rel=1e-10)
    with pytest.raises(ValuationInputError, match="too low"):
        implied_discount_rate(0.5, 0.0, 5, 0.0)


def test_nasdaq_vs_dow_side_by_side() -> None:
    # Illustrative inputs (not sourced): Nasdaq-100 forward P/E 28, 12 % growth for 10 years;
    # Dow forward P/E 21, 6 %; both 3 % terminal growth and 80 % payout (dividends + buybacks).
    frame = compare_duration(
        [
            EquityAssumptions("nasdaq", 28, 0.12, 10, 0.03, 0.8, source="test input"),
            EquityAssumptions("dow", 21, 0.06, 10, 0.03, 0.8, source="test input"),
        ],
        shift=0.005,
    )
    table: dict[str, dict[str, Any]] = frame.to_dict("index")  # type: ignore[assignment]
    # Gordon view: D = forward P/E / payout = 35 vs 26.25 years; +50 bp → −14.9 % vs −11.6 %.
    assert table["nasdaq"]["perpetuity_duration"] == pytest.approx(35)
    assert table["dow"]["perpetuity_duration"] == pytest.approx(26.25)
    assert table["nasdaq"]["perpetuity_price_change"] == pytest.approx(1 / 1.175 - 1)
    assert table["dow"]["perpetuity_price_change"] == pytest.approx(1 / 1.13125 - 1)
    # Two-stage view: each row's exact price change matches a direct repricing.
    for name in ("nasdaq", "dow"):
        row = table[name]
        exact = two_stage_price_change(row["implied_discount_rate"], row["growth"], 10, 0.03, 0.005)
        assert row["price_change"] == pytest.approx(exact)
        assert row["price_change_linear"] < row["price_change"] < 0  # convexity
    # With the same terminal growth, the higher P/E here is paid for by growth, which lifts
    # the implied discount rate: the two-stage durations end up close (≈21 vs ≈22 years).
    assert table["nasdaq"]["implied_discount_rate"] > table["dow"]["implied_discount_rate"]
    assert table["nasdaq"]["modified"] == pytest.approx(21.06, abs=0.01)
    assert table["dow"]["modified"] == pytest.approx(22.11, abs=0.01)
